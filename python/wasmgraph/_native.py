"""ctypes declarations of include/wasmgraph.h and include/wasmgraph_compiler.h.

The two libraries live in this package's ``_lib`` folder (python/CMakeLists.txt
stages them in the build tree and installs them with the package):

- ``libwasmgraph.so`` is loaded with RTLD_GLOBAL. A model ``.so`` made by
  ``wasmgraph compile`` leaves its imports (``w2c_env_*``, ``wasm_rt_*``) to be
  resolved from the global scope when the runtime dlopens it, exactly as the
  ``wasmgraph`` CLI provides them from its own executable.
- ``libwasmgraph_compiler.so`` is loaded only when ``compile()`` is first called
  (it pulls in libLLVM), RTLD_LOCAL: it exports nothing but ``wasmgraph_*``.

Every call goes through ``ctypes.CDLL``, which releases the GIL for the
duration of the foreign call: ``Executor.run()`` and ``compile()`` let other
Python threads run.
"""

import ctypes
import os
import threading

_LIB_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_lib")

c_int = ctypes.c_int
c_size_t = ctypes.c_size_t
c_char_p = ctypes.c_char_p
c_void_p = ctypes.c_void_p
c_int64_p = ctypes.POINTER(ctypes.c_int64)

MAX_NDIM = 16  # WASMGRAPH_MAX_NDIM


class Dtype(ctypes.Structure):
    """wasmgraph_dtype."""

    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class TensorInfoC(ctypes.Structure):
    """wasmgraph_tensor_info."""

    _fields_ = [
        ("name", c_char_p),
        ("dtype", Dtype),
        ("dtype_name", c_char_p),
        ("ndim", c_int),
        ("shape", c_int64_p),
        ("nbytes", c_size_t),
    ]


class Options(ctypes.Structure):
    """wasmgraph_options."""

    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("num_threads", c_int),
        ("workspace_bytes", c_size_t),
    ]


LOG_FN = ctypes.CFUNCTYPE(None, c_void_p, c_char_p)


class CompileOptions(ctypes.Structure):
    """The leading, stable part of wasmgraph_compile_options.

    The C struct may grow at its end; ``new_compile_options`` lets the library
    initialise a buffer of its own size and only then views it through this
    layout.
    """

    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("input", c_char_p),
        ("output", c_char_p),
        ("name", c_char_p),
        ("opt_level", c_int),
        ("target", c_char_p),
        ("cpu", c_char_p),
        ("embed_graph", c_char_p),
        ("embed_params", c_char_p),
        ("stack_size", ctypes.c_uint32),
        ("save_temps", ctypes.c_bool),
        ("verbose", c_int),
        ("log", LOG_FN),
        ("log_user", c_void_p),
        ("no_tile_vectorize", ctypes.c_bool),
        ("disable_passes", c_char_p),
        ("dump_ir_after", c_char_p),
        ("fp_contract", c_int),  # wasmgraph_fp_contract: 0 off, 1 fast
    ]


class LibraryError(ImportError):
    """A shared library of the package is missing or cannot be loaded."""


def _load(name, mode):
    path = os.path.join(_LIB_DIR, name)
    if not os.path.isfile(path):
        raise LibraryError(
            f"wasmgraph: {path} is missing: build wasmgraph (cmake --build) and use the package "
            "staged in <build>/python, or install it with `cmake --install` (docs/python.md)")
    try:
        return ctypes.CDLL(path, mode=mode)
    except OSError as e:
        hint = ""
        if "__asan_" in str(e) or "__ubsan_" in str(e):
            hint = (" (a sanitizer build: run python with LD_PRELOAD=$(clang "
                    "-print-file-name=libclang_rt.asan-x86_64.so), see docs/python.md)")
        raise LibraryError(f"wasmgraph: cannot load {path}: {e}{hint}") from None


def _declare(lib, name, restype, *argtypes):
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = list(argtypes)
    return fn


