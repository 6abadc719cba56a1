"""A drop-in for ``tvm.contrib.graph_executor.GraphModule``.

A TVM script that checks a model with the graph executor runs on wasmgraph
with two lines changed::

    from tvm.contrib import graph_executor                 # before
    module = graph_executor.GraphModule(lib["default"](dev))

    from wasmgraph import graph_executor                   # after
    module = graph_executor.GraphModule(lib)               # lib = relay.build(...) for wasm32

Outputs come back as numpy arrays that also answer ``.numpy()`` and
``.asnumpy()``, as TVM's NDArrays do. Differences from TVM's class are listed
in docs/python.md (weights are fixed at build time; ``device`` is ignored).
"""

import time

import numpy as np

from .errors import DtypeMismatchError, InvalidArgumentError, NotFoundError, UnsupportedError
from .executor import Executor, _as_array
from .model import Model


class OutputArray(np.ndarray):
    """A numpy array that also has TVM NDArray's ``numpy()``/``asnumpy()``."""

    def numpy(self):
        return np.asarray(self)

    asnumpy = numpy


class BenchmarkResult:
    """Timings of ``GraphModule.benchmark``, as ``tvm.runtime.module.BenchmarkResult``.

    ``mean``, ``median``, ``std``, ``min``, ``max`` and ``results`` are in
    seconds (TVM's units); ``str()`` prints TVM's summary table in ms, and the
    ``*_ms`` properties give the same numbers in ms.
    """

    def __init__(self, results):
        self.results = list(results)
        self.mean = float(np.mean(self.results))
        self.std = float(np.std(self.results))
        self.median = float(np.median(self.results))
        self.min = float(np.min(self.results))
        self.max = float(np.max(self.results))

    mean_ms = property(lambda self: self.mean * 1e3)
    median_ms = property(lambda self: self.median * 1e3)
    std_ms = property(lambda self: self.std * 1e3)

    def __repr__(self):
        return (f"BenchmarkResult(min={self.min}, mean={self.mean}, median={self.median}, "
                f"max={self.max}, std={self.std}, results={self.results})")

    def __str__(self):
        return ("Execution time summary:\n"
                f"{'mean (ms)':^12} {'median (ms)':^12} {'max (ms)':^12} "
                f"{'min (ms)':^12} {'std (ms)':^12}\n"
                f"{self.mean * 1000:^12.4f} {self.median * 1000:^12.4f} {self.max * 1000:^12.4f} "
                f"{self.min * 1000:^12.4f} {self.std * 1000:^12.4f}"
                "               ")


def _copy_into(out, value):
    """get_output(i, out): fill a TVM NDArray (copyfrom) or a numpy array."""
    if hasattr(out, "copyfrom"):
        out.copyfrom(value)
    else:
        np.copyto(out, value, casting="no")
    return out


