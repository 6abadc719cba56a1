;; no_stack_pointer.wat — no name section (assembled without --debug-names)
;; and a first global that cannot be wasm-ld's __stack_pointer (immutable):
;; the adapter cannot find the stack pointer and says to keep the "name"
;; section.
(module
  (import "env" "TVMBackendRegisterSystemLibSymbol" (func $register (param i32 i32) (result i32)))
  (memory 2)
  (global $not_sp i32 (i32.const 4096))
  (global $sp (mut i32) (i32.const 65536))
  (table 1 funcref)
  (func $__wasm_call_ctors (export "__wasm_call_ctors"))
)
