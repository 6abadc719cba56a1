;; import_table.wat — a module linked with --import-table: the runtime fills
;; the module's own table, so it says to link without --import-table.
(module
  (import "env" "TVMBackendRegisterSystemLibSymbol" (func $register (param i32 i32) (result i32)))
  (import "env" "__indirect_function_table" (table 1 funcref))
  (memory 2)
  (global $__stack_pointer (mut i32) (i32.const 65536))
  (func $__wasm_call_ctors)
)
