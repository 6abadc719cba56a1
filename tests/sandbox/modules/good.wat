;; good.wat — a well-behaved TVM-shaped graph library: the control model of
;; the sandbox tests. One kernel, good_affine, computes y = 2*x + 1 over
;; float32[4] through TVMBackendParallelLaunch with TVM's static range split
;; (task t of n handles [ceil(4/n)*t, min(4, ceil(4/n)*(t+1)))), so with more
;; than one thread its work really runs on the pool. Linked-module shape as in
;; hostile.wat: env.memory imported, table and layout globals exported, a
;; constructor that registers the kernel and __tvm_module_ctx.
(module
  (type $packed (func (param i32 i32 i32 i32 i32 i32) (result i32)))
  (type $lambda (func (param i32 i32 i32) (result i32)))

  (import "env" "memory" (memory 2))
  (import "env" "TVMBackendRegisterSystemLibSymbol" (func $register (param i32 i32) (result i32)))
  (import "env" "TVMBackendParallelLaunch" (func $launch (param i32 i32 i32) (result i32)))

  (global $__stack_pointer (mut i32) (i32.const 65536))
  (global $__data_end i32 (i32.const 65792))
  (global $__heap_base i32 (i32.const 65792))
  (export "__data_end" (global $__data_end))
  (export "__heap_base" (global $__heap_base))

  (table $__indirect_function_table 3 3 funcref)
  (export "__indirect_function_table" (table $__indirect_function_table))
  (elem (i32.const 1) func $good_affine $good_affine_lambda)

  (data (i32.const 65536) "good_affine\00")
  (data (i32.const 65600) "__tvm_module_ctx\00")
  ;; 65664: module ctx slot

  (func $__wasm_call_ctors (export "__wasm_call_ctors")
    (drop (call $register (i32.const 65600) (i32.const 65664)))
    (drop (call $register (i32.const 65536) (i32.const 1))))

  ;; cdata = the kernel's args: args[0] -> x, args[1] -> y (DLTensor.data at 0)
  (func $good_affine_lambda (type $lambda)
    (local $n i32) (local $chunk i32) (local $i i32) (local $end i32) (local $x i32) (local $y i32)
    (local.set $n (i32.load offset=4 (local.get 1)))
    (local.set $chunk (i32.div_u (i32.add (i32.const 4) (i32.sub (local.get $n) (i32.const 1)))
                                 (local.get $n)))
    (local.set $i (i32.mul (local.get 0) (local.get $chunk)))
    (local.set $end (i32.add (local.get $i) (local.get $chunk)))
    (if (i32.gt_u (local.get $end) (i32.const 4)) (then (local.set $end (i32.const 4))))
    (local.set $x (i32.load (i32.load (local.get 2))))
    (local.set $y (i32.load (i32.load offset=8 (local.get 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (f32.store (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 2)))
          (f32.add (f32.mul (f32.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))
                            (f32.const 2))
                   (f32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.const 0))

  (func $good_affine (type $packed)
    (call $launch (i32.const 2) (local.get 0) (i32.const 0)))
)
