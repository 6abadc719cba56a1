;; shared_memory.wat — a module linked with --shared-memory: its memory is a
;; shared one, which the runtime does not serve (wasm_adapt.c refuses it and
;; says to link without --shared-memory).
(module
  (import "env" "TVMBackendRegisterSystemLibSymbol" (func $register (param i32 i32) (result i32)))
  (memory 2 16 shared)
  (global $__stack_pointer (mut i32) (i32.const 65536))
  (table 1 funcref)
  (func $__wasm_call_ctors)
)
