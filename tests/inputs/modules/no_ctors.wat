;; no_ctors.wat — no name section (assembled without --debug-names), no
;; __wasm_call_ctors export, and a first function that is not wasm-ld's
;; constructor caller (it computes): nothing would run TVM's system-lib
;; registration, so the adapter says to export __wasm_call_ctors.
(module
  (import "env" "TVMBackendRegisterSystemLibSymbol" (func $register (param i32 i32) (result i32)))
  (memory 2)
  (global $__stack_pointer (mut i32) (i32.const 65536))
  (table 1 funcref)
  (func $not_ctors (result i32) (i32.const 7))
)
