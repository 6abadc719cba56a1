/*
 * host_import_list.h — the one list of function imports ("env" module) that
 * the runtime serves to translated kernels, with their exact wasm types.
 *
 * The compiler includes it to reject a module that imports anything else
 * before translation; the runtime includes it to check at build time that it
 * defines every one. Add a row here and its implementation in host_*.c.
 *
 * WASMGRAPH_IMPORT(name, params, results): params/results are wasm value
 * types spelled one letter each: i = i32, I = i64, f = f32, F = f64.
 */
/* TVM backend API (docs/tvm-wasm-abi.md §3). */
WASMGRAPH_IMPORT(TVMBackendRegisterSystemLibSymbol, "ii", "i")
WASMGRAPH_IMPORT(TVMAPISetLastError, "i", "")
WASMGRAPH_IMPORT(TVMBackendAllocWorkspace, "iiIii", "i")
WASMGRAPH_IMPORT(TVMBackendFreeWorkspace, "iii", "i")
WASMGRAPH_IMPORT(TVMBackendParallelLaunch, "iii", "i")
WASMGRAPH_IMPORT(TVMBackendParallelBarrier, "ii", "i")
WASMGRAPH_IMPORT(TVMBackendGetFuncFromEnv, "iii", "i")
WASMGRAPH_IMPORT(TVMFuncCall, "iiiiii", "i")
/* memory libcalls (no bulk-memory feature), bounds-checked by the host */
WASMGRAPH_IMPORT(memcpy, "iii", "i")
WASMGRAPH_IMPORT(memmove, "iii", "i")
WASMGRAPH_IMPORT(memset, "iii", "i")
/* float32 math libcalls */
WASMGRAPH_IMPORT(expf, "f", "f")
WASMGRAPH_IMPORT(exp2f, "f", "f")
WASMGRAPH_IMPORT(expm1f, "f", "f")
WASMGRAPH_IMPORT(logf, "f", "f")
WASMGRAPH_IMPORT(log2f, "f", "f")
WASMGRAPH_IMPORT(log10f, "f", "f")
WASMGRAPH_IMPORT(log1pf, "f", "f")
WASMGRAPH_IMPORT(powf, "ff", "f")
WASMGRAPH_IMPORT(sinf, "f", "f")
WASMGRAPH_IMPORT(cosf, "f", "f")
WASMGRAPH_IMPORT(tanf, "f", "f")
WASMGRAPH_IMPORT(tanhf, "f", "f")
WASMGRAPH_IMPORT(sinhf, "f", "f")
WASMGRAPH_IMPORT(coshf, "f", "f")
WASMGRAPH_IMPORT(asinf, "f", "f")
WASMGRAPH_IMPORT(acosf, "f", "f")
WASMGRAPH_IMPORT(atanf, "f", "f")
WASMGRAPH_IMPORT(asinhf, "f", "f")
WASMGRAPH_IMPORT(acoshf, "f", "f")
WASMGRAPH_IMPORT(atanhf, "f", "f")
WASMGRAPH_IMPORT(atan2f, "ff", "f")
WASMGRAPH_IMPORT(erff, "f", "f")
WASMGRAPH_IMPORT(roundf, "f", "f")
WASMGRAPH_IMPORT(fmodf, "ff", "f")
WASMGRAPH_IMPORT(hypotf, "ff", "f")
WASMGRAPH_IMPORT(ldexpf, "fi", "f")
WASMGRAPH_IMPORT(nextafterf, "ff", "f")
/* float64 math libcalls */
WASMGRAPH_IMPORT(exp, "F", "F")
WASMGRAPH_IMPORT(exp2, "F", "F")
WASMGRAPH_IMPORT(log, "F", "F")
WASMGRAPH_IMPORT(log2, "F", "F")
WASMGRAPH_IMPORT(log10, "F", "F")
WASMGRAPH_IMPORT(pow, "FF", "F")
WASMGRAPH_IMPORT(sin, "F", "F")
WASMGRAPH_IMPORT(cos, "F", "F")
WASMGRAPH_IMPORT(tanh, "F", "F")
WASMGRAPH_IMPORT(erf, "F", "F")
WASMGRAPH_IMPORT(round, "F", "F")
WASMGRAPH_IMPORT(fmod, "FF", "F")
