"""Executor: one sandbox over a model's graph; set inputs, run, read outputs."""

import ctypes
import numbers
import threading

import numpy as np

from . import _native, dtypes
from .errors import InvalidArgumentError, UnsupportedError, error_for
from .model import _check_index, _text

_lib = _native.runtime


class _ExecutorHandle:
    """Owns a wasmgraph_executor*, and keeps its model alive.

    Zero-copy views reference this handle, not the Executor, so the sandbox
    memory they point into lives until the last view is gone even after
    Executor.close().
    """

    __slots__ = ("ptr", "model_handle")
    _destroy = _lib.wasmgraph_executor_destroy  # bound now: usable during interpreter shutdown

    def __init__(self, ptr, model_handle):
        self.ptr = ptr
        self.model_handle = model_handle

    def __del__(self):
        if self.ptr:
            type(self)._destroy(self.ptr)
            self.ptr = None


def _as_array(value):
    """A C-contiguous numpy array of ``value`` (numpy arrays, TVM NDArrays,
    anything with ``__array__`` or nested sequences), without changing its dtype."""
    if not isinstance(value, np.ndarray) and not hasattr(value, "__array__"):
        to_numpy = getattr(value, "numpy", None)  # tvm.nd.NDArray, torch.Tensor
        if callable(to_numpy):
            value = to_numpy()
    try:
        return np.asarray(value, order="C")  # (ascontiguousarray would make 0-d arrays 1-d)
    except (TypeError, ValueError) as e:
        raise InvalidArgumentError(f"cannot use {type(value).__name__} as an array: {e}") from None


