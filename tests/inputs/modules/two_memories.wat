;; two_memories.wat — a module with two memories (multi-memory): the runtime
;; serves exactly one.
(module
  (import "env" "TVMBackendRegisterSystemLibSymbol" (func $register (param i32 i32) (result i32)))
  (memory 2)
  (memory 1)
  (global $__stack_pointer (mut i32) (i32.const 65536))
  (table 1 funcref)
  (func $__wasm_call_ctors)
)
