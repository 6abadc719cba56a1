;; probe.wat — a TVM-shaped graph library whose one kernel fails on demand,
;; for the Python API's error tests (tests/python/test_errors.py). The kernel
;; `probe` maps int32[4] x to int32[4] y, element by element:
;;   x < 0    y = load32(x)          an address near 4 GiB: out-of-bounds trap
;;   x == 7   unreachable            unreachable trap
;;   x == 13  TVMAPISetLastError("probe: 13 is unlucky"), return -1: kernel error
;;   x >= 1000000  y = xorshift32 iterated x times from 1: a busy kernel that runs long
;;            enough to observe other Python threads running (GIL released)
;;   else     y = 1000 / x           x == 0: divide-by-zero trap
;; Linked-module shape as in tests/sandbox/modules/good.wat: env.memory
;; imported, table and layout globals exported, a constructor that registers
;; the kernel and __tvm_module_ctx.
(module
  (type $packed (func (param i32 i32 i32 i32 i32 i32) (result i32)))

  (import "env" "memory" (memory 2))
  (import "env" "TVMBackendRegisterSystemLibSymbol" (func $register (param i32 i32) (result i32)))
  (import "env" "TVMAPISetLastError" (func $set_last_error (param i32)))

  (global $__stack_pointer (mut i32) (i32.const 65536))
  (global $__data_end i32 (i32.const 65792))
  (global $__heap_base i32 (i32.const 65792))
  (export "__data_end" (global $__data_end))
  (export "__heap_base" (global $__heap_base))

  (table $__indirect_function_table 2 2 funcref)
  (export "__indirect_function_table" (table $__indirect_function_table))
  (elem (i32.const 1) func $probe)

  (data (i32.const 65536) "probe\00")
  (data (i32.const 65600) "__tvm_module_ctx\00")
  ;; 65664: module ctx slot
  (data (i32.const 65700) "probe: 13 is unlucky\00")

  (func $__wasm_call_ctors (export "__wasm_call_ctors")
    (drop (call $register (i32.const 65600) (i32.const 65664)))
    (drop (call $register (i32.const 65536) (i32.const 1))))

  ;; args[0] -> x, args[1] -> y (TVMValue slots of 8 bytes; DLTensor.data at 0)
  (func $probe (type $packed)
    (local $x i32) (local $y i32) (local $i i32) (local $v i32) (local $r i32) (local $k i32)
    (local.set $x (i32.load (i32.load (local.get 0))))
    (local.set $y (i32.load (i32.load offset=8 (local.get 0))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (i32.const 4)))
        (local.set $v (i32.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))))
        (if (i32.lt_s (local.get $v) (i32.const 0))
          (then (local.set $r (i32.load (local.get $v))))
          (else
            (if (i32.ge_s (local.get $v) (i32.const 1000000))
              (then
                ;; xorshift32: no closed form for the optimizer to find
                (local.set $r (i32.const 1))
                (local.set $k (local.get $v))
                (loop $spin
                  (local.set $r (i32.xor (local.get $r) (i32.shl (local.get $r) (i32.const 13))))
                  (local.set $r (i32.xor (local.get $r) (i32.shr_u (local.get $r) (i32.const 17))))
                  (local.set $r (i32.xor (local.get $r) (i32.shl (local.get $r) (i32.const 5))))
                  (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                  (br_if $spin (local.get $k))))
              (else
                (if (i32.eq (local.get $v) (i32.const 7)) (then unreachable))
                (if (i32.eq (local.get $v) (i32.const 13))
                  (then (call $set_last_error (i32.const 65700)) (return (i32.const -1))))
                (local.set $r (i32.div_s (i32.const 1000) (local.get $v)))))))
        (i32.store (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 2))) (local.get $r))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.const 0))
)