class Executor:
    """Runs a :class:`Model`: its own linear memory, instances and thread pool.

    An executor serves one thread at a time (calls from other threads wait for
    the running one; a ``__call__`` is one step); make one per thread to run in
    parallel. ``run()`` releases the GIL.
    """

    def __init__(self, model, threads=None, workspace_mb=None):
        opts = _native.Options()
        opts.struct_size = ctypes.sizeof(_native.Options)
        if threads is not None:
            if not isinstance(threads, numbers.Integral) or isinstance(threads, bool) or threads < 1:
                raise InvalidArgumentError(f"threads must be a positive integer or None, not {threads!r}")
            opts.num_threads = int(threads)
        if workspace_mb is not None:
            if (not isinstance(workspace_mb, numbers.Real) or isinstance(workspace_mb, bool) or
                    not workspace_mb > 0):
                raise InvalidArgumentError(f"workspace_mb must be a positive number or None, "
                                           f"not {workspace_mb!r}")
            opts.workspace_bytes = max(1, int(workspace_mb * (1 << 20)))
        err = ctypes.create_string_buffer(1024)
        ptr = ctypes.c_void_p()
        st = _lib.wasmgraph_executor_create(model._handle.ptr, ctypes.byref(opts),
                                            ctypes.byref(ptr), err, len(err))
        if st:
            raise error_for(st, f"{model.path}: {_text(err.value)}")
        self._h = _ExecutorHandle(ptr.value, model._handle)
        self._lock = threading.RLock()  # __call__ holds it across its steps
        self.model = model
        self.num_threads = _lib.wasmgraph_executor_num_threads(ptr.value)

    # ---- lifetime ----------------------------------------------------------

    def close(self):
        """Releases the sandbox now (views made by output_view/input_view keep
        it until they are gone). Later calls raise InvalidArgumentError."""
        with self._lock:
            self._h = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _ptr(self):
        h = self._h
        if h is None:
            raise InvalidArgumentError("the executor is closed")
        return h.ptr

    def _fail(self, st, ptr):
        return error_for(st, _text(_lib.wasmgraph_executor_last_error(ptr)),
                         _lib.wasmgraph_executor_last_trap(ptr))

    # ---- inputs ------------------------------------------------------------

    def set_input(self, key, value):
        """Copies ``value`` into input ``key`` (a name or an index).

        The array's dtype and shape must be the graph's exactly: no casting,
        no broadcasting (DtypeMismatchError, ShapeMismatchError).
        """
        index = self.model.input_index(key)
        info = self.model.inputs[index]
        arr = _as_array(value)
        dt = dtypes.for_input(arr.dtype, info)
        shape = (ctypes.c_int64 * max(arr.ndim, 1))(*arr.shape)
        with self._lock:
            ptr = self._ptr()
            st = _lib.wasmgraph_executor_set_input_tensor(ptr, index, dt, arr.ndim, shape,
                                                          arr.ctypes.data_as(ctypes.c_void_p))
            if st:
                raise self._fail(st, ptr)

    def input_view(self, key):
        """A writable numpy view of input ``key`` inside the sandbox: writing it
        is set_input without the copy. After a failed run, set inputs again."""
        index = self.model.input_index(key)
        return self._view(_lib.wasmgraph_executor_input_buffer, index,
                          self.model.inputs[index], writeable=True)

    # ---- running -----------------------------------------------------------

    def run(self):
        """Runs every node of the graph, with the GIL released.

        A trap raises TrapError (``.trap`` says which) and a kernel failure
        KernelError; the message names the node and the kernel. The executor
        stays usable; set the inputs again before the next run.
        """
        with self._lock:
            ptr = self._ptr()
            st = _lib.wasmgraph_executor_run(ptr)
            if st:
                raise self._fail(st, ptr)

    def __call__(self, *args, **inputs):
        """Sets inputs (positionally by index, or by name), runs, and returns
        every output as a new array, in graph order."""
        if len(args) > self.model.num_inputs:
            raise InvalidArgumentError(f"{len(args)} positional inputs given, the model has "
                                       f"{self.model.num_inputs}")
        with self._lock:  # one call's inputs, run and outputs, even with other threads
            for i, value in enumerate(args):
                self.set_input(i, value)
            for name, value in inputs.items():
                self.set_input(name, value)
            self.run()
            return [self.get_output(i) for i in range(self.model.num_outputs)]

    # ---- outputs -----------------------------------------------------------

    def _output_info(self, index):
        index = _check_index(index, self.model.num_outputs, "output")
        info = self.model.outputs[index]
        if info.dtype is None:
            raise UnsupportedError(f"output {index}: dtype {info.dtype_name} has no numpy equivalent")
        return index, info

    def get_output(self, index):
        """A copy of output ``index`` as a new numpy array."""
        index, info = self._output_info(index)
        out = np.empty(info.shape, dtype=info.dtype)
        with self._lock:
            ptr = self._ptr()
            st = _lib.wasmgraph_executor_get_output(ptr, index, out.ctypes.data_as(ctypes.c_void_p),
                                                    out.nbytes)
            if st:
                raise self._fail(st, ptr)
        return out

    def output_view(self, index):
        """A read-only numpy view of output ``index`` inside the sandbox, no copy.

        Its contents are valid after a successful run until the next run (or
        a failed one) rewrites them; copy what you keep. The memory itself stays
        mapped as long as the view exists, so a stale view reads old or partial
        values, never freed memory.
        """
        index, info = self._output_info(index)
        return self._view(_lib.wasmgraph_executor_output_buffer, index, info, writeable=False)

    def _view(self, getter, index, info, writeable):
        if info.dtype is None:
            raise UnsupportedError(f"'{info.name}': dtype {info.dtype_name} has no numpy equivalent")
        with self._lock:
            h = self._h
            if h is None:
                raise InvalidArgumentError("the executor is closed")
            data, size = ctypes.c_void_p(), ctypes.c_size_t()
            st = getter(h.ptr, index, ctypes.byref(data), ctypes.byref(size))
            if st:
                raise self._fail(st, h.ptr)
        raw = (ctypes.c_uint8 * size.value).from_address(data.value)
        raw._wasmgraph_owner = h  # the view's base chain keeps the sandbox alive
        arr = np.frombuffer(raw, dtype=info.dtype).reshape(info.shape)
        arr.flags.writeable = writeable
        return arr

    def __repr__(self):
        state = "closed" if self._h is None else f"{self.num_threads} threads"
        return f"<wasmgraph.Executor of {self.model.name!r}, {state}>"
