;; load_narrowing.wast — an access that straddles the end of memory traps
;; even when only some of the loaded bytes are used. In guard-page mode at
;; -O2/-O3, compiler/llvm/load_barriers.c removed the keep-alive barrier of a load
;; whose value reached a return through a trunc, a constant mask or an
;; extracted lane; LLVM then shrank the load to the bytes used, which were in
;; bounds, and the trap vanished. Each case sits at the first address where
;; the full access straddles the end of the one-page memory (and one below,
;; in bounds). Same format as the spec testsuite; run by run_wast.py.
(module
  (memory 1)
  (func (export "wrap64") (param $a i32) (result i32)
    (i32.wrap_i64 (i64.load (local.get $a))))
  (func (export "low_byte") (param $a i32) (result i32)
    (i32.and (i32.load (local.get $a)) (i32.const 255)))
  (func (export "low_half") (param $a i32) (result i64)
    (i64.and (i64.load (local.get $a)) (i64.const 0xffffffff)))
  (func (export "f64_low_word") (param $a i32) (result i32)
    (i32.wrap_i64 (i64.reinterpret_f64 (f64.load (local.get $a)))))
)
(assert_return (invoke "wrap64" (i32.const 65528)) (i32.const 0))
(assert_trap (invoke "wrap64" (i32.const 65529)) "out of bounds memory access")
(assert_return (invoke "low_byte" (i32.const 65532)) (i32.const 0))
(assert_trap (invoke "low_byte" (i32.const 65533)) "out of bounds memory access")
(assert_return (invoke "low_half" (i32.const 65528)) (i64.const 0))
(assert_trap (invoke "low_half" (i32.const 65529)) "out of bounds memory access")
(assert_return (invoke "f64_low_word" (i32.const 65528)) (i32.const 0))
(assert_trap (invoke "f64_low_word" (i32.const 65529)) "out of bounds memory access")

(module
  (memory 1)
  (func (export "lane0") (param $a i32) (result i32)
    (i32x4.extract_lane 0 (v128.load (local.get $a))))
  (func (export "splat_lane1") (param $a i32) (result i32)
    (i32x4.extract_lane 3 (i32x4.splat (i32x4.extract_lane 1 (v128.load (local.get $a))))))
  (func (export "zero64_lane0") (param $a i32) (result i32)
    (i32x4.extract_lane 0 (v128.load64_zero (local.get $a))))
)
(assert_return (invoke "lane0" (i32.const 65520)) (i32.const 0))
(assert_trap (invoke "lane0" (i32.const 65521)) "out of bounds memory access")
(assert_return (invoke "splat_lane1" (i32.const 65520)) (i32.const 0))
(assert_trap (invoke "splat_lane1" (i32.const 65521)) "out of bounds memory access")
(assert_return (invoke "zero64_lane0" (i32.const 65528)) (i32.const 0))
(assert_trap (invoke "zero64_lane0" (i32.const 65529)) "out of bounds memory access")
