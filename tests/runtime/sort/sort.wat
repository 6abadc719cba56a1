;; sort.wat — a TVM-shaped graph library whose kernels call the host's
;; tvm.contrib.sort functions the way TVM's CPU argsort/topk kernels do:
;; TVMBackendGetFuncFromEnv(module ctx, name, &handle), then TVMFuncCall with
;; TVMValue arguments on the shadow stack (DLTensor handles, int64 ints and a
;; C string), as docs/tvm-wasm-abi.md §3.2 describes.
;;   argsort: x float32[6] -> y int32[6], axis 0, descending
;;   topk:    x float32[6] -> values float32[3], indices int32[3], k 3, axis 0,
;;            ret_type "both", ascending
(module
  (type $packed (func (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "env" "memory" (memory 2))
  (import "env" "TVMBackendRegisterSystemLibSymbol" (func $register (param i32 i32) (result i32)))
  (import "env" "TVMBackendGetFuncFromEnv" (func $get_func (param i32 i32 i32) (result i32)))
  (import "env" "TVMFuncCall" (func $call (param i32 i32 i32 i32 i32 i32) (result i32)))

  (global $__stack_pointer (mut i32) (i32.const 65536))
  (global $__data_end i32 (i32.const 66048))
  (global $__heap_base i32 (i32.const 66048))
  (export "__data_end" (global $__data_end))
  (export "__heap_base" (global $__heap_base))
  (table $__indirect_function_table 3 3 funcref)
  (export "__indirect_function_table" (table $__indirect_function_table))
  (elem (i32.const 1) func $sort_argsort $sort_topk)

  (data (i32.const 65536) "sort_argsort\00")
  (data (i32.const 65600) "sort_topk\00")
  (data (i32.const 65664) "__tvm_module_ctx\00")
  ;; 65728: module ctx slot
  (data (i32.const 65792) "tvm.contrib.sort.argsort\00")
  (data (i32.const 65856) "tvm.contrib.sort.topk\00")
  (data (i32.const 65920) "both\00")

  (func $__wasm_call_ctors (export "__wasm_call_ctors")
    (drop (call $register (i32.const 65664) (i32.const 65728)))
    (drop (call $register (i32.const 65536) (i32.const 1)))
    (drop (call $register (i32.const 65600) (i32.const 2))))

  ;; Looks up `name`; returns the handle or 0.
  (func $lookup (param $name i32) (result i32)
    (local $sp i32)
    (local.set $sp (i32.sub (global.get $__stack_pointer) (i32.const 16)))
    (global.set $__stack_pointer (local.get $sp))
    (if (call $get_func (i32.load (i32.const 65728)) (local.get $name) (local.get $sp))
      (then (global.set $__stack_pointer (i32.add (local.get $sp) (i32.const 16)))
            (return (i32.const 0))))
    (global.set $__stack_pointer (i32.add (local.get $sp) (i32.const 16)))
    (i32.load (local.get $sp)))

  ;; argsort(x, y, axis=0, is_ascend=0)
  (func $sort_argsort (type $packed)
    (local $sp i32) (local $h i32) (local $rc i32)
    (local.set $h (call $lookup (i32.const 65792)))
    (if (i32.eqz (local.get $h)) (then (return (i32.const -1))))
    ;; frame: 4 TVMValues (32 B) at sp, 4 type codes (16 B) at sp+32, ret at sp+48
    (local.set $sp (i32.sub (global.get $__stack_pointer) (i32.const 64)))
    (global.set $__stack_pointer (local.get $sp))
    (i64.store (local.get $sp) (i64.extend_i32_u (i32.load (local.get 0))))
    (i64.store offset=8 (local.get $sp) (i64.extend_i32_u (i32.load offset=8 (local.get 0))))
    (i64.store offset=16 (local.get $sp) (i64.const 0))
    (i64.store offset=24 (local.get $sp) (i64.const 0))
    (i32.store offset=32 (local.get $sp) (i32.const 7))
    (i32.store offset=36 (local.get $sp) (i32.const 7))
    (i32.store offset=40 (local.get $sp) (i32.const 0))
    (i32.store offset=44 (local.get $sp) (i32.const 0))
    (local.set $rc (call $call (local.get $h) (local.get $sp) (i32.add (local.get $sp) (i32.const 32))
                              (i32.const 4) (i32.add (local.get $sp) (i32.const 48))
                              (i32.add (local.get $sp) (i32.const 56))))
    (global.set $__stack_pointer (i32.add (local.get $sp) (i32.const 64)))
    (local.get $rc))

  ;; topk(x, values, indices, k=3, axis=0, "both", is_ascend=1)
  (func $sort_topk (type $packed)
    (local $sp i32) (local $h i32) (local $rc i32)
    (local.set $h (call $lookup (i32.const 65856)))
    (if (i32.eqz (local.get $h)) (then (return (i32.const -1))))
    ;; frame: 7 TVMValues (56 B) at sp, 7 type codes (28 B) at sp+56, ret at sp+88
    (local.set $sp (i32.sub (global.get $__stack_pointer) (i32.const 112)))
    (global.set $__stack_pointer (local.get $sp))
    (i64.store (local.get $sp) (i64.extend_i32_u (i32.load (local.get 0))))
    (i64.store offset=8 (local.get $sp) (i64.extend_i32_u (i32.load offset=8 (local.get 0))))
    (i64.store offset=16 (local.get $sp) (i64.extend_i32_u (i32.load offset=16 (local.get 0))))
    (i64.store offset=24 (local.get $sp) (i64.const 3))
    (i64.store offset=32 (local.get $sp) (i64.const 0))
    (i64.store offset=40 (local.get $sp) (i64.const 65920))
    (i64.store offset=48 (local.get $sp) (i64.const 1))
    (i32.store offset=56 (local.get $sp) (i32.const 7))
    (i32.store offset=60 (local.get $sp) (i32.const 7))
    (i32.store offset=64 (local.get $sp) (i32.const 7))
    (i32.store offset=68 (local.get $sp) (i32.const 0))
    (i32.store offset=72 (local.get $sp) (i32.const 0))
    (i32.store offset=76 (local.get $sp) (i32.const 11))
    (i32.store offset=80 (local.get $sp) (i32.const 0))
    (local.set $rc (call $call (local.get $h) (local.get $sp) (i32.add (local.get $sp) (i32.const 56))
                              (i32.const 7) (i32.add (local.get $sp) (i32.const 88))
                              (i32.add (local.get $sp) (i32.const 96))))
    (global.set $__stack_pointer (i32.add (local.get $sp) (i32.const 112)))
    (local.get $rc))
)
