;; multivalue.wat — what C cannot make clang emit reliably, by hand, in the
;; shape of a linked TVM graph library (like tests/sandbox/modules/good.wat):
;;   multivalue       $divmod returns two values; a block takes two params
;;   extended-const   a global initialised with i32.add of two constants
;;   mutable-globals  an exported mutable global the kernel counts calls in
;; The kernel tvmgen_default_fused_features writes into its output y:
;;   y[0], y[1] = divmod(x[0] - 23, 7)  (x is zeros: -3, -2, truncating)
;;   y[2] = 9 - 4 through a block with params       (5)
;;   y[3] = the extended-const global              (1024)
;;   y[4] = the call count after this call          (1)
;; features.sh assembles it with wabt 1.0.39 (--enable-extended-const).
(module
  (type $packed (func (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "env" "memory" (memory 2))
  (import "env" "TVMBackendRegisterSystemLibSymbol" (func $register (param i32 i32) (result i32)))

  (global $__stack_pointer (mut i32) (i32.const 65536))
  (global $__data_end i32 (i32.const 65600))
  (global $__heap_base i32 (i32.const 65600))
  (export "__data_end" (global $__data_end))
  (export "__heap_base" (global $__heap_base))
  (global $base i32 (i32.add (i32.const 1000) (i32.const 24)))
  (global $calls (export "calls") (mut i32) (i32.const 0))

  (table $__indirect_function_table 2 2 funcref)
  (export "__indirect_function_table" (table $__indirect_function_table))
  (elem (i32.const 1) func $features)

  (data (i32.const 65536) "tvmgen_default_fused_features\00")

  (func $__wasm_call_ctors (export "__wasm_call_ctors")
    (drop (call $register (i32.const 65536) (i32.const 1))))

  (func $divmod (param i32 i32) (result i32 i32)
    (i32.div_s (local.get 0) (local.get 1))
    (i32.rem_s (local.get 0) (local.get 1)))

  ;; args[0] -> DLTensor x, args[1] -> DLTensor y (TVMValue slots are 8 bytes;
  ;; DLTensor.data at offset 0)
  (func $features (type $packed)
    (local $x i32) (local $y i32) (local $q i32) (local $r i32)
    (local.set $x (i32.load (i32.load (local.get 0))))
    (local.set $y (i32.load (i32.load offset=8 (local.get 0))))
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (call $divmod (i32.sub (i32.load8_s (local.get $x)) (i32.const 23)) (i32.const 7))
    (local.set $r)
    (local.set $q)
    (i32.store (local.get $y) (local.get $q))
    (i32.store offset=4 (local.get $y) (local.get $r))
    (i32.store offset=8 (local.get $y)
      (i32.const 9) (i32.const 4)
      (block (param i32 i32) (result i32) (i32.sub)))
    (i32.store offset=12 (local.get $y) (global.get $base))
    (i32.store offset=16 (local.get $y) (global.get $calls))
    (i32.const 0))
)