def _declare_runtime(lib):
    P = c_void_p
    d = _declare
    d(lib, "wasmgraph_version", c_char_p)
    d(lib, "wasmgraph_memory_mode", c_char_p)
    d(lib, "wasmgraph_status_string", c_char_p, c_int)
    d(lib, "wasmgraph_trap_string", c_char_p, c_int)
    d(lib, "wasmgraph_model_load_library", c_int, c_char_p, c_char_p, c_char_p,
      ctypes.POINTER(P), c_char_p, c_size_t)
    d(lib, "wasmgraph_model_destroy", None, P)
    d(lib, "wasmgraph_model_num_inputs", c_int, P)
    d(lib, "wasmgraph_model_num_outputs", c_int, P)
    d(lib, "wasmgraph_model_input_info", c_int, P, c_int, ctypes.POINTER(TensorInfoC))
    d(lib, "wasmgraph_model_output_info", c_int, P, c_int, ctypes.POINTER(TensorInfoC))
    d(lib, "wasmgraph_model_name", c_char_p, P)
    d(lib, "wasmgraph_model_graph_json", c_void_p, P, ctypes.POINTER(c_size_t))
    d(lib, "wasmgraph_executor_create", c_int, P, ctypes.POINTER(Options), ctypes.POINTER(P),
      c_char_p, c_size_t)
    d(lib, "wasmgraph_executor_destroy", None, P)
    d(lib, "wasmgraph_executor_last_error", c_char_p, P)
    d(lib, "wasmgraph_executor_last_trap", c_int, P)
    d(lib, "wasmgraph_executor_num_threads", c_int, P)
    d(lib, "wasmgraph_executor_set_input_tensor", c_int, P, c_int, Dtype, c_int, c_int64_p,
      c_void_p)
    d(lib, "wasmgraph_executor_run", c_int, P)
    d(lib, "wasmgraph_executor_get_output", c_int, P, c_int, c_void_p, c_size_t)
    d(lib, "wasmgraph_executor_input_buffer", c_int, P, c_int, ctypes.POINTER(c_void_p),
      ctypes.POINTER(c_size_t))
    d(lib, "wasmgraph_executor_output_buffer", c_int, P, c_int, ctypes.POINTER(c_void_p),
      ctypes.POINTER(c_size_t))
    return lib


def _declare_compiler(lib):
    d = _declare
    d(lib, "wasmgraph_compile_options_init", None, c_void_p)
    d(lib, "wasmgraph_compile", c_int, c_void_p, c_char_p, c_size_t)
    d(lib, "wasmgraph_name_is_valid", ctypes.c_bool, c_char_p)
    d(lib, "wasmgraph_output_kind_from_path", c_int, c_char_p)
    return lib


runtime = _declare_runtime(_load("libwasmgraph.so", os.RTLD_NOW | os.RTLD_GLOBAL))

_compiler = None
_compiler_lock = threading.Lock()


def compiler():
    """libwasmgraph_compiler.so, loaded on first use."""
    global _compiler
    with _compiler_lock:
        if _compiler is None:
            _compiler = _declare_compiler(_load("libwasmgraph_compiler.so",
                                                os.RTLD_NOW | os.RTLD_LOCAL))
            _use_bundled_wasm2c()
        return _compiler


def _use_bundled_wasm2c():
    """Point the compiler at the wasm2c script installed inside the package.

    The compiler looks for an installed wasm2c next to the running executable,
    which for Python is /usr/bin/python3, so an installed package names its own
    copy through the compiler's documented override, $WASMGRAPH_WASM2C, unless
    the user already chose one. The build tree's package has no copy: there the
    compiler uses the source tree's, as the CLI does.
    """
    bundled = os.path.join(_LIB_DIR, "wasm2c.js")
    if os.path.isfile(bundled) and not os.environ.get("WASMGRAPH_WASM2C"):
        os.environ["WASMGRAPH_WASM2C"] = bundled


def new_compile_options():
    """A zeroed buffer initialised by wasmgraph_compile_options_init.

    The buffer is larger than any plausible struct, so a library whose struct
    grew at the end initialises it without writing past it; struct_size then
    says how much of it the library reads. Returns (buffer, view).
    """
    lib = compiler()
    buf = ctypes.create_string_buffer(4096)
    lib.wasmgraph_compile_options_init(buf)
    view = CompileOptions.from_buffer(buf)
    if view.struct_size < ctypes.sizeof(CompileOptions) or view.struct_size > len(buf):
        raise LibraryError(
            f"wasmgraph: libwasmgraph_compiler.so has wasmgraph_compile_options of {view.struct_size} "
            f"bytes, this package expects at least {ctypes.sizeof(CompileOptions)}: the library and "
            "the Python files come from different wasmgraph builds")
    return buf, view
