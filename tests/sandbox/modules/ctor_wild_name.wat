;; ctor_wild_name.wat — a graph library whose constructor hands
;; TVMBackendRegisterSystemLibSymbol a name pointer outside linear memory
;; (0xfffffff0): the host must trap the guest instead of reading it.
(module
  (type $packed (func (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "env" "memory" (memory 2))
  (import "env" "TVMBackendRegisterSystemLibSymbol" (func $register (param i32 i32) (result i32)))
  (global $__stack_pointer (mut i32) (i32.const 65536))
  (global $__data_end i32 (i32.const 65600))
  (global $__heap_base i32 (i32.const 65600))
  (export "__data_end" (global $__data_end))
  (export "__heap_base" (global $__heap_base))
  (table $__indirect_function_table 2 2 funcref)
  (export "__indirect_function_table" (table $__indirect_function_table))
  (elem (i32.const 1) func $sandbox_good)
  (func $__wasm_call_ctors (export "__wasm_call_ctors")
    (drop (call $register (i32.const 0xfffffff0) (i32.const 1))))
  (func $sandbox_good (type $packed) (i32.const 0))
)
