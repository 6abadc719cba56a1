"""from_tvm(): what ``relay.build`` returns -> a loaded wasmgraph Model.

The factory's three parts are exactly the files of a fixture folder: its
``get_lib()`` is an LLVM module whose ``save("graph.o")`` writes the wasm32
relocatable object, ``get_graph_json()`` is graph.json and
``tvm.runtime.save_param_dict(get_params())`` the params file. They are written
to a temporary folder, compiled like ``wasmgraph compile FOLDER -o OUT.so``,
loaded, and the folder is removed. TVM itself is imported only here, and only
to serialise the params.
"""

import os
import shutil
import tempfile

from .compiler import compile as _compile
from .errors import Error, InvalidArgumentError, UnsupportedError, error_for
from .model import load

_HOW_TO_BUILD = ("build it with relay.build(mod, target=\"llvm -mtriple=wasm32-unknown-unknown\" "
                 "(optionally \" -mattr=+simd128\"), params=params, "
                 "runtime=relay.backend.Runtime(\"cpp\", {\"system-lib\": True}))")


def _parts(factory):
    for attr in ("get_lib", "get_graph_json", "get_params"):
        if not callable(getattr(factory, attr, None)):
            raise InvalidArgumentError(
                f"from_tvm() takes what relay.build returns (a GraphExecutorFactoryModule), "
                f"not {type(factory).__name__}: {_HOW_TO_BUILD}")
    lib = factory.get_lib()
    if getattr(lib, "type_key", "llvm") != "llvm":
        raise UnsupportedError(f"from_tvm: the model's library is a '{lib.type_key}' module; "
                               f"wasmgraph needs TVM's LLVM wasm32 output: {_HOW_TO_BUILD}")
    imported = [m.type_key for m in getattr(lib, "imported_modules", [])]
    if imported:
        raise UnsupportedError(
            f"from_tvm: the model's library imports other modules ({', '.join(imported)}), e.g. "
            "from an external codegen (BYOC); wasmgraph translates only the LLVM wasm32 object")
    return lib, factory.get_graph_json(), factory.get_params()


def _save_params(params):
    import tvm  # present: the factory came from TVM

    save = getattr(tvm.runtime, "save_param_dict", None)
    if save is None:  # TVM 0.8 keeps it in relay only
        from tvm import relay
        save = relay.save_param_dict
    return save(params)


def from_tvm(factory, output=None, **compile_options):
    """Compiles and loads the result of ``relay.build`` for a wasm32 target with
    the system-lib runtime; returns a :class:`Model`.

    output: None (default) leaves no file behind. A ``.so`` path keeps the
        translated model there, with graph.json and the params embedded, so
        ``wasmgraph.load(output)`` (or ``wasmgraph run``) loads it later alone.
    compile_options: ``name``, ``cpu``, ``opt_level``, ``log`` as for
        :func:`compile`.
    """
    if "embed" in compile_options:
        raise InvalidArgumentError("from_tvm: embed is not an option here: the graph and params "
                                   "come from the factory (give output= to embed them)")
    if output is not None and not os.fsdecode(os.fspath(output)).endswith(".so"):
        raise InvalidArgumentError(
            f"from_tvm: output must be a .so (it is loaded), not '{os.fsdecode(os.fspath(output))}'; "
            "for other kinds save the factory's files and call wasmgraph.compile()")
    lib, graph_json, params = _parts(factory)
    work = tempfile.mkdtemp(prefix="wasmgraph-from-tvm-")
    try:
        obj = os.path.join(work, "graph.o")
        lib.save(obj)
        with open(obj, "rb") as f:
            magic = f.read(4)
        if magic != b"\0asm":
            raise UnsupportedError(f"from_tvm: TVM built a native library, not WebAssembly "
                                   f"(target {getattr(factory, 'target', '?')}): {_HOW_TO_BUILD}")
        graph_path = os.path.join(work, "graph.json")
        params_path = os.path.join(work, "graph.params")
        with open(graph_path, "w", encoding="utf-8") as f:
            f.write(graph_json)
        with open(params_path, "wb") as f:
            f.write(_save_params(params))
        try:
            if output is None:
                so = os.path.join(work, "model.so")
                _compile(obj, so, **compile_options)
                return load(so, graph_path, params_path)
            _compile(work, output, **compile_options)  # a folder: graph and params embedded
            return load(output)
        except Error as e:
            # Messages name the temporary files; say where they came from.
            raise error_for(e.status, f"from_tvm: {e.message}", e.trap) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
