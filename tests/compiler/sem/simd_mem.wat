;; simd_mem.wat — what memory_rewrite.c must preserve, on a module whose
;; memory is the import env.memory (as every model's): the out-of-bounds
;; behaviour of the SIMD accesses `splat` moves to the _default32 helpers,
;; memory growth seen through the per-function copy of the memory struct
;; (`copyr`) after a host call and after memory.grow, and SIMD lane values
;; the SIMDe fixes (wg_simd_fixups.h) correct. Driven by simd_mem_harness.c.
(module
  (import "env" "memory" (memory 1 3))
  (import "env" "grow" (func $grow (param i32) (result i32)))
  (func (export "fmax") (param f32 f32) (result i32)
    (i32.reinterpret_f32 (f32x4.extract_lane 0 (f32x4.max (f32x4.splat (local.get 0)) (f32x4.splat (local.get 1))))))
  (func (export "fmin") (param f32 f32) (result i32)
    (i32.reinterpret_f32 (f32x4.extract_lane 0 (f32x4.min (f32x4.splat (local.get 0)) (f32x4.splat (local.get 1))))))
  (func (export "load") (param i32) (result i32) (i32x4.extract_lane 3 (v128.load (local.get 0))))
  (func (export "splat") (param i32) (result i32) (i32x4.extract_lane 2 (v128.load32_splat (local.get 0))))
  (func (export "splatoff") (param i32) (result i32)
    (i32x4.extract_lane 1 (v128.load32_splat offset=65532 (local.get 0))))
  (func (export "zero64") (param i32) (result i32) (i32x4.extract_lane 0 (v128.load64_zero (local.get 0))))
  (func (export "lane32") (param i32) (result i32)
    (i32x4.extract_lane 1 (v128.load32_lane 1 (local.get 0) (v128.const i32x4 0 0 0 0))))
  (func (export "ext16") (param i32) (result i32) (i32x4.extract_lane 3 (v128.load16x4_s (local.get 0))))
  (func (export "store") (param i32) (v128.store (local.get 0) (v128.const i32x4 1 2 3 4)))
  (func (export "store64lane") (param i32) (v128.store64_lane 0 (local.get 0) (v128.const i32x4 1 2 3 4)))
  (func (export "peek") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "poke") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  ;; the host grows the memory by one page, then this function reads the new
  ;; page (the copy of the memory struct must have been refreshed)
  (func (export "grow_call") (param i32) (result i32)
    (drop (call $grow (i32.const 1)))
    (i32.add (i32.load (local.get 0)) (i32x4.extract_lane 0 (v128.load32_splat (local.get 0)))))
  ;; the same through memory.grow; returns the old size in pages * 1000 + the load
  (func (export "grow_inline") (param i32) (result i32)
    (local $old i32)
    (local.set $old (memory.grow (i32.const 1)))
    (i32.add (i32.mul (local.get $old) (i32.const 1000)) (i32.load (local.get 0))))
  (func (export "size") (result i32) (memory.size))
  ;; Only part of the loaded value is used: the optimizer or code generator
  ;; may narrow such a load to the bytes that matter, so its keep-alive
  ;; barrier must stay or an access straddling the end would not trap.
  (func (export "load_lane0") (param i32) (result i32) (i32x4.extract_lane 0 (v128.load (local.get 0))))
  (func (export "wrap64") (param i32) (result i32) (i32.wrap_i64 (i64.load (local.get 0))))
  (func (export "low_byte") (param i32) (result i32) (i32.and (i32.load (local.get 0)) (i32.const 255)))
  (func (export "high_half") (param i32) (result i32) (i32.wrap_i64 (i64.shr_u (i64.load (local.get 0)) (i64.const 32))))
  ;; address_fold.c: loads at x + k may use a 64-bit zext(x) + k only next to
  ;; an anchor load at x (or x + k0) with no effect in between. At x = -16,
  ;; x + 32 wraps to 16 (in bounds) while x itself is past the end.
  (func (export "wrap_no_anchor") (param $x i32) (result i32)
    (i32.load (i32.add (local.get $x) (i32.const 32))))
  (func (export "wrap_anchored") (param $x i32) (result i32)
    (i32.add (i32.load (i32.add (local.get $x) (i32.const 32))) (i32.load (local.get $x))))
  (func (export "wrap_anchor_k0") (param $x i32) (result i32)
    (i32.add (i32.load (i32.add (local.get $x) (i32.const 16)))
             (i32.load (i32.add (local.get $x) (i32.const 48)))))
  (func (export "wrap_store_between") (param $x i32) (result i32)
    (local $v i32)
    (local.set $v (i32.load (i32.add (local.get $x) (i32.const 32))))
    (i32.store (i32.const 0) (i32.const 7))
    (i32.add (local.get $v) (i32.load (local.get $x))))
  ;; splat_window.c: TVM's conv loop shape after v128_pair.c, four f32x4
  ;; accumulators fed by splats of x + 16, 32, 48, 64 times one weight
  ;; vector (at 1024 + 16 i), x advancing by 4. The pairs (16, 32) and
  ;; (48, 64) are read through 32-byte windows at x + 16 and x + 36, which
  ;; must stay inside [x + 16, x + 68) and wrap like the loads they replace.
  ;; Returns lane k of accumulator k, summed, as an integer.
  (func (export "window4") (param $x i32) (param $n i32) (result i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $v v128)
    (local $w i32)
    (local.set $w (i32.const 1024))
    (loop $l
      (local.set $v (v128.load (local.get $w)))
      (local.set $a0 (f32x4.add (local.get $a0)
        (f32x4.mul (v128.load32_splat (i32.add (local.get $x) (i32.const 16))) (local.get $v))))
      (local.set $a1 (f32x4.add (local.get $a1)
        (f32x4.mul (v128.load32_splat (i32.add (local.get $x) (i32.const 32))) (local.get $v))))
      (local.set $a2 (f32x4.add (local.get $a2)
        (f32x4.mul (v128.load32_splat (i32.add (local.get $x) (i32.const 48))) (local.get $v))))
      (local.set $a3 (f32x4.add (local.get $a3)
        (f32x4.mul (v128.load32_splat (i32.add (local.get $x) (i32.const 64))) (local.get $v))))
      (local.set $x (i32.add (local.get $x) (i32.const 4)))
      (local.set $w (i32.add (local.get $w) (i32.const 16)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (i32.trunc_f32_u
      (f32.add (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a1)))
               (f32.add (f32x4.extract_lane 2 (local.get $a2)) (f32x4.extract_lane 3 (local.get $a3))))))
  ;; The same with inputs 32 bytes apart (a stride-2 conv): the pair (0, 32)
  ;; cannot share one 32-byte window, so it reads two 16-byte windows at
  ;; x and x + 32, inside [x, x + 48) thanks to the third input at x + 44.
  (func (export "window_split") (param $x i32) (param $n i32) (result i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $v v128)
    (loop $l
      (local.set $v (v128.load (i32.const 1024)))
      (local.set $a0 (f32x4.add (local.get $a0)
        (f32x4.mul (v128.load32_splat (local.get $x)) (local.get $v))))
      (local.set $a1 (f32x4.add (local.get $a1)
        (f32x4.mul (v128.load32_splat (i32.add (local.get $x) (i32.const 32))) (local.get $v))))
      (local.set $a2 (f32x4.add (local.get $a2)
        (f32x4.mul (v128.load32_splat (i32.add (local.get $x) (i32.const 44))) (local.get $v))))
      (local.set $x (i32.add (local.get $x) (i32.const 4)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (i32.trunc_f32_u
      (f32.add (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a1)))
               (f32x4.extract_lane 2 (local.get $a2)))))
  (func (export "splat_lane") (param i32) (result i32)
    (i32x4.extract_lane 0 (i32x4.splat (i32x4.extract_lane 1 (v128.load (local.get 0))))))
)
