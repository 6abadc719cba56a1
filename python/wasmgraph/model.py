"""load() and Model: a translated model with its graph and params, ready to
make executors."""

import ctypes
import json
import os

from . import _native, dtypes
from .errors import InvalidArgumentError, NotFoundError, error_for

_lib = _native.runtime


def _text(b):
    return b.decode("utf-8", "replace") if b is not None else ""


def _path_arg(p, what):
    if p is None:
        return None
    try:
        b = os.fsencode(p)
    except TypeError:
        raise InvalidArgumentError(f"{what} must be a path (str or os.PathLike), "
                                   f"not {type(p).__name__}") from None
    if not b or b"\0" in b:
        raise InvalidArgumentError(f"{what} {p!r} is not a valid path")
    return b


class TensorInfo:
    """Name, shape and dtype of a graph input or output.

    ``dtype`` is the numpy dtype that holds the tensor (``None`` for dtypes
    numpy cannot hold, such as vector lanes); ``dtype_name`` is graph.json's
    spelling (``"float32"``, ``"bool"``, ``"bfloat16"``).
    """

    __slots__ = ("name", "shape", "dtype", "dtype_name", "nbytes", "dtype_code", "dtype_bits",
                 "dtype_lanes")

    def __init__(self, c):
        self.name = _text(c.name)
        self.shape = tuple(c.shape[i] for i in range(c.ndim))
        self.dtype_code, self.dtype_bits, self.dtype_lanes = c.dtype.code, c.dtype.bits, c.dtype.lanes
        self.dtype = dtypes.to_numpy(self.dtype_code, self.dtype_bits, self.dtype_lanes)
        self.dtype_name = _text(c.dtype_name)
        self.nbytes = c.nbytes

    def __repr__(self):
        return f"TensorInfo(name={self.name!r}, shape={self.shape}, dtype={self.dtype_name!r})"

    def __eq__(self, other):
        return (isinstance(other, TensorInfo) and
                (self.name, self.shape, self.dtype_name) == (other.name, other.shape,
                                                              other.dtype_name))

    def __hash__(self):
        return hash((self.name, self.shape, self.dtype_name))


class _ModelHandle:
    """Owns a wasmgraph_model*. Executors keep it alive through their own handle."""

    __slots__ = ("ptr",)
    _destroy = _lib.wasmgraph_model_destroy  # bound now: usable during interpreter shutdown

    def __init__(self, ptr):
        self.ptr = ptr

    def __del__(self):
        if self.ptr:
            type(self)._destroy(self.ptr)
            self.ptr = None


class Model:
    """A model loaded from a ``.so`` made by ``wasmgraph compile``.

    Immutable and shared freely between threads. Make one :class:`Executor`
    per thread with :meth:`executor`.
    """

    def __init__(self, handle, path, graph_json=None):
        self._handle = handle
        self.path = path
        self._graph_json = graph_json
        ptr = handle.ptr
        info = _native.TensorInfoC()

        def infos(count, getter):
            out = []
            for i in range(count):
                st = getter(ptr, i, ctypes.byref(info))
                if st:
                    raise error_for(st, f"{path}: cannot describe tensor {i}")
                out.append(TensorInfo(info))
            return tuple(out)

        self.inputs = infos(_lib.wasmgraph_model_num_inputs(ptr), _lib.wasmgraph_model_input_info)
        self.outputs = infos(_lib.wasmgraph_model_num_outputs(ptr),
                             _lib.wasmgraph_model_output_info)
        self.name = _text(_lib.wasmgraph_model_name(ptr))
        self._input_index = {t.name: i for i, t in enumerate(self.inputs)}

    @property
    def graph_json(self):
        """The graph.json text the model was built from (given or embedded),
        or None if it cannot be read back."""
        return self._graph_json

    def graph_args(self):
        """The graph's argument nodes (inputs and weights) as
        ``[(name, shape, dtype_name)]`` in graph.json's ``arg_nodes`` order,
        the order in which TVM's graph executor numbers its inputs; None
        without graph.json."""
        if self._graph_json is None:
            return None
        try:
            g = json.loads(self._graph_json)
            shapes, dtypes = g["attrs"]["shape"][1], g["attrs"]["dltype"][1]
            out = []
            for n in g["arg_nodes"]:
                e = g["node_row_ptr"][n]
                out.append((g["nodes"][n]["name"], tuple(int(d) for d in shapes[e]), dtypes[e]))
            return out
        except (ValueError, KeyError, IndexError, TypeError):
            return None

    @property
    def input_names(self):
        return [t.name for t in self.inputs]

    @property
    def output_names(self):
        return [t.name for t in self.outputs]

    @property
    def num_inputs(self):
        return len(self.inputs)

    @property
    def num_outputs(self):
        return len(self.outputs)

    def input_index(self, key):
        """The index of input ``key`` (a name or an index); NotFoundError if none."""
        if isinstance(key, str):
            i = self._input_index.get(key)
            if i is None:
                raise NotFoundError(f"{self.path}: no input named '{key}' (inputs: "
                                    f"{', '.join(self.input_names) or 'none'})")
            return i
        return _check_index(key, len(self.inputs), "input")

    def executor(self, threads=None, workspace_mb=None):
        """A new :class:`Executor`: its own sandbox with the params loaded.

        threads: workers for parallel kernels, the caller included
            (default: the number of cores).
        workspace_mb: per-thread arena for TVMBackendAllocWorkspace
            (default: 256).
        """
        from .executor import Executor
        return Executor(self, threads=threads, workspace_mb=workspace_mb)

    def __repr__(self):
        ins = ", ".join(f"{t.name}: {t.dtype_name}{list(t.shape)}" for t in self.inputs)
        outs = ", ".join(f"{t.dtype_name}{list(t.shape)}" for t in self.outputs)
        return f"<wasmgraph.Model {self.name!r} ({ins}) -> ({outs})>"


def _check_index(i, count, what):
    try:
        i = int(i.__index__())
    except (AttributeError, TypeError):
        raise InvalidArgumentError(f"{what} index must be an integer, "
                                   f"not {type(i).__name__}") from None
    if not 0 <= i < count:
        raise InvalidArgumentError(f"{what} index {i} out of range ({count} {what}s)")
    return i


def load(path, graph=None, params=None):
    """Loads a model library made by ``wasmgraph compile -o model.so``.

    ``graph`` and ``params`` are graph.json and the params file; either may be
    None to use the copy embedded in the library (a folder input, or
    ``compile(..., embed=...)``). Errors name the file: FileError for a file
    that cannot be read, FormatError for malformed contents, AbiError for a
    library of another wasmgraph release.
    """
    so = _path_arg(path, "path")
    if so is None:
        raise InvalidArgumentError("path must name a model library (.so)")
    g = _path_arg(graph, "graph")
    p = _path_arg(params, "params")
    err = ctypes.create_string_buffer(1024)
    ptr = ctypes.c_void_p()
    # The runtime loads the library under a name of its own, so a file
    # recompiled in place is a new model (runtime/library_name.c).
    st = _lib.wasmgraph_model_load_library(so, g, p, ctypes.byref(ptr), err, len(err))
    if st:
        raise error_for(st, _text(err.value))
    handle = _ModelHandle(ptr.value)
    # graph.json's text, as the runtime parsed it (TVM's API numbers inputs by it)
    size = ctypes.c_size_t()
    text = _lib.wasmgraph_model_graph_json(ptr.value, ctypes.byref(size))
    text = ctypes.string_at(text, size.value).decode("utf-8", "replace") if text else None
    return Model(handle, os.fsdecode(so), text)
