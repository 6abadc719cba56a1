;; tvm_ffi.wat — the shape of a TVM 0.21+ graph-less object (tvm-ffi calling
;; convention): packed functions take TVMFFIAny arguments and call back into
;; the host through TVMFFIFunctionCall; the library registers itself with
;; TVMFFIEnvModRegisterSystemLibSymbol under __tvm_ffi_* names. wasmgraph
;; must name the TVM generation instead of failing on an unknown import.
(module
  (type $safe_call (func (param i32 i32 i32 i32) (result i32)))
  (import "env" "TVMFFIFunctionCall" (func $call (param i32 i32 i32 i32) (result i32)))
  (import "env" "TVMFFIEnvModRegisterSystemLibSymbol" (func $register (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 1024) "__tvm_ffi_add_one\00")
  (func $__tvm_ffi_add_one (export "__tvm_ffi_add_one") (type $safe_call)
    (call $call (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func $register_all (export "register_all")
    (drop (call $register (i32.const 1024) (i32.const 0))))
)