class GraphModule:
    """TVM's GraphModule interface over a wasmgraph :class:`Executor`.

    module: what ``relay.build`` returns (compiled with :func:`from_tvm`), a
        :class:`Model`, an :class:`Executor`, or a path to a model ``.so``
        with graph and params embedded.
    threads, workspace_mb: as for :meth:`Model.executor` (when one is made).
    """

    def __init__(self, module, threads=None, workspace_mb=None):
        if isinstance(module, Executor):
            self.executor = module
        else:
            if isinstance(module, Model):
                model = module
            elif callable(getattr(module, "get_lib", None)):
                from .tvm_factory import from_tvm
                model = from_tvm(module)
            elif isinstance(module, (str, bytes)) or hasattr(module, "__fspath__"):
                from .model import load
                model = load(module)
            else:
                raise InvalidArgumentError(
                    "GraphModule takes relay.build's result, a wasmgraph Model or Executor, or a "
                    f"model .so path, not {type(module).__name__} (for a TVM runtime module, pass "
                    "relay.build's result itself, not lib['default'](dev))")
            self.executor = model.executor(threads=threads, workspace_mb=workspace_mb)
        self.model = self.executor.model
        # TVM numbers a graph's inputs over all its argument nodes, weights
        # included (graph.json's arg_nodes); so does this class.
        self._arg_info = self.model.graph_args() or [(t.name, t.shape, t.dtype_name)
                                                      for t in self.model.inputs]
        self._args = [a[0] for a in self._arg_info]

    # ---- inputs ------------------------------------------------------------

    def _input_name(self, key):
        """The graph input that TVM's ``key`` (name or arg-node index) means."""
        if isinstance(key, str):
            name = key
        else:
            try:
                i = key.__index__()
            except (AttributeError, TypeError):
                raise InvalidArgumentError(f"input key must be a name or an index, not "
                                           f"{type(key).__name__}") from None
            if not 0 <= i < len(self._args):
                raise InvalidArgumentError(f"input index {i} out of range ({len(self._args)} "
                                           "inputs, weights included)")
            name = self._args[i]
        if name not in self.model.input_names and name in self._args:
            raise UnsupportedError(f"'{name}' is a weight of the graph: wasmgraph fixes weights "
                                   "when the model is compiled; rebuild it with the new params")
        return name

    def _set(self, key, value):
        name = self._input_name(key)
        info = self.model.inputs[self.model.input_index(name)]
        arr = _as_array(value)
        if info.dtype is not None and arr.dtype != info.dtype:
            # TVM's NDArray.copyfrom converts to the tensor's dtype; so do we.
            try:
                arr = np.asarray(arr, dtype=info.dtype, order="C")
            except (TypeError, ValueError) as e:
                raise DtypeMismatchError(f"input '{name}': cannot convert {arr.dtype} to "
                                         f"{info.dtype_name}: {e}") from None
        self.executor.set_input(name, arr)

    def set_input(self, key=None, value=None, **params):
        """Sets input ``key`` (name or index) to ``value``, and every
        ``name=value`` in params. Weights are fixed when the model is compiled:
        a weight's name raises UnsupportedError, an unknown name NotFoundError."""
        if key is not None:
            self._set(key, value)
        for name, v in params.items():
            self._set(name, v)

    def run(self, **input_dict):
        """Sets ``input_dict`` (if any) and runs the graph."""
        if input_dict:
            self.set_input(**input_dict)
        self.executor.run()

    def get_num_outputs(self):
        return self.model.num_outputs

    def get_num_inputs(self):
        """The number of graph arguments, weights included (as TVM)."""
        return len(self._args)

    def get_input_index(self, name):
        """The index of argument ``name``, -1 if there is none (as TVM)."""
        return self._args.index(name) if name in self._args else -1

    def get_input_info(self):
        """(shape_dict, dtype_dict) over every graph argument, weights
        included, as TVM 0.14's graph executor reports them."""
        return ({name: shape for name, shape, _ in self._arg_info},
                {name: dtype for name, _, dtype in self._arg_info})

    def get_input(self, index, out=None):
        """A copy of the current value of input ``index`` (name or index)."""
        value = np.array(self.executor.input_view(self._input_name(index))).view(OutputArray)
        return _copy_into(out, value) if out is not None else value

    # ---- outputs -----------------------------------------------------------

    def get_output(self, index, out=None):
        """Output ``index`` as a new array (with ``.numpy()``), or copied into
        ``out`` (a TVM NDArray or a numpy array of the output's shape)."""
        value = self.executor.get_output(index).view(OutputArray)
        return _copy_into(out, value) if out is not None else value

    def __getitem__(self, key):
        funcs = {"run": self.run, "set_input": self.set_input, "get_output": self.get_output,
                 "get_num_outputs": self.get_num_outputs, "get_num_inputs": self.get_num_inputs,
                 "get_input": self.get_input, "get_input_index": self.get_input_index}
        if key not in funcs:
            raise NotFoundError(f"GraphModule has no function '{key}'")
        return funcs[key]

    def load_params(self, params_bytes):
        raise UnsupportedError("load_params: a wasmgraph model's weights are fixed when it is "
                               "compiled; rebuild it (from_tvm) with the new params")

    # ---- timing ------------------------------------------------------------

    def benchmark(self, device=None, func_name="run", repeat=5, number=5, min_repeat_ms=None,
                  limit_zero_time_iterations=100, end_to_end=False, cooldown_interval_ms=0,
                  repeats_to_cooldown=1, **kwargs):
        """Times ``run()`` as TVM's ``benchmark`` does: ``repeat`` measurements,
        each the mean of ``number`` consecutive runs (grown until one measurement
        takes ``min_repeat_ms``). ``kwargs`` are inputs, set before timing; with
        ``end_to_end`` they are set inside every timed run. ``device`` is
        accepted for compatibility and ignored."""
        if func_name != "run":
            raise UnsupportedError(f"benchmark: only 'run' can be timed, not '{func_name}'")
        for what, v in (("repeat", repeat), ("number", number)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise InvalidArgumentError(f"benchmark: {what} must be a positive integer, not {v!r}")
        if end_to_end:
            def once():
                self.set_input(**kwargs)
                self.executor.run()
        else:
            if kwargs:
                self.set_input(**kwargs)
            once = self.executor.run
        min_s = (min_repeat_ms or 0) / 1e3
        results = []
        for r in range(repeat):
            if cooldown_interval_ms and r and r % repeats_to_cooldown == 0:
                time.sleep(cooldown_interval_ms / 1e3)
            n, zero_tries = number, 0
            while True:
                t0 = time.perf_counter()
                for _ in range(n):
                    once()
                elapsed = time.perf_counter() - t0
                if elapsed >= min_s:
                    break
                if elapsed == 0:
                    zero_tries += 1
                    if zero_tries >= limit_zero_time_iterations:
                        break
                    n *= 2
                else:  # TVM's growth rule: aim at min_repeat_ms, grow at least 1.618x
                    n = max(int(min_s / (elapsed / n)) + 1, int(n * 1.618))
            results.append(elapsed / n)
        return BenchmarkResult(results)
