;; div-sunk-load.wat — regression for a divergence difffuzz found (corpus
;; seed1013.wasm, export func_6): an out-of-bounds load whose value is used
;; only on one side of a select/branch must still trap when the other side
;; is taken. wasm executes every load; C may sink a load to where its value
;; is used, and compiler/llvm/load_barriers.c had removed the barrier that pins it.
(module
  (memory 1)
  (func (export "select_unused_arm") (param $c i32) (result i32)
    (select (i32.load (i32.const 70000)) (i32.const 0) (local.get $c)))
  (func (export "if_unused_value") (param $c i32) (result i32)
    (local $v i32)
    (local.set $v (i32.load (i32.const 70000)))
    (if (result i32) (local.get $c) (then (local.get $v)) (else (i32.const 0))))
  (func (export "select_f64_unused_arm") (param $c i32) (result f64)
    (select (f64.load offset=65535 (i32.const 100)) (f64.const 1) (local.get $c)))
)
