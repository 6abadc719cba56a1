;; runaway.wat — a TVM-shaped graph library whose kernels never finish, for
;; the deadline and interrupt tests (tests/interrupt, issue 15).
;;
;; It has the shape `wasmgraph compile` accepts for a linked module (see
;; tests/sandbox/modules/hostile.wat): imports env.memory and the TVM backend
;; API, exports the table, __heap_base, __data_end and __wasm_call_ctors, and
;; its constructor registers every kernel by table index. Every kernel is a
;; TVMBackendPackedCFunc over one input x and one output y, both float32[4].
;;
;; The runaway kernels, each a way for guest code to run forever that a check
;; must catch:
;;   rw_loop            (loop $l (br $l)): the smallest infinite loop
;;   rw_parallel_loop   TVMBackendParallelLaunch of a lambda that is that loop,
;;                      so every worker spins
;;   rw_counted         a counted loop of 2^32 - 1 iterations (of a recurrence
;;                      no compiler can shorten): finite, but far beyond what
;;                      may run between two checks
;;   rw_nested          three nested counted loops of 65536 iterations (2^48):
;;                      each loop alone is small, together they never end
;;   rw_recursion       f(n) = f(n-1); f(n-1) for n = 60: 2^60 calls, no loop
;;   rw_import_loop     a loop that calls a host import (memset) forever
;; The *_if_zero variants run away only when x[0] == 0 and otherwise compute
;; the good result y = 2*x + 1 ($affine), so one executor can show that it
;; works again, with exact results, after a stopped run.
;; rw_grow stores memory.grow(x[0] pages) as y[0] (the memory-budget tests).
;;
;; Layout: [0, 65536) shadow stack; 65536 + 64*i the name of table slot i;
;; 70000 the spin word, 70004 the recursion counter; 73728 __data_end.
(module
  (type $packed (func (param i32 i32 i32 i32 i32 i32) (result i32)))
  (type $lambda (func (param i32 i32 i32) (result i32)))

  (import "env" "memory" (memory 2))
  (import "env" "TVMBackendRegisterSystemLibSymbol" (func $register (param i32 i32) (result i32)))
  (import "env" "TVMBackendParallelLaunch" (func $launch (param i32 i32 i32) (result i32)))
  (import "env" "memset" (func $memset (param i32 i32 i32) (result i32)))

  (global $__stack_pointer (mut i32) (i32.const 65536))
  (global $__data_end i32 (i32.const 73728))
  (global $__heap_base i32 (i32.const 73728))
  (export "__data_end" (global $__data_end))
  (export "__heap_base" (global $__heap_base))

  (table $__indirect_function_table 16 16 funcref)
  (export "__indirect_function_table" (table $__indirect_function_table))
  (elem (i32.const 1) func
    $rw_good $rw_loop $rw_loop_if_zero $rw_parallel_loop $rw_parallel_loop_if_zero
    $rw_counted $rw_nested $rw_recursion $rw_import_loop $rw_grow $rw_counted_if_zero
    $lambda_loop)

  (data (i32.const 65600) "rw_good\00")
  (data (i32.const 65664) "rw_loop\00")
  (data (i32.const 65728) "rw_loop_if_zero\00")
  (data (i32.const 65792) "rw_parallel_loop\00")
  (data (i32.const 65856) "rw_parallel_loop_if_zero\00")
  (data (i32.const 65920) "rw_counted\00")
  (data (i32.const 65984) "rw_nested\00")
  (data (i32.const 66048) "rw_recursion\00")
  (data (i32.const 66112) "rw_import_loop\00")
  (data (i32.const 66176) "rw_grow\00")
  (data (i32.const 66240) "rw_counted_if_zero\00")

  (func $__wasm_call_ctors (export "__wasm_call_ctors")
    (local $i i32)
    (local.set $i (i32.const 1))
    (loop $each
      (drop (call $register (i32.add (i32.const 65536) (i32.shl (local.get $i) (i32.const 6)))
                            (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $each (i32.le_u (local.get $i) (i32.const 11)))))

  ;; data pointers of x (args[0]) and y (args[1])
  (func $x (param $args i32) (result i32) (i32.load (i32.load (local.get $args))))
  (func $y (param $args i32) (result i32) (i32.load (i32.load offset=8 (local.get $args))))
  (func $hostile (param $args i32) (result i32)
    (f32.eq (f32.load (call $x (local.get $args))) (f32.const 0)))

  ;; y = 2 * x + 1
  (func $affine (param $args i32) (result i32)
    (local $x i32) (local $y i32) (local $i i32)
    (local.set $x (call $x (local.get $args)))
    (local.set $y (call $y (local.get $args)))
    (loop $l
      (f32.store (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 2)))
        (f32.add
          (f32.mul (f32.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))
                   (f32.const 2))
          (f32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 4))))
    (i32.const 0))

  (func $forever (loop $l (br $l)))

  ;; acc = acc * 1664525 + i: a recurrence no compiler can shorten, so a
  ;; loop over it really runs every iteration
  (func $step (param $acc i32) (param $i i32) (result i32)
    (i32.add (i32.mul (local.get $acc) (i32.const 1664525)) (local.get $i)))

  ;; 2^32 - 1 iterations of $step, the result stored into y[0]
  (func $counted (param $args i32)
    (local $acc i32) (local $i i32)
    (loop $l
      (local.set $acc (call $step (local.get $acc) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 0xffffffff))))
    (i32.store (call $y (local.get $args)) (local.get $acc)))

  ;; f(n): count the call in the counter word, then f(n-1) twice
  (func $fork (param $n i32)
    (i32.store (i32.const 70004) (i32.add (i32.load (i32.const 70004)) (i32.const 1)))
    (if (local.get $n)
      (then
        (call $fork (i32.sub (local.get $n) (i32.const 1)))
        (call $fork (i32.sub (local.get $n) (i32.const 1))))))

  (func $rw_good (type $packed) (call $affine (local.get 0)))

  (func $rw_loop (type $packed)
    (loop $l (br $l))
    (i32.const 0))

  (func $rw_loop_if_zero (type $packed)
    (if (call $hostile (local.get 0)) (then (call $forever)))
    (call $affine (local.get 0)))

  (func $lambda_loop (type $lambda)
    (loop $l (br $l))
    (i32.const 0))

  (func $rw_parallel_loop (type $packed)
    (drop (call $launch (i32.const 12) (i32.const 0) (i32.const 0)))
    (i32.const 0))

  (func $rw_parallel_loop_if_zero (type $packed)
    (if (call $hostile (local.get 0))
      (then (drop (call $launch (i32.const 12) (i32.const 0) (i32.const 0)))))
    (call $affine (local.get 0)))

  (func $rw_counted (type $packed)
    (call $counted (local.get 0))
    (i32.const 0))

  (func $rw_counted_if_zero (type $packed)
    (if (call $hostile (local.get 0)) (then (call $counted (local.get 0))))
    (call $affine (local.get 0)))

  (func $rw_nested (type $packed)
    (local $acc i32) (local $i i32) (local $j i32) (local $k i32)
    (loop $li
      (local.set $j (i32.const 0))
      (loop $lj
        (local.set $k (i32.const 0))
        (loop $lk
          (local.set $acc (call $step (local.get $acc) (local.get $k)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $lk (i32.lt_u (local.get $k) (i32.const 65536))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $lj (i32.lt_u (local.get $j) (i32.const 65536))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $li (i32.lt_u (local.get $i) (i32.const 65536))))
    (i32.store (call $y (local.get 0)) (local.get $acc))
    (i32.const 0))

  (func $rw_recursion (type $packed)
    (call $fork (i32.const 60))
    (i32.const 0))

  (func $rw_import_loop (type $packed)
    (local $i i32)
    (loop $l
      (drop (call $memset (i32.const 70000) (local.get $i) (i32.const 4)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))
    (i32.const 0))

  (func $rw_grow (type $packed)
    (f32.store (call $y (local.get 0))
      (f32.convert_i32_s (memory.grow (i32.trunc_f32_s (f32.load (call $x (local.get 0)))))))
    (i32.const 0)))
