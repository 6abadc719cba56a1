;; load_sinking.wast — wasm executes every load, so an out-of-bounds load
;; traps even when its value ends up unused. Found by the differential
;; fuzzer (difffuzz/corpus/seed1013.wasm, export func_6): in guard-page mode
;; at -O2/-O3, compiler/llvm/load_barriers.c removed the keep-alive barrier of a
;; load whose value fed a select or a branch, and LLVM then sank the load into
;; the arm that uses it, so the trap vanished when the other arm was taken.
;; Same format as the spec testsuite; run by run_wast.py like any .wast.
(module
  (memory 1)
  (func (export "select_unused_arm") (param $c i32) (result i32)
    (select (i32.load (i32.const 70000)) (i32.const 7) (local.get $c)))
  (func (export "if_unused_value") (param $c i32) (result i32)
    (local $v i32)
    (local.set $v (i32.load (i32.const 70000)))
    (if (result i32) (local.get $c) (then (local.get $v)) (else (i32.const 7))))
  (func (export "select_f64_unused_arm") (param $c i32) (result f64)
    (select (f64.load offset=65535 (i32.const 100)) (f64.const 1) (local.get $c)))
  (func (export "br_if_skips_use") (param $c i32) (result i64)
    (local $v i64)
    (local.set $v (i64.load8_u (i32.const -1)))
    (block (result i64)
      (br_if 0 (i64.const 7) (i32.eqz (local.get $c)))
      (drop)
      (local.get $v)))
  (func (export "in_bounds_unused") (param $c i32) (result i32)
    (select (i32.load (i32.const 65532)) (i32.const 7) (local.get $c)))
)
(assert_trap (invoke "select_unused_arm" (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "select_unused_arm" (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "if_unused_value" (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "if_unused_value" (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "select_f64_unused_arm" (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "select_f64_unused_arm" (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "br_if_skips_use" (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "br_if_skips_use" (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "in_bounds_unused" (i32.const 0)) (i32.const 7))
(assert_return (invoke "in_bounds_unused" (i32.const 1)) (i32.const 0))
