;; hostile.wat — a TVM-shaped graph library whose kernels attack the sandbox.
;;
;; It is an already linked module in the shape `wasmgraph compile` accepts
;; (what wasm-ld --import-memory --export-table --stack-first makes of TVM's
;; graph.o): it imports env.memory and the TVM backend API, exports
;; __indirect_function_table, __heap_base, __data_end and __wasm_call_ctors,
;; and has a mutable __stack_pointer global (named through --debug-names).
;; The constructor registers every kernel by table index with
;; TVMBackendRegisterSystemLibSymbol, plus __tvm_module_ctx, like
;; __tvm_module_startup does.
;;
;; Every kernel is a TVMBackendPackedCFunc (args, type_codes, num_args,
;; ret_value, ret_tcode, resource_handle) -> i32 over one input tensor x and
;; one output tensor y, both float32[4]. Each kernel misbehaves in exactly one
;; way, and only when x[0] == 0.0 (so `wasmgraph run --fill zeros` triggers
;; it); for any other input it computes the good result y = 2*x + 1 (via
;; $affine), which lets a test show that the SAME executor works again after a
;; trap. $affine also asserts what the runtime promises to restore after a
;; failed run: the shadow-stack pointer, the tensor descriptors and (through
;; the scale constant 2.0 read from static data) the module's data.
;;
;; Layout (stack first, as wasm-ld --stack-first):
;;   [0, 65536)        shadow stack; __stack_pointer starts at 65536
;;   65536 + 64*i      NUL-terminated name of table slot i (kernels 1..47
;;                     and 54, 56..58), 48 sandbox_ghost,
;;                     49 sandbox_lambda_as_kernel, 50 __tvm_module_ctx
;;   69632 + 128*k     message k (M0..M7, see the data segments)
;;   71680             scratch: scale f32, module ctx slot, spin word,
;;                     function handle, return slots, a DLTensor for sort
;;   73728             __data_end = __heap_base
;; Table: slot 0 null, 1..47 kernels, 48..53 parallel lambdas, 54 one more
;; kernel, 55 its lambda, 56..58 more kernels.
(module
  (type $packed (func (param i32 i32 i32 i32 i32 i32) (result i32)))
  (type $lambda (func (param i32 i32 i32) (result i32)))
  (type $unary (func (param i32) (result i32)))

  (import "env" "memory" (memory 2))
  (import "env" "TVMBackendRegisterSystemLibSymbol" (func $register (param i32 i32) (result i32)))
  (import "env" "TVMAPISetLastError" (func $set_error (param i32)))
  (import "env" "TVMBackendAllocWorkspace" (func $ws_alloc (param i32 i32 i64 i32 i32) (result i32)))
  (import "env" "TVMBackendFreeWorkspace" (func $ws_free (param i32 i32 i32) (result i32)))
  (import "env" "TVMBackendParallelLaunch" (func $launch (param i32 i32 i32) (result i32)))
  (import "env" "TVMBackendParallelBarrier" (func $barrier (param i32 i32) (result i32)))
  (import "env" "TVMBackendGetFuncFromEnv" (func $get_func (param i32 i32 i32) (result i32)))
  (import "env" "TVMFuncCall" (func $func_call (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "env" "memcpy" (func $memcpy (param i32 i32 i32) (result i32)))
  (import "env" "memmove" (func $memmove (param i32 i32 i32) (result i32)))
  (import "env" "memset" (func $memset (param i32 i32 i32) (result i32)))

  (global $__stack_pointer (mut i32) (i32.const 65536))
  (global $__data_end i32 (i32.const 73728))
  (global $__heap_base i32 (i32.const 73728))
  (export "__data_end" (global $__data_end))
  (export "__heap_base" (global $__heap_base))

  (table $__indirect_function_table 59 59 funcref)
  (export "__indirect_function_table" (table $__indirect_function_table))
  (elem (i32.const 1) func
    $sandbox_good $sandbox_oob_load_end $sandbox_oob_load_straddle $sandbox_oob_store_end
    $sandbox_oob_load_max $sandbox_oob_load_max_offset $sandbox_oob_load_dropped
    $sandbox_div_zero $sandbox_div_overflow $sandbox_rem_zero $sandbox_trunc_nan
    $sandbox_trunc_overflow $sandbox_unreachable $sandbox_call_null $sandbox_call_oob_index
    $sandbox_call_bad_sig $sandbox_recursion $sandbox_shadow_stack $sandbox_seterr_wild
    $sandbox_seterr_unterminated $sandbox_free_wild $sandbox_free_twice
    $sandbox_launch_bad_index $sandbox_launch_bad_sig $sandbox_memcpy_oob $sandbox_memcpy_huge
    $sandbox_memset_huge $sandbox_memmove_oob $sandbox_getfunc_bad_out $sandbox_getfunc_bad_name
    $sandbox_funccall_bad_handle $sandbox_sort_wild_args $sandbox_sort_wild_data
    $sandbox_barrier_bad_penv $sandbox_workspace_huge $sandbox_workspace_leak
    $sandbox_lambda_error $sandbox_lambda_trap $sandbox_lambda_oob $sandbox_lambda_recursion
    $sandbox_assert_fail $sandbox_return_code $sandbox_clobber_metadata $sandbox_clobber_data
    $sandbox_nested_launch $sandbox_grow_memory $sandbox_memset_all
    $lambda_error $lambda_trap $lambda_oob $lambda_recurse $lambda_outer $lambda_inner
    $sandbox_lambda_shadow_stack $lambda_stack
    $sandbox_oob_load_times_zero $sandbox_oob_load_dead_local $sandbox_oob_load_self_sub)

  ;; ---- names (slot i at 65536 + 64*i) ----
  (data (i32.const 65600) "sandbox_good\00")
  (data (i32.const 65664) "sandbox_oob_load_end\00")
  (data (i32.const 65728) "sandbox_oob_load_straddle\00")
  (data (i32.const 65792) "sandbox_oob_store_end\00")
  (data (i32.const 65856) "sandbox_oob_load_max\00")
  (data (i32.const 65920) "sandbox_oob_load_max_offset\00")
  (data (i32.const 65984) "sandbox_oob_load_dropped\00")
  (data (i32.const 66048) "sandbox_div_zero\00")
  (data (i32.const 66112) "sandbox_div_overflow\00")
  (data (i32.const 66176) "sandbox_rem_zero\00")
  (data (i32.const 66240) "sandbox_trunc_nan\00")
  (data (i32.const 66304) "sandbox_trunc_overflow\00")
  (data (i32.const 66368) "sandbox_unreachable\00")
  (data (i32.const 66432) "sandbox_call_null\00")
  (data (i32.const 66496) "sandbox_call_oob_index\00")
  (data (i32.const 66560) "sandbox_call_bad_sig\00")
  (data (i32.const 66624) "sandbox_recursion\00")
  (data (i32.const 66688) "sandbox_shadow_stack\00")
  (data (i32.const 66752) "sandbox_seterr_wild\00")
  (data (i32.const 66816) "sandbox_seterr_unterminated\00")
  (data (i32.const 66880) "sandbox_free_wild\00")
  (data (i32.const 66944) "sandbox_free_twice\00")
  (data (i32.const 67008) "sandbox_launch_bad_index\00")
  (data (i32.const 67072) "sandbox_launch_bad_sig\00")
  (data (i32.const 67136) "sandbox_memcpy_oob\00")
  (data (i32.const 67200) "sandbox_memcpy_huge\00")
  (data (i32.const 67264) "sandbox_memset_huge\00")
  (data (i32.const 67328) "sandbox_memmove_oob\00")
  (data (i32.const 67392) "sandbox_getfunc_bad_out\00")
  (data (i32.const 67456) "sandbox_getfunc_bad_name\00")
  (data (i32.const 67520) "sandbox_funccall_bad_handle\00")
  (data (i32.const 67584) "sandbox_sort_wild_args\00")
  (data (i32.const 67648) "sandbox_sort_wild_data\00")
  (data (i32.const 67712) "sandbox_barrier_bad_penv\00")
  (data (i32.const 67776) "sandbox_workspace_huge\00")
  (data (i32.const 67840) "sandbox_workspace_leak\00")
  (data (i32.const 67904) "sandbox_lambda_error\00")
  (data (i32.const 67968) "sandbox_lambda_trap\00")
  (data (i32.const 68032) "sandbox_lambda_oob\00")
  (data (i32.const 68096) "sandbox_lambda_recursion\00")
  (data (i32.const 68160) "sandbox_assert_fail\00")
  (data (i32.const 68224) "sandbox_return_code\00")
  (data (i32.const 68288) "sandbox_clobber_metadata\00")
  (data (i32.const 68352) "sandbox_clobber_data\00")
  (data (i32.const 68416) "sandbox_nested_launch\00")
  (data (i32.const 68480) "sandbox_grow_memory\00")
  (data (i32.const 68544) "sandbox_memset_all\00")
  (data (i32.const 68608) "sandbox_ghost\00")
  (data (i32.const 68672) "sandbox_lambda_as_kernel\00")
  (data (i32.const 68736) "__tvm_module_ctx\00")
  (data (i32.const 68992) "sandbox_lambda_shadow_stack\00")
  (data (i32.const 69120) "sandbox_oob_load_times_zero\00")
  (data (i32.const 69184) "sandbox_oob_load_dead_local\00")
  (data (i32.const 69248) "sandbox_oob_load_self_sub\00")

  ;; ---- messages (M k at 69632 + 128*k) ----
  (data (i32.const 69632) "Assert fail: sandbox: tensor metadata was not restored\00")      ;; M0
  (data (i32.const 69760) "Assert fail: x.ndim == 7, sandbox: argument x has the wrong rank\00") ;; M1
  (data (i32.const 69888) "sandbox lambda refused its task\00")                              ;; M2
  (data (i32.const 70016) "tvm.contrib.sort.argsort\00")                                     ;; M3
  (data (i32.const 70144) "Assert fail: sandbox clobbered its tensor descriptors\00")        ;; M4
  (data (i32.const 70272) "Assert fail: sandbox clobbered its static data\00")               ;; M5
  (data (i32.const 70400) "Assert fail: sandbox: stack pointer was not restored\00")         ;; M6
  (data (i32.const 70528) "sandbox wiped all of linear memory\00")                           ;; M7

  ;; ---- scratch ----
  ;; 71680 scale (f32 2.0) | 71684 module ctx slot | 71688 spin word
  ;; 71692 function handle | 71696 ret value (8) | 71704 ret tcode
  ;; 71744 DLTensor (40) | 71784 its shape (i64) | 71808 args (4 x 8) | 71840 type codes (4 x 4)
  (data (i32.const 71680) "\00\00\00\40")

  ;; ---- constructor: the system-lib registration ----
  (func $__wasm_call_ctors (export "__wasm_call_ctors")
    (local $i i32)
    (drop (call $register (i32.const 68736) (i32.const 71684)))
    (local.set $i (i32.const 1))
    (loop $each
      (drop (call $register (i32.add (i32.const 65536) (i32.shl (local.get $i) (i32.const 6)))
                            (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $each (i32.le_u (local.get $i) (i32.const 47))))
    (drop (call $register (i32.const 68992) (i32.const 54)))
    (drop (call $register (i32.const 69120) (i32.const 56)))
    (drop (call $register (i32.const 69184) (i32.const 57)))
    (drop (call $register (i32.const 69248) (i32.const 58)))
    ;; a name bound to a slot past the end of the table, and a kernel name
    ;; bound to a parallel lambda (wrong signature for a packed call)
    (drop (call $register (i32.const 68608) (i32.const 9999)))
    (drop (call $register (i32.const 68672) (i32.const 48))))

  ;; ---- helpers ----
  (func $mem_end (result i32) (i32.shl (memory.size) (i32.const 16)))
  ;; data pointers of x (args[0]) and y (args[1])
  (func $x (param $args i32) (result i32) (i32.load (i32.load (local.get $args))))
  (func $y (param $args i32) (result i32) (i32.load (i32.load offset=8 (local.get $args))))
  ;; x[1] as f32 and as i32 (0 for the hostile input): operands that clang
  ;; cannot fold away
  (func $x1 (param $args i32) (result f32) (f32.load offset=4 (call $x (local.get $args))))
  (func $xi1 (param $args i32) (result i32) (i32.trunc_f32_s (call $x1 (local.get $args))))
  (func $hostile (param $args i32) (result i32)
    (f32.eq (f32.load (call $x (local.get $args))) (f32.const 0)))

  ;; A DLTensor as the runtime writes it for float32[4]: device kDLCPU, ndim 1,
  ;; dtype {2, 32, 1}, shape [4], strides NULL, byte_offset 0.
  (func $meta_ok (param $t i32) (result i32)
    (i32.and
      (i32.and
        (i32.and (i32.eq (i32.load offset=4 (local.get $t)) (i32.const 1))
                 (i32.eq (i32.load offset=12 (local.get $t)) (i32.const 1)))
        (i32.and (i32.eq (i32.load offset=16 (local.get $t)) (i32.const 0x00012002))
                 (i64.eq (i64.load (i32.load offset=20 (local.get $t))) (i64.const 4))))
      (i32.and (i32.eqz (i32.load offset=24 (local.get $t)))
               (i64.eqz (i64.load offset=32 (local.get $t))))))

  ;; The good computation y = x * scale + 1 with scale = 2.0 from static data,
  ;; through a 16-byte shadow-stack frame as clang would make one.
  (func $affine (param $args i32) (result i32)
    (local $x i32) (local $y i32) (local $i i32) (local $sp i32)
    (if (i32.ne (global.get $__stack_pointer) (i32.const 65536))
      (then (call $set_error (i32.const 70400)) (return (i32.const -1))))
    (if (i32.eqz (i32.and (call $meta_ok (i32.load (local.get $args)))
                          (call $meta_ok (i32.load offset=8 (local.get $args)))))
      (then (call $set_error (i32.const 69632)) (return (i32.const -1))))
    (local.set $x (call $x (local.get $args)))
    (local.set $y (call $y (local.get $args)))
    (local.set $sp (i32.sub (global.get $__stack_pointer) (i32.const 16)))
    (global.set $__stack_pointer (local.get $sp))
    (f32.store (local.get $sp) (f32.load (i32.const 71680)))
    (loop $l
      (f32.store (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 2)))
        (f32.add
          (f32.mul (f32.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))
                   (f32.load (local.get $sp)))
          (f32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 4))))
    (global.set $__stack_pointer (i32.add (local.get $sp) (i32.const 16)))
    (i32.const 0))

  ;; Unbounded native recursion. Not a tail call and not an accumulator that
  ;; LLVM's tail-recursion elimination could turn into a loop.
  (func $recurse (param $n i32) (result i32)
    (if (result i32) (i32.eq (local.get $n) (i32.const -1))
      (then (i32.const 0))
      (else (i32.sub (local.get $n) (call $recurse (i32.add (local.get $n) (i32.const 1)))))))

  ;; Unbounded shadow-stack growth: 4 KiB frames until __stack_pointer wraps
  ;; below 0 (to ~4 GiB) and the store there faults.
  (func $shadow_recurse (param $n i32) (result i32)
    (local $sp i32)
    (local.set $sp (i32.sub (global.get $__stack_pointer) (i32.const 4096)))
    (global.set $__stack_pointer (local.get $sp))
    (i32.store (local.get $sp) (local.get $n))
    (local.set $n (i32.sub (local.get $n)
                           (call $shadow_recurse (i32.add (local.get $n) (i32.const 1)))))
    (global.set $__stack_pointer (i32.add (local.get $sp) (i32.const 4096)))
    (local.get $n))

  ;; n shadow-stack frames of 4 KiB, each filled with 0xab (memset import).
  (func $fill_frames (param $n i32) (result i32)
    (local $sp i32)
    (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))
    (local.set $sp (i32.sub (global.get $__stack_pointer) (i32.const 4096)))
    (global.set $__stack_pointer (local.get $sp))
    (drop (call $memset (local.get $sp) (i32.const 0xab) (i32.const 4096)))
    (local.set $n (i32.sub (local.get $n)
                           (call $fill_frames (i32.sub (local.get $n) (i32.const 1)))))
    (global.set $__stack_pointer (i32.add (local.get $sp) (i32.const 4096)))
    (local.get $n))

  ;; Busy loop. Each iteration calls an import (memset of the spin word), an
  ;; opaque call that clang can neither hoist nor fold away.
  (func $spin (param $n i32)
    (local $i i32)
    (loop $l
      (drop (call $memset (i32.const 71688) (local.get $i) (i32.const 4)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))

  ;; TVMBackendGetFuncFromEnv(ctx, "tvm.contrib.sort.argsort", &handle)
  (func $argsort_handle (result i32)
    (if (call $get_func (i32.load (i32.const 71684)) (i32.const 70016) (i32.const 71692))
      (then (return (i32.const 0))))
    (i32.load (i32.const 71692)))

  ;; ---- kernels 1..47 ----
  (func $sandbox_good (type $packed)
    (call $affine (local.get 0)))

  ;; memory
  (func $sandbox_oob_load_end (type $packed)
    (if (call $hostile (local.get 0))
      (then (f32.store (call $y (local.get 0)) (f32.load (call $mem_end)))))
    (call $affine (local.get 0)))
  (func $sandbox_oob_load_straddle (type $packed)
    (if (call $hostile (local.get 0))
      (then (i32.store (call $y (local.get 0))
                       (i32.load (i32.sub (call $mem_end) (i32.const 2))))))
    (call $affine (local.get 0)))
  (func $sandbox_oob_store_end (type $packed)
    (if (call $hostile (local.get 0))
      (then (i32.store (call $mem_end) (i32.const 0x5a5a5a5a))))
    (call $affine (local.get 0)))
  (func $sandbox_oob_load_max (type $packed)
    (if (call $hostile (local.get 0))
      (then (i32.store (call $y (local.get 0)) (i32.load8_u (i32.const 0xffffffff)))))
    (call $affine (local.get 0)))
  (func $sandbox_oob_load_max_offset (type $packed)
    (if (call $hostile (local.get 0))
      (then (i32.store (call $y (local.get 0))
                       (i32.load offset=0xffffffff (i32.const 0xffffffff)))))
    (call $affine (local.get 0)))
  (func $sandbox_oob_load_dropped (type $packed)
    (if (call $hostile (local.get 0))
      (then (drop (i64.load (call $mem_end)))))
    (call $affine (local.get 0)))

  ;; Out-of-bounds loads whose values are used in the wasm but dead after C
  ;; optimisation (x * 0, a local overwritten before it is read, x - x): the
  ;; wasm spec still requires the trap, so the translated code must keep
  ;; the loads even though clang could prove their values irrelevant.
  (func $sandbox_oob_load_times_zero (type $packed)
    (if (call $hostile (local.get 0))
      (then (i32.store (call $y (local.get 0))
                       (i32.mul (i32.load (call $mem_end)) (i32.const 0)))))
    (call $affine (local.get 0)))
  (func $sandbox_oob_load_dead_local (type $packed)
    (local $v i32)
    (if (call $hostile (local.get 0))
      (then
        (local.set $v (i32.load (call $mem_end)))
        (local.set $v (i32.const 7))
        (i32.store (call $y (local.get 0)) (local.get $v))))
    (call $affine (local.get 0)))
  (func $sandbox_oob_load_self_sub (type $packed)
    (local $a i32)
    (if (call $hostile (local.get 0))
      (then
        (local.set $a (call $mem_end))
        (i32.store (call $y (local.get 0))
                   (i32.sub (i32.load (local.get $a)) (i32.load (local.get $a))))))
    (call $affine (local.get 0)))

  ;; arithmetic
  (func $sandbox_div_zero (type $packed)
    (if (call $hostile (local.get 0))
      (then (i32.store (call $y (local.get 0))
                       (i32.div_s (i32.const 1) (call $xi1 (local.get 0))))))
    (call $affine (local.get 0)))
  (func $sandbox_div_overflow (type $packed)
    (if (call $hostile (local.get 0))
      (then (i32.store (call $y (local.get 0))
                       (i32.div_s (i32.const 0x80000000)
                                  (i32.sub (call $xi1 (local.get 0)) (i32.const 1))))))
    (call $affine (local.get 0)))
  (func $sandbox_rem_zero (type $packed)
    (if (call $hostile (local.get 0))
      (then (i32.store (call $y (local.get 0))
                       (i32.rem_u (i32.const 7) (call $xi1 (local.get 0))))))
    (call $affine (local.get 0)))
  (func $sandbox_trunc_nan (type $packed)
    (if (call $hostile (local.get 0))
      (then (i32.store (call $y (local.get 0))
                       (i32.trunc_f32_s (f32.div (call $x1 (local.get 0))
                                                 (call $x1 (local.get 0)))))))
    (call $affine (local.get 0)))
  (func $sandbox_trunc_overflow (type $packed)
    (if (call $hostile (local.get 0))
      (then (i32.store (call $y (local.get 0))
                       (i32.trunc_f32_s (f32.add (call $x1 (local.get 0)) (f32.const 1e10))))))
    (call $affine (local.get 0)))
  (func $sandbox_unreachable (type $packed)
    (if (call $hostile (local.get 0)) (then (unreachable)))
    (call $affine (local.get 0)))

  ;; indirect calls
  (func $sandbox_call_null (type $packed)
    (if (call $hostile (local.get 0))
      (then (drop (call_indirect (type $packed)
                    (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
                    (local.get 5) (call $xi1 (local.get 0))))))
    (call $affine (local.get 0)))
  (func $sandbox_call_oob_index (type $packed)
    (if (call $hostile (local.get 0))
      (then (drop (call_indirect (type $packed)
                    (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
                    (local.get 5) (i32.add (call $xi1 (local.get 0)) (i32.const 100000))))))
    (call $affine (local.get 0)))
  (func $sandbox_call_bad_sig (type $packed)
    (if (call $hostile (local.get 0))
      (then (drop (call_indirect (type $unary)
                    (local.get 0) (i32.add (call $xi1 (local.get 0)) (i32.const 1))))))
    (call $affine (local.get 0)))

  ;; stacks
  (func $sandbox_recursion (type $packed)
    (if (call $hostile (local.get 0))
      (then (i32.store (call $y (local.get 0)) (call $recurse (call $xi1 (local.get 0))))))
    (call $affine (local.get 0)))
  (func $sandbox_shadow_stack (type $packed)
    (if (call $hostile (local.get 0))
      (then (i32.store (call $y (local.get 0)) (call $shadow_recurse (call $xi1 (local.get 0))))))
    (call $affine (local.get 0)))

  ;; wild pointers handed to imports
  (func $sandbox_seterr_wild (type $packed)
    (if (call $hostile (local.get 0))
      (then (call $set_error (i32.const 0xfffffff0)) (return (i32.const -1))))
    (call $affine (local.get 0)))
  (func $sandbox_seterr_unterminated (type $packed)
    (if (call $hostile (local.get 0))
      (then
        (i32.store (i32.sub (call $mem_end) (i32.const 4)) (i32.const 0x41414141))
        (call $set_error (i32.sub (call $mem_end) (i32.const 4)))
        (return (i32.const -1))))
    (call $affine (local.get 0)))
  (func $sandbox_free_wild (type $packed)
    (if (call $hostile (local.get 0))
      (then (if (call $ws_free (i32.const 1) (i32.const 0) (i32.const 0xdead))
              (then (return (i32.const -1))))))
    (call $affine (local.get 0)))
  (func $sandbox_free_twice (type $packed)
    (local $p i32)
    (if (call $hostile (local.get 0))
      (then
        (local.set $p (call $ws_alloc (i32.const 1) (i32.const 0) (i64.const 64) (i32.const 2)
                                      (i32.const 32)))
        (if (i32.eqz (local.get $p)) (then (return (i32.const -1))))
        (if (call $ws_free (i32.const 1) (i32.const 0) (local.get $p))
          (then (return (i32.const -1))))
        (if (call $ws_free (i32.const 1) (i32.const 0) (local.get $p))
          (then (return (i32.const -1))))))
    (call $affine (local.get 0)))
  (func $sandbox_launch_bad_index (type $packed)
    (local $rc i32)
    (if (call $hostile (local.get 0))
      (then
        (local.set $rc (call $launch (i32.const 9999) (local.get 0) (i32.const 0)))
        (if (local.get $rc) (then (return (local.get $rc))))))
    (call $affine (local.get 0)))
  (func $sandbox_launch_bad_sig (type $packed)
    (local $rc i32)
    (if (call $hostile (local.get 0))
      (then
        ;; slot 1 is a packed kernel, not a (task_id, penv, cdata) lambda
        (local.set $rc (call $launch (i32.const 1) (local.get 0) (i32.const 0)))
        (if (local.get $rc) (then (return (local.get $rc))))))
    (call $affine (local.get 0)))
  (func $sandbox_memcpy_oob (type $packed)
    (if (call $hostile (local.get 0))
      (then (drop (call $memcpy (i32.sub (call $mem_end) (i32.const 4)) (call $x (local.get 0))
                                (i32.const 8)))))
    (call $affine (local.get 0)))
  (func $sandbox_memcpy_huge (type $packed)
    (if (call $hostile (local.get 0))
      (then (drop (call $memcpy (call $y (local.get 0)) (call $x (local.get 0))
                                (i32.const 0xffffffff)))))
    (call $affine (local.get 0)))
  (func $sandbox_memset_huge (type $packed)
    (if (call $hostile (local.get 0))
      (then (drop (call $memset (call $y (local.get 0)) (i32.const 0) (i32.const 0xfffffff0)))))
    (call $affine (local.get 0)))
  (func $sandbox_memmove_oob (type $packed)
    (if (call $hostile (local.get 0))
      (then (drop (call $memmove (call $y (local.get 0)) (i32.const 0xfffffff0) (i32.const 32)))))
    (call $affine (local.get 0)))
  (func $sandbox_getfunc_bad_out (type $packed)
    (if (call $hostile (local.get 0))
      (then (if (call $get_func (i32.load (i32.const 71684)) (i32.const 70016)
                                (i32.const 0xfffffffe))
              (then (return (i32.const -1))))))
    (call $affine (local.get 0)))
  (func $sandbox_getfunc_bad_name (type $packed)
    (if (call $hostile (local.get 0))
      (then (if (call $get_func (i32.load (i32.const 71684)) (i32.const 0xfffffff0)
                                (i32.const 71692))
              (then (return (i32.const -1))))))
    (call $affine (local.get 0)))
  (func $sandbox_funccall_bad_handle (type $packed)
    (local $rc i32)
    (if (call $hostile (local.get 0))
      (then
        (local.set $rc (call $func_call (i32.const 0x12345) (i32.const 71808) (i32.const 71840)
                                        (i32.const 0) (i32.const 71696) (i32.const 71704)))
        (if (local.get $rc) (then (return (local.get $rc))))))
    (call $affine (local.get 0)))
  (func $sandbox_sort_wild_args (type $packed)
    (local $rc i32)
    (if (call $hostile (local.get 0))
      (then
        (local.set $rc (call $func_call (call $argsort_handle) (i32.const 0xfffffff0)
                                        (i32.const 0xfffffff0) (i32.const 4) (i32.const 71696)
                                        (i32.const 71704)))
        (if (local.get $rc) (then (return (local.get $rc))))))
    (call $affine (local.get 0)))
  (func $sandbox_sort_wild_data (type $packed)
    (local $rc i32)
    (if (call $hostile (local.get 0))
      (then
        ;; DLTensor {data 0xffffff00, cpu:0, ndim 1, float32, shape -> [1000]}
        (i64.store (i32.const 71752) (i64.const 0))   ;; device_id, ndim (set below)
        (i64.store (i32.const 71768) (i64.const 0))   ;; strides, padding
        (i64.store (i32.const 71776) (i64.const 0))   ;; byte_offset
        (i32.store (i32.const 71744) (i32.const 0xffffff00))
        (i32.store (i32.const 71748) (i32.const 1))
        (i32.store (i32.const 71756) (i32.const 1))
        (i32.store (i32.const 71760) (i32.const 0x00012002))
        (i32.store (i32.const 71764) (i32.const 71784))
        (i64.store (i32.const 71784) (i64.const 1000))
        ;; argsort(in, out, axis 0, is_ascend 1)
        (i32.store (i32.const 71808) (i32.const 71744))
        (i32.store (i32.const 71816) (i32.const 71744))
        (i64.store (i32.const 71824) (i64.const 0))
        (i64.store (i32.const 71832) (i64.const 1))
        (i32.store (i32.const 71840) (i32.const 7))
        (i32.store (i32.const 71844) (i32.const 7))
        (local.set $rc (call $func_call (call $argsort_handle) (i32.const 71808) (i32.const 71840)
                                        (i32.const 4) (i32.const 71696) (i32.const 71704)))
        (if (local.get $rc) (then (return (local.get $rc))))))
    (call $affine (local.get 0)))
  (func $sandbox_barrier_bad_penv (type $packed)
    (if (call $hostile (local.get 0))
      (then (if (call $barrier (i32.const 0) (i32.const 0xfffffffc))
              (then (return (i32.const -1))))))
    (call $affine (local.get 0)))

  ;; workspace
  (func $sandbox_workspace_huge (type $packed)
    (if (call $hostile (local.get 0))
      (then
        ;; 2^40 bytes; as TVM's codegen: NULL -> return -1 without a message
        (if (i32.eqz (call $ws_alloc (i32.const 1) (i32.const 0) (i64.const 0x10000000000)
                                     (i32.const 2) (i32.const 32)))
          (then (return (i32.const -1))))))
    (call $affine (local.get 0)))
  (func $sandbox_workspace_leak (type $packed)
    (local $p i32)
    (if (call $hostile (local.get 0))
      (then
        ;; 192 MiB of the default 256 MiB arena, never freed: a second run
        ;; only succeeds if the runtime resets the arena between runs
        (local.set $p (call $ws_alloc (i32.const 1) (i32.const 0) (i64.const 201326592)
                                      (i32.const 2) (i32.const 32)))
        (if (i32.eqz (local.get $p)) (then (return (i32.const -1))))
        (i32.store8 (local.get $p) (i32.const 1))
        (i32.store8 (i32.add (local.get $p) (i32.const 201326591)) (i32.const 1))))
    (call $affine (local.get 0)))

  ;; parallel lambdas
  (func $sandbox_lambda_error (type $packed)
    (local $rc i32)
    (if (call $hostile (local.get 0))
      (then
        (local.set $rc (call $launch (i32.const 48) (local.get 0) (i32.const 0)))
        (if (local.get $rc) (then (return (local.get $rc))))))
    (call $affine (local.get 0)))
  (func $sandbox_lambda_trap (type $packed)
    (local $rc i32)
    (if (call $hostile (local.get 0))
      (then
        (local.set $rc (call $launch (i32.const 49) (local.get 0) (i32.const 0)))
        (if (local.get $rc) (then (return (local.get $rc))))))
    (call $affine (local.get 0)))
  (func $sandbox_lambda_oob (type $packed)
    (local $rc i32)
    (if (call $hostile (local.get 0))
      (then
        (local.set $rc (call $launch (i32.const 50) (local.get 0) (i32.const 0)))
        (if (local.get $rc) (then (return (local.get $rc))))))
    (call $affine (local.get 0)))
  (func $sandbox_lambda_recursion (type $packed)
    (local $rc i32)
    (if (call $hostile (local.get 0))
      (then
        (local.set $rc (call $launch (i32.const 51) (local.get 0) (i32.const 0)))
        (if (local.get $rc) (then (return (local.get $rc))))))
    (call $affine (local.get 0)))

  ;; kernel errors
  (func $sandbox_assert_fail (type $packed)
    (if (call $hostile (local.get 0))
      (then (call $set_error (i32.const 69760)) (return (i32.const -1))))
    (call $affine (local.get 0)))
  (func $sandbox_return_code (type $packed)
    (if (call $hostile (local.get 0)) (then (return (i32.const 42))))
    (call $affine (local.get 0)))

  ;; corrupting what the runtime promises to restore
  (func $sandbox_clobber_metadata (type $packed)
    (local $t i32)
    (if (call $hostile (local.get 0))
      (then
        (local.set $t (i32.load (local.get 0)))
        (i32.store (local.get $t) (i32.const 0xffffff00))            ;; x.data
        (i32.store offset=12 (local.get $t) (i32.const 7))           ;; x.ndim
        (i32.store offset=20 (local.get $t) (i32.const 0xfffffff0))  ;; x.shape
        (i64.store (i32.load offset=20 (i32.load offset=8 (local.get 0))) (i64.const -1)) ;; y.shape[0]
        (i32.store offset=8 (local.get 0) (i32.const 0xfffffff8))    ;; args[1]
        (i32.store (local.get 1) (i32.const 0))                      ;; type_codes[0]
        (global.set $__stack_pointer (i32.const 0xdead0000))
        (call $set_error (i32.const 70144))
        (return (i32.const -1))))
    (call $affine (local.get 0)))
  (func $sandbox_clobber_data (type $packed)
    (if (call $hostile (local.get 0))
      (then
        (f32.store (i32.const 71680) (f32.const 1000))  ;; the scale constant
        (call $set_error (i32.const 70272))
        (return (i32.const -1))))
    (call $affine (local.get 0)))
  (func $sandbox_nested_launch (type $packed)
    (local $rc i32)
    (if (call $hostile (local.get 0))
      (then
        ;; y = 2x + 1 first; then a launch whose task 0 launches again
        (local.set $rc (call $affine (local.get 0)))
        (if (local.get $rc) (then (return (local.get $rc))))
        (return (call $launch (i32.const 52) (local.get 0) (i32.const 0)))))
    (call $affine (local.get 0)))
  ;; Grows memory by 16 pages (the result is ignored: wasm lets grow fail),
  ;; then computes y; the graph's next node is a __copy that the host runs.
  ;; Growth must never leave the host with a stale pointer to memory.
  (func $sandbox_grow_memory (type $packed)
    (if (call $hostile (local.get 0))
      (then (drop (memory.grow (i32.const 16)))))
    (call $affine (local.get 0)))
  (func $sandbox_memset_all (type $packed)
    (if (call $hostile (local.get 0))
      (then
        ;; a valid call: every byte of linear memory, static data included
        (drop (call $memset (i32.const 0) (i32.const 0) (call $mem_end)))
        (call $set_error (i32.const 70528))
        (return (i32.const -1))))
    (call $affine (local.get 0)))

  ;; A kernel whose parallel lambda overflows its shadow stack just far enough
  ;; to reach the output tensor y (below the stack) or, if y lies above the
  ;; stack, to run below address 0. The launch's result is returned as is:
  ;; any overflow must end in a trap, never in a "successful" run.
  (func $sandbox_lambda_shadow_stack (type $packed)
    (if (call $hostile (local.get 0))
      (then (return (call $launch (i32.const 55) (local.get 0) (i32.const 0)))))
    (call $affine (local.get 0)))

  ;; ---- parallel lambdas 48..53: (task_id, penv, cdata = the kernel's args) ----
  (func $last_task (param $task i32) (param $penv i32) (result i32)
    (i32.eq (local.get $task) (i32.sub (i32.load offset=4 (local.get $penv)) (i32.const 1))))
  (func $lambda_error (type $lambda)
    (call $set_error (i32.const 69888))
    (i32.const -1))
  (func $lambda_trap (type $lambda)
    (if (call $last_task (local.get 0) (local.get 1)) (then (unreachable)))
    (i32.const 0))
  (func $lambda_oob (type $lambda)
    (if (call $last_task (local.get 0) (local.get 1))
      (then (i32.store (i32.const 71688) (i32.load (call $mem_end)))))
    (i32.const 0))
  (func $lambda_recurse (type $lambda)
    (if (call $last_task (local.get 0) (local.get 1))
      (then (i32.store (i32.const 71688) (call $recurse (i32.const 0)))))
    (i32.const 0))
  ;; Task 0 records num_task in y[0] and launches $lambda_inner from inside
  ;; this launch; the other tasks spin long enough for that inner launch to
  ;; start while they still run, then set y[3] = 5 (so a task that never ran
  ;; shows as y[0] >= 2 with y[3] != 5).
  (func $lambda_outer (type $lambda)
    (if (i32.eqz (local.get 0))
      (then
        (f32.store (call $y (local.get 2))
                   (f32.convert_i32_s (i32.load offset=4 (local.get 1))))
        (return (call $launch (i32.const 53) (local.get 2) (i32.const 0)))))
    (call $spin (i32.const 20000000))
    (f32.store offset=12 (call $y (local.get 2)) (f32.const 5))
    (i32.const 0))
  ;; Tasks other than 0 set y[2] = 7 when they start and y[1] = 42 when they
  ;; end, with a long spin between: y[2] == 7 with y[1] != 42 after run()
  ;; returned, or any later change of y, means guest code outlived the run.
  (func $lambda_inner (type $lambda)
    (if (i32.eqz (local.get 0)) (then (return (i32.const 0))))
    (f32.store offset=8 (call $y (local.get 2)) (f32.const 7))
    (call $spin (i32.const 60000000))
    (f32.store offset=4 (call $y (local.get 2)) (f32.const 42))
    (i32.const 0))
  ;; 55: on the last task, enough 4 KiB frames to overwrite y from the stack
  (func $lambda_stack (type $lambda)
    (local $sp i32) (local $target i32)
    (if (call $last_task (local.get 0) (local.get 1))
      (then
        (local.set $sp (global.get $__stack_pointer))
        (local.set $target (call $y (local.get 2)))
        (if (i32.ge_u (local.get $target) (local.get $sp))
          (then (local.set $target (i32.const 0))))
        (drop (call $fill_frames
                (i32.add (i32.div_u (i32.sub (local.get $sp) (local.get $target)) (i32.const 4096))
                         (i32.const 1))))))
    (i32.const 0))
)
