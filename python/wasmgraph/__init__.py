"""wasmgraph: run TVM's wasm32 graph libraries as sandboxed native code, from Python.

    import wasmgraph
    model = wasmgraph.from_tvm(relay.build(mod, target="llvm -mtriple=wasm32-unknown-unknown",
                                           params=params,
                                           runtime=relay.backend.Runtime("cpp", {"system-lib": True})))
    scores, = model.executor()(data=x)

Reference: docs/python.md.
"""

from . import _native
from .compiler import compile
from .errors import (AbiError, DtypeMismatchError, Error, FileError, FormatError,
                     InvalidArgumentError, KernelError, NoMemoryError, NotFoundError,
                     ShapeMismatchError, Status, TrapError, TrapKind, UnsupportedError)
from .executor import Executor
from .graph_executor import BenchmarkResult, GraphModule
from .model import Model, TensorInfo, load
from .tvm_factory import from_tvm

__version__ = _native.runtime.wasmgraph_version().decode()


def memory_mode():
    """How the runtime catches out-of-bounds accesses: "guard-pages" or "bounds-check"."""
    return _native.runtime.wasmgraph_memory_mode().decode()


__all__ = [
    "compile", "load", "from_tvm", "memory_mode",
    "Model", "Executor", "TensorInfo", "GraphModule", "BenchmarkResult",
    "Status", "TrapKind", "Error", "InvalidArgumentError", "NoMemoryError", "FormatError",
    "NotFoundError", "ShapeMismatchError", "DtypeMismatchError", "TrapError", "KernelError",
    "FileError", "AbiError", "UnsupportedError",
]
