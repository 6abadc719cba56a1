;; simd_sem.wat — hand-written SIMD128 kernels in the shape of a TVM graph
;; library, for the lane-exact semantics tests of tests/simd (simd_semantics.c
;; holds the inputs and the results the wasm spec requires).
;;
;; Module shape: what wasm-ld --import-memory --export-table --stack-first makes
;; of TVM's graph.o (as in tests/sandbox/modules): env.memory imported, the
;; table, __heap_base, __data_end and __wasm_call_ctors exported, a mutable
;; __stack_pointer (named through --debug-names), and a constructor that
;; registers every kernel by table index plus __tvm_module_ctx. The
;; target_features section says +simd128, as clang writes it for TVM's
;; -mattr=+simd128 objects (the annotation needs wat2wasm --enable-annotations).
;;
;; Every kernel is a TVMBackendPackedCFunc over x: uint32[16] -> y: uint32[16].
;; x and y are read as four v128 vectors a, b, c, d at byte offsets 0, 16, 32, 48.
;;   binary ops (f32x4.add ... i32x4.ne):  y = op(a,b), op(b,a), op(c,d), op(d,c)
;;   unary ops (trunc_sat, convert):       y = op(a), op(b), op(c), op(d)
;;   simd_v128_bitselect:                  y = bitselect(a,b,c), (b,a,c), (a,b,d), (b,a,d)
;;   simd_splat, simd_lanes, simd_shuffle: see each function
;; Memory kernels (simd_load*, simd_store*) take x[0] = base, x[1] = k,
;; x[2] = mode and use address = x[0] + x[1] * END (i32 arithmetic), where END
;; is the current size of linear memory in bytes (memory.size * 65536), so a
;; test can aim at the end of memory without knowing how the runtime sized it.
;;   mode 0: fill [END-32, END) with bytes 0xE0..0xFF (scalar i64 stores),
;;           then do the access: a load's value goes to y[0..3];
;;   mode 1: no fill, no access (to look at memory after a trapping store).
;; Both modes then write y[4] = address, y[5] = END and y[8..15] = the bytes
;; [END-32, END) (scalar loads), so a store's effect (or the lack of one)
;; is visible. y[6], y[7] are 0.
;; Stores write the vector S = bytes 0x00..0x0F; lane loads start from
;; (i32x4 0x11111111 0x22222222 0x33333333 0x44444444).
;;
;; Layout: [0, 65536) shadow stack; 65536 + 64*i the name of table slot i
;; (kernels 1..40, 41 = __tvm_module_ctx); 68224 the module ctx slot;
;; __data_end = __heap_base = 68288.
(module
  (@custom "target_features" "\01+\07simd128")
  (type $packed (func (param i32 i32 i32 i32 i32 i32) (result i32)))

  (import "env" "memory" (memory 2))
  (import "env" "TVMBackendRegisterSystemLibSymbol" (func $register (param i32 i32) (result i32)))

  (global $__stack_pointer (mut i32) (i32.const 65536))
  (global $__data_end i32 (i32.const 68288))
  (global $__heap_base i32 (i32.const 68288))
  (export "__data_end" (global $__data_end))
  (export "__heap_base" (global $__heap_base))

  (table $__indirect_function_table 41 41 funcref)
  (export "__indirect_function_table" (table $__indirect_function_table))

  ;; ---- names (slot i at 65536 + 64*i) ----
  (data (i32.const 65600) "simd_f32x4_add\00") ;; slot 1
  (data (i32.const 65664) "simd_f32x4_sub\00") ;; slot 2
  (data (i32.const 65728) "simd_f32x4_mul\00") ;; slot 3
  (data (i32.const 65792) "simd_f32x4_div\00") ;; slot 4
  (data (i32.const 65856) "simd_f32x4_min\00") ;; slot 5
  (data (i32.const 65920) "simd_f32x4_max\00") ;; slot 6
  (data (i32.const 65984) "simd_f32x4_pmin\00") ;; slot 7
  (data (i32.const 66048) "simd_f32x4_pmax\00") ;; slot 8
  (data (i32.const 66112) "simd_f32x4_gt\00") ;; slot 9
  (data (i32.const 66176) "simd_f32x4_ge\00") ;; slot 10
  (data (i32.const 66240) "simd_i32x4_ne\00") ;; slot 11
  (data (i32.const 66304) "simd_v128_bitselect\00") ;; slot 12
  (data (i32.const 66368) "simd_i32x4_trunc_sat_f32x4_s\00") ;; slot 13
  (data (i32.const 66432) "simd_i32x4_trunc_sat_f32x4_u\00") ;; slot 14
  (data (i32.const 66496) "simd_f32x4_convert_i32x4_s\00") ;; slot 15
  (data (i32.const 66560) "simd_f32x4_convert_i32x4_u\00") ;; slot 16
  (data (i32.const 66624) "simd_splat\00") ;; slot 17
  (data (i32.const 66688) "simd_lanes\00") ;; slot 18
  (data (i32.const 66752) "simd_shuffle\00") ;; slot 19
  (data (i32.const 66816) "simd_load\00") ;; slot 20
  (data (i32.const 66880) "simd_load_off16\00") ;; slot 21
  (data (i32.const 66944) "simd_load_offmax\00") ;; slot 22
  (data (i32.const 67008) "simd_load32_splat\00") ;; slot 23
  (data (i32.const 67072) "simd_load32_splat_offmax\00") ;; slot 24
  (data (i32.const 67136) "simd_load64_zero\00") ;; slot 25
  (data (i32.const 67200) "simd_load32_zero\00") ;; slot 26
  (data (i32.const 67264) "simd_load8_splat\00") ;; slot 27
  (data (i32.const 67328) "simd_load64_splat\00") ;; slot 28
  (data (i32.const 67392) "simd_load32_lane\00") ;; slot 29
  (data (i32.const 67456) "simd_load64_lane\00") ;; slot 30
  (data (i32.const 67520) "simd_load8_lane\00") ;; slot 31
  (data (i32.const 67584) "simd_load8x8_s\00") ;; slot 32
  (data (i32.const 67648) "simd_store\00") ;; slot 33
  (data (i32.const 67712) "simd_store_offmax\00") ;; slot 34
  (data (i32.const 67776) "simd_store64_lane\00") ;; slot 35
  (data (i32.const 67840) "simd_store32_lane\00") ;; slot 36
  (data (i32.const 67904) "simd_store8_lane\00") ;; slot 37
  (data (i32.const 67968) "simd_load32_splat_dropped\00") ;; slot 38
  (data (i32.const 68032) "simd_load32_splat_times_zero\00") ;; slot 39
  (data (i32.const 68096) "simd_load32_splat_select\00") ;; slot 40
  (data (i32.const 68160) "__tvm_module_ctx\00")

  (elem (i32.const 1) func
    $simd_f32x4_add
    $simd_f32x4_sub
    $simd_f32x4_mul
    $simd_f32x4_div
    $simd_f32x4_min
    $simd_f32x4_max
    $simd_f32x4_pmin
    $simd_f32x4_pmax
    $simd_f32x4_gt
    $simd_f32x4_ge
    $simd_i32x4_ne
    $simd_v128_bitselect
    $simd_i32x4_trunc_sat_f32x4_s
    $simd_i32x4_trunc_sat_f32x4_u
    $simd_f32x4_convert_i32x4_s
    $simd_f32x4_convert_i32x4_u
    $simd_splat
    $simd_lanes
    $simd_shuffle
    $simd_load
    $simd_load_off16
    $simd_load_offmax
    $simd_load32_splat
    $simd_load32_splat_offmax
    $simd_load64_zero
    $simd_load32_zero
    $simd_load8_splat
    $simd_load64_splat
    $simd_load32_lane
    $simd_load64_lane
    $simd_load8_lane
    $simd_load8x8_s
    $simd_store
    $simd_store_offmax
    $simd_store64_lane
    $simd_store32_lane
    $simd_store8_lane
    $simd_load32_splat_dropped
    $simd_load32_splat_times_zero
    $simd_load32_splat_select)

  ;; ---- constructor: the system-lib registration ----
  (func $__wasm_call_ctors (export "__wasm_call_ctors")
    (local $i i32)
    (drop (call $register (i32.const 68160) (i32.const 68224)))
    (local.set $i (i32.const 1))
    (loop $each
      (drop (call $register (i32.add (i32.const 65536) (i32.shl (local.get $i) (i32.const 6)))
                            (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $each (i32.le_u (local.get $i) (i32.const 40)))))

  ;; ---- helpers (not kernels) ----
  ;; args[0] and args[1] are DLTensor handles; DLTensor.data is at offset 0.
  (func $x_data (param $args i32) (result i32) (i32.load (i32.load (local.get $args))))
  (func $y_data (param $args i32) (result i32) (i32.load (i32.load offset=8 (local.get $args))))
  (func $mem_end (result i32) (i32.shl (memory.size) (i32.const 16)))
  (func $address (param $x i32) (param $end i32) (result i32)
    (i32.add (i32.load (local.get $x))
             (i32.mul (i32.load offset=4 (local.get $x)) (local.get $end))))
  ;; mode 0: fill the last 32 bytes with 0xE0..0xFF and return 1 (do the access)
  (func $mode_op (param $x i32) (param $end i32) (result i32)
    (if (i32.load offset=8 (local.get $x)) (then (return (i32.const 0))))
    (i64.store (i32.sub (local.get $end) (i32.const 32)) (i64.const 0xe7e6e5e4e3e2e1e0))
    (i64.store (i32.sub (local.get $end) (i32.const 24)) (i64.const 0xefeeedecebeae9e8))
    (i64.store (i32.sub (local.get $end) (i32.const 16)) (i64.const 0xf7f6f5f4f3f2f1f0))
    (i64.store (i32.sub (local.get $end) (i32.const 8)) (i64.const 0xfffefdfcfbfaf9f8))
    (i32.const 1))
  (func $dump (param $y i32) (param $addr i32) (param $end i32)
    (i32.store offset=16 (local.get $y) (local.get $addr))
    (i32.store offset=20 (local.get $y) (local.get $end))
    (i64.store offset=24 (local.get $y) (i64.const 0))
    (i64.store offset=32 (local.get $y) (i64.load (i32.sub (local.get $end) (i32.const 32))))
    (i64.store offset=40 (local.get $y) (i64.load (i32.sub (local.get $end) (i32.const 24))))
    (i64.store offset=48 (local.get $y) (i64.load (i32.sub (local.get $end) (i32.const 16))))
    (i64.store offset=56 (local.get $y) (i64.load (i32.sub (local.get $end) (i32.const 8)))))

  ;; ---- lane-wise arithmetic, comparisons, conversions ----
  (func $simd_f32x4_add (type $packed)
    (local $x i32) (local $y i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (v128.store offset=0 (local.get $y)
      (f32x4.add (v128.load offset=0 (local.get $x)) (v128.load offset=16 (local.get $x))))
    (v128.store offset=16 (local.get $y)
      (f32x4.add (v128.load offset=16 (local.get $x)) (v128.load offset=0 (local.get $x))))
    (v128.store offset=32 (local.get $y)
      (f32x4.add (v128.load offset=32 (local.get $x)) (v128.load offset=48 (local.get $x))))
    (v128.store offset=48 (local.get $y)
      (f32x4.add (v128.load offset=48 (local.get $x)) (v128.load offset=32 (local.get $x))))
    (i32.const 0))

  (func $simd_f32x4_sub (type $packed)
    (local $x i32) (local $y i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (v128.store offset=0 (local.get $y)
      (f32x4.sub (v128.load offset=0 (local.get $x)) (v128.load offset=16 (local.get $x))))
    (v128.store offset=16 (local.get $y)
      (f32x4.sub (v128.load offset=16 (local.get $x)) (v128.load offset=0 (local.get $x))))
    (v128.store offset=32 (local.get $y)
      (f32x4.sub (v128.load offset=32 (local.get $x)) (v128.load offset=48 (local.get $x))))
    (v128.store offset=48 (local.get $y)
      (f32x4.sub (v128.load offset=48 (local.get $x)) (v128.load offset=32 (local.get $x))))
    (i32.const 0))

  (func $simd_f32x4_mul (type $packed)
    (local $x i32) (local $y i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (v128.store offset=0 (local.get $y)
      (f32x4.mul (v128.load offset=0 (local.get $x)) (v128.load offset=16 (local.get $x))))
    (v128.store offset=16 (local.get $y)
      (f32x4.mul (v128.load offset=16 (local.get $x)) (v128.load offset=0 (local.get $x))))
    (v128.store offset=32 (local.get $y)
      (f32x4.mul (v128.load offset=32 (local.get $x)) (v128.load offset=48 (local.get $x))))
    (v128.store offset=48 (local.get $y)
      (f32x4.mul (v128.load offset=48 (local.get $x)) (v128.load offset=32 (local.get $x))))
    (i32.const 0))

  (func $simd_f32x4_div (type $packed)
    (local $x i32) (local $y i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (v128.store offset=0 (local.get $y)
      (f32x4.div (v128.load offset=0 (local.get $x)) (v128.load offset=16 (local.get $x))))
    (v128.store offset=16 (local.get $y)
      (f32x4.div (v128.load offset=16 (local.get $x)) (v128.load offset=0 (local.get $x))))
    (v128.store offset=32 (local.get $y)
      (f32x4.div (v128.load offset=32 (local.get $x)) (v128.load offset=48 (local.get $x))))
    (v128.store offset=48 (local.get $y)
      (f32x4.div (v128.load offset=48 (local.get $x)) (v128.load offset=32 (local.get $x))))
    (i32.const 0))

  (func $simd_f32x4_min (type $packed)
    (local $x i32) (local $y i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (v128.store offset=0 (local.get $y)
      (f32x4.min (v128.load offset=0 (local.get $x)) (v128.load offset=16 (local.get $x))))
    (v128.store offset=16 (local.get $y)
      (f32x4.min (v128.load offset=16 (local.get $x)) (v128.load offset=0 (local.get $x))))
    (v128.store offset=32 (local.get $y)
      (f32x4.min (v128.load offset=32 (local.get $x)) (v128.load offset=48 (local.get $x))))
    (v128.store offset=48 (local.get $y)
      (f32x4.min (v128.load offset=48 (local.get $x)) (v128.load offset=32 (local.get $x))))
    (i32.const 0))

  (func $simd_f32x4_max (type $packed)
    (local $x i32) (local $y i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (v128.store offset=0 (local.get $y)
      (f32x4.max (v128.load offset=0 (local.get $x)) (v128.load offset=16 (local.get $x))))
    (v128.store offset=16 (local.get $y)
      (f32x4.max (v128.load offset=16 (local.get $x)) (v128.load offset=0 (local.get $x))))
    (v128.store offset=32 (local.get $y)
      (f32x4.max (v128.load offset=32 (local.get $x)) (v128.load offset=48 (local.get $x))))
    (v128.store offset=48 (local.get $y)
      (f32x4.max (v128.load offset=48 (local.get $x)) (v128.load offset=32 (local.get $x))))
    (i32.const 0))

  (func $simd_f32x4_pmin (type $packed)
    (local $x i32) (local $y i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (v128.store offset=0 (local.get $y)
      (f32x4.pmin (v128.load offset=0 (local.get $x)) (v128.load offset=16 (local.get $x))))
    (v128.store offset=16 (local.get $y)
      (f32x4.pmin (v128.load offset=16 (local.get $x)) (v128.load offset=0 (local.get $x))))
    (v128.store offset=32 (local.get $y)
      (f32x4.pmin (v128.load offset=32 (local.get $x)) (v128.load offset=48 (local.get $x))))
    (v128.store offset=48 (local.get $y)
      (f32x4.pmin (v128.load offset=48 (local.get $x)) (v128.load offset=32 (local.get $x))))
    (i32.const 0))

  (func $simd_f32x4_pmax (type $packed)
    (local $x i32) (local $y i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (v128.store offset=0 (local.get $y)
      (f32x4.pmax (v128.load offset=0 (local.get $x)) (v128.load offset=16 (local.get $x))))
    (v128.store offset=16 (local.get $y)
      (f32x4.pmax (v128.load offset=16 (local.get $x)) (v128.load offset=0 (local.get $x))))
    (v128.store offset=32 (local.get $y)
      (f32x4.pmax (v128.load offset=32 (local.get $x)) (v128.load offset=48 (local.get $x))))
    (v128.store offset=48 (local.get $y)
      (f32x4.pmax (v128.load offset=48 (local.get $x)) (v128.load offset=32 (local.get $x))))
    (i32.const 0))

  (func $simd_f32x4_gt (type $packed)
    (local $x i32) (local $y i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (v128.store offset=0 (local.get $y)
      (f32x4.gt (v128.load offset=0 (local.get $x)) (v128.load offset=16 (local.get $x))))
    (v128.store offset=16 (local.get $y)
      (f32x4.gt (v128.load offset=16 (local.get $x)) (v128.load offset=0 (local.get $x))))
    (v128.store offset=32 (local.get $y)
      (f32x4.gt (v128.load offset=32 (local.get $x)) (v128.load offset=48 (local.get $x))))
    (v128.store offset=48 (local.get $y)
      (f32x4.gt (v128.load offset=48 (local.get $x)) (v128.load offset=32 (local.get $x))))
    (i32.const 0))

  (func $simd_f32x4_ge (type $packed)
    (local $x i32) (local $y i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (v128.store offset=0 (local.get $y)
      (f32x4.ge (v128.load offset=0 (local.get $x)) (v128.load offset=16 (local.get $x))))
    (v128.store offset=16 (local.get $y)
      (f32x4.ge (v128.load offset=16 (local.get $x)) (v128.load offset=0 (local.get $x))))
    (v128.store offset=32 (local.get $y)
      (f32x4.ge (v128.load offset=32 (local.get $x)) (v128.load offset=48 (local.get $x))))
    (v128.store offset=48 (local.get $y)
      (f32x4.ge (v128.load offset=48 (local.get $x)) (v128.load offset=32 (local.get $x))))
    (i32.const 0))

  (func $simd_i32x4_ne (type $packed)
    (local $x i32) (local $y i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (v128.store offset=0 (local.get $y)
      (i32x4.ne (v128.load offset=0 (local.get $x)) (v128.load offset=16 (local.get $x))))
    (v128.store offset=16 (local.get $y)
      (i32x4.ne (v128.load offset=16 (local.get $x)) (v128.load offset=0 (local.get $x))))
    (v128.store offset=32 (local.get $y)
      (i32x4.ne (v128.load offset=32 (local.get $x)) (v128.load offset=48 (local.get $x))))
    (v128.store offset=48 (local.get $y)
      (i32x4.ne (v128.load offset=48 (local.get $x)) (v128.load offset=32 (local.get $x))))
    (i32.const 0))

  (func $simd_i32x4_trunc_sat_f32x4_s (type $packed)
    (local $x i32) (local $y i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (v128.store offset=0 (local.get $y)
      (i32x4.trunc_sat_f32x4_s (v128.load offset=0 (local.get $x))))
    (v128.store offset=16 (local.get $y)
      (i32x4.trunc_sat_f32x4_s (v128.load offset=16 (local.get $x))))
    (v128.store offset=32 (local.get $y)
      (i32x4.trunc_sat_f32x4_s (v128.load offset=32 (local.get $x))))
    (v128.store offset=48 (local.get $y)
      (i32x4.trunc_sat_f32x4_s (v128.load offset=48 (local.get $x))))
    (i32.const 0))

  (func $simd_i32x4_trunc_sat_f32x4_u (type $packed)
    (local $x i32) (local $y i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (v128.store offset=0 (local.get $y)
      (i32x4.trunc_sat_f32x4_u (v128.load offset=0 (local.get $x))))
    (v128.store offset=16 (local.get $y)
      (i32x4.trunc_sat_f32x4_u (v128.load offset=16 (local.get $x))))
    (v128.store offset=32 (local.get $y)
      (i32x4.trunc_sat_f32x4_u (v128.load offset=32 (local.get $x))))
    (v128.store offset=48 (local.get $y)
      (i32x4.trunc_sat_f32x4_u (v128.load offset=48 (local.get $x))))
    (i32.const 0))

  (func $simd_f32x4_convert_i32x4_s (type $packed)
    (local $x i32) (local $y i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (v128.store offset=0 (local.get $y) (f32x4.convert_i32x4_s (v128.load offset=0 (local.get $x))))
    (v128.store offset=16 (local.get $y)
      (f32x4.convert_i32x4_s (v128.load offset=16 (local.get $x))))
    (v128.store offset=32 (local.get $y)
      (f32x4.convert_i32x4_s (v128.load offset=32 (local.get $x))))
    (v128.store offset=48 (local.get $y)
      (f32x4.convert_i32x4_s (v128.load offset=48 (local.get $x))))
    (i32.const 0))

  (func $simd_f32x4_convert_i32x4_u (type $packed)
    (local $x i32) (local $y i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (v128.store offset=0 (local.get $y) (f32x4.convert_i32x4_u (v128.load offset=0 (local.get $x))))
    (v128.store offset=16 (local.get $y)
      (f32x4.convert_i32x4_u (v128.load offset=16 (local.get $x))))
    (v128.store offset=32 (local.get $y)
      (f32x4.convert_i32x4_u (v128.load offset=32 (local.get $x))))
    (v128.store offset=48 (local.get $y)
      (f32x4.convert_i32x4_u (v128.load offset=48 (local.get $x))))
    (i32.const 0))


  ;; ---- bit selection, splats, lanes, shuffles ----
  (func $simd_v128_bitselect (type $packed)
    (local $x i32) (local $y i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (v128.store offset=0 (local.get $y)
      (v128.bitselect (v128.load offset=0 (local.get $x)) (v128.load offset=16 (local.get $x))
                      (v128.load offset=32 (local.get $x))))
    (v128.store offset=16 (local.get $y)
      (v128.bitselect (v128.load offset=16 (local.get $x)) (v128.load offset=0 (local.get $x))
                      (v128.load offset=32 (local.get $x))))
    (v128.store offset=32 (local.get $y)
      (v128.bitselect (v128.load offset=0 (local.get $x)) (v128.load offset=16 (local.get $x))
                      (v128.load offset=48 (local.get $x))))
    (v128.store offset=48 (local.get $y)
      (v128.bitselect (v128.load offset=16 (local.get $x)) (v128.load offset=0 (local.get $x))
                      (v128.load offset=48 (local.get $x))))
    (i32.const 0))

  ;; y[0..3] = f32x4.splat(f32 x[0]), y[4..7] = i32x4.splat(x[1]),
  ;; y[8..11] = i8x16.splat(x[2]), y[12..15] = i16x8.splat(x[3])
  (func $simd_splat (type $packed)
    (local $x i32) (local $y i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (v128.store offset=0 (local.get $y) (f32x4.splat (f32.load offset=0 (local.get $x))))
    (v128.store offset=16 (local.get $y) (i32x4.splat (i32.load offset=4 (local.get $x))))
    (v128.store offset=32 (local.get $y) (i8x16.splat (i32.load offset=8 (local.get $x))))
    (v128.store offset=48 (local.get $y) (i16x8.splat (i32.load offset=12 (local.get $x))))
    (i32.const 0))

  ;; extract_lane and replace_lane; a = x[0..3], b = x[4..7], c = x[8..11]
  (func $simd_lanes (type $packed)
    (local $x i32) (local $y i32) (local $a v128) (local $b v128) (local $c v128)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (local.set $a (v128.load offset=0 (local.get $x)))
    (local.set $b (v128.load offset=16 (local.get $x)))
    (local.set $c (v128.load offset=32 (local.get $x)))
    (f32.store offset=0 (local.get $y) (f32x4.extract_lane 3 (local.get $a)))
    (i32.store offset=4 (local.get $y) (i32x4.extract_lane 2 (local.get $a)))
    (i32.store offset=8 (local.get $y) (i8x16.extract_lane_s 5 (local.get $a)))
    (i32.store offset=12 (local.get $y) (i8x16.extract_lane_u 5 (local.get $a)))
    (i32.store offset=16 (local.get $y) (i16x8.extract_lane_s 7 (local.get $a)))
    (i32.store offset=20 (local.get $y) (i16x8.extract_lane_u 7 (local.get $a)))
    (f32.store offset=24 (local.get $y) (f32x4.extract_lane 0 (local.get $b)))
    (i32.store offset=28 (local.get $y) (i8x16.extract_lane_s 4 (local.get $b)))
    (v128.store offset=32 (local.get $y)
      (f32x4.replace_lane 2 (local.get $a) (f32x4.extract_lane 1 (local.get $b))))
    (v128.store offset=48 (local.get $y)
      (i32x4.replace_lane 0
        (i8x16.replace_lane 13 (local.get $c) (i32x4.extract_lane 2 (local.get $b)))
        (i32x4.extract_lane 3 (local.get $b))))
    (i32.const 0))

  ;; y[0..3], y[4..7]: the two i8x16.shuffle patterns TVM's kernels use;
  ;; y[8..11]: a pattern mixing both operands; y[12..15] = i8x16.swizzle(a, c)
  (func $simd_shuffle (type $packed)
    (local $x i32) (local $y i32) (local $a v128) (local $b v128)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (local.set $a (v128.load offset=0 (local.get $x)))
    (local.set $b (v128.load offset=16 (local.get $x)))
    (v128.store offset=0 (local.get $y)
      (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a) (local.get $b)))
    (v128.store offset=16 (local.get $y)
      (i8x16.shuffle 0 0 0 0 0 0 0 0 0 1 2 3 8 9 10 11 (local.get $a) (local.get $b)))
    (v128.store offset=32 (local.get $y)
      (i8x16.shuffle 31 16 15 0 5 20 10 25 30 1 17 14 3 19 22 8 (local.get $a) (local.get $b)))
    (v128.store offset=48 (local.get $y)
      (i8x16.swizzle (local.get $a) (v128.load offset=32 (local.get $x))))
    (i32.const 0))

  ;; ---- memory accesses at the end of memory ----
  (func $simd_load (type $packed)
    (local $x i32) (local $y i32) (local $end i32) (local $addr i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (local.set $end (call $mem_end))
    (local.set $addr (call $address (local.get $x) (local.get $end)))
    (v128.store (local.get $y) (v128.const i64x2 0 0))
    (if (call $mode_op (local.get $x) (local.get $end))
      (then (v128.store (local.get $y) (v128.load (local.get $addr)))))
    (call $dump (local.get $y) (local.get $addr) (local.get $end))
    (i32.const 0))

  (func $simd_load_off16 (type $packed)
    (local $x i32) (local $y i32) (local $end i32) (local $addr i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (local.set $end (call $mem_end))
    (local.set $addr (call $address (local.get $x) (local.get $end)))
    (v128.store (local.get $y) (v128.const i64x2 0 0))
    (if (call $mode_op (local.get $x) (local.get $end))
      (then (v128.store (local.get $y) (v128.load offset=16 (local.get $addr)))))
    (call $dump (local.get $y) (local.get $addr) (local.get $end))
    (i32.const 0))

  (func $simd_load_offmax (type $packed)
    (local $x i32) (local $y i32) (local $end i32) (local $addr i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (local.set $end (call $mem_end))
    (local.set $addr (call $address (local.get $x) (local.get $end)))
    (v128.store (local.get $y) (v128.const i64x2 0 0))
    (if (call $mode_op (local.get $x) (local.get $end))
      (then (v128.store (local.get $y) (v128.load offset=4294967295 (local.get $addr)))))
    (call $dump (local.get $y) (local.get $addr) (local.get $end))
    (i32.const 0))

  (func $simd_load32_splat (type $packed)
    (local $x i32) (local $y i32) (local $end i32) (local $addr i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (local.set $end (call $mem_end))
    (local.set $addr (call $address (local.get $x) (local.get $end)))
    (v128.store (local.get $y) (v128.const i64x2 0 0))
    (if (call $mode_op (local.get $x) (local.get $end))
      (then (v128.store (local.get $y) (v128.load32_splat (local.get $addr)))))
    (call $dump (local.get $y) (local.get $addr) (local.get $end))
    (i32.const 0))

  (func $simd_load32_splat_offmax (type $packed)
    (local $x i32) (local $y i32) (local $end i32) (local $addr i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (local.set $end (call $mem_end))
    (local.set $addr (call $address (local.get $x) (local.get $end)))
    (v128.store (local.get $y) (v128.const i64x2 0 0))
    (if (call $mode_op (local.get $x) (local.get $end))
      (then (v128.store (local.get $y) (v128.load32_splat offset=4294967295 (local.get $addr)))))
    (call $dump (local.get $y) (local.get $addr) (local.get $end))
    (i32.const 0))

  (func $simd_load64_zero (type $packed)
    (local $x i32) (local $y i32) (local $end i32) (local $addr i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (local.set $end (call $mem_end))
    (local.set $addr (call $address (local.get $x) (local.get $end)))
    (v128.store (local.get $y) (v128.const i64x2 0 0))
    (if (call $mode_op (local.get $x) (local.get $end))
      (then (v128.store (local.get $y) (v128.load64_zero (local.get $addr)))))
    (call $dump (local.get $y) (local.get $addr) (local.get $end))
    (i32.const 0))

  (func $simd_load32_zero (type $packed)
    (local $x i32) (local $y i32) (local $end i32) (local $addr i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (local.set $end (call $mem_end))
    (local.set $addr (call $address (local.get $x) (local.get $end)))
    (v128.store (local.get $y) (v128.const i64x2 0 0))
    (if (call $mode_op (local.get $x) (local.get $end))
      (then (v128.store (local.get $y) (v128.load32_zero (local.get $addr)))))
    (call $dump (local.get $y) (local.get $addr) (local.get $end))
    (i32.const 0))

  (func $simd_load8_splat (type $packed)
    (local $x i32) (local $y i32) (local $end i32) (local $addr i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (local.set $end (call $mem_end))
    (local.set $addr (call $address (local.get $x) (local.get $end)))
    (v128.store (local.get $y) (v128.const i64x2 0 0))
    (if (call $mode_op (local.get $x) (local.get $end))
      (then (v128.store (local.get $y) (v128.load8_splat (local.get $addr)))))
    (call $dump (local.get $y) (local.get $addr) (local.get $end))
    (i32.const 0))

  (func $simd_load64_splat (type $packed)
    (local $x i32) (local $y i32) (local $end i32) (local $addr i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (local.set $end (call $mem_end))
    (local.set $addr (call $address (local.get $x) (local.get $end)))
    (v128.store (local.get $y) (v128.const i64x2 0 0))
    (if (call $mode_op (local.get $x) (local.get $end))
      (then (v128.store (local.get $y) (v128.load64_splat (local.get $addr)))))
    (call $dump (local.get $y) (local.get $addr) (local.get $end))
    (i32.const 0))

  (func $simd_load32_lane (type $packed)
    (local $x i32) (local $y i32) (local $end i32) (local $addr i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (local.set $end (call $mem_end))
    (local.set $addr (call $address (local.get $x) (local.get $end)))
    (v128.store (local.get $y) (v128.const i64x2 0 0))
    (if (call $mode_op (local.get $x) (local.get $end))
      (then (v128.store (local.get $y) (v128.load32_lane 1 (local.get $addr)
        (v128.const i32x4 0x11111111 0x22222222 0x33333333 0x44444444)))))
    (call $dump (local.get $y) (local.get $addr) (local.get $end))
    (i32.const 0))

  (func $simd_load64_lane (type $packed)
    (local $x i32) (local $y i32) (local $end i32) (local $addr i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (local.set $end (call $mem_end))
    (local.set $addr (call $address (local.get $x) (local.get $end)))
    (v128.store (local.get $y) (v128.const i64x2 0 0))
    (if (call $mode_op (local.get $x) (local.get $end))
      (then (v128.store (local.get $y) (v128.load64_lane 0 (local.get $addr)
        (v128.const i32x4 0x11111111 0x22222222 0x33333333 0x44444444)))))
    (call $dump (local.get $y) (local.get $addr) (local.get $end))
    (i32.const 0))

  (func $simd_load8_lane (type $packed)
    (local $x i32) (local $y i32) (local $end i32) (local $addr i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (local.set $end (call $mem_end))
    (local.set $addr (call $address (local.get $x) (local.get $end)))
    (v128.store (local.get $y) (v128.const i64x2 0 0))
    (if (call $mode_op (local.get $x) (local.get $end))
      (then (v128.store (local.get $y) (v128.load8_lane 15 (local.get $addr)
        (v128.const i32x4 0x11111111 0x22222222 0x33333333 0x44444444)))))
    (call $dump (local.get $y) (local.get $addr) (local.get $end))
    (i32.const 0))

  (func $simd_load8x8_s (type $packed)
    (local $x i32) (local $y i32) (local $end i32) (local $addr i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (local.set $end (call $mem_end))
    (local.set $addr (call $address (local.get $x) (local.get $end)))
    (v128.store (local.get $y) (v128.const i64x2 0 0))
    (if (call $mode_op (local.get $x) (local.get $end))
      (then (v128.store (local.get $y) (v128.load8x8_s (local.get $addr)))))
    (call $dump (local.get $y) (local.get $addr) (local.get $end))
    (i32.const 0))

  (func $simd_store (type $packed)
    (local $x i32) (local $y i32) (local $end i32) (local $addr i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (local.set $end (call $mem_end))
    (local.set $addr (call $address (local.get $x) (local.get $end)))
    (v128.store (local.get $y) (v128.const i64x2 0 0))
    (if (call $mode_op (local.get $x) (local.get $end))
      (then (v128.store (local.get $addr)
                  (v128.const i32x4 0x03020100 0x07060504 0x0b0a0908 0x0f0e0d0c))))
    (call $dump (local.get $y) (local.get $addr) (local.get $end))
    (i32.const 0))

  (func $simd_store_offmax (type $packed)
    (local $x i32) (local $y i32) (local $end i32) (local $addr i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (local.set $end (call $mem_end))
    (local.set $addr (call $address (local.get $x) (local.get $end)))
    (v128.store (local.get $y) (v128.const i64x2 0 0))
    (if (call $mode_op (local.get $x) (local.get $end))
      (then (v128.store offset=4294967295 (local.get $addr)
                  (v128.const i32x4 0x03020100 0x07060504 0x0b0a0908 0x0f0e0d0c))))
    (call $dump (local.get $y) (local.get $addr) (local.get $end))
    (i32.const 0))

  (func $simd_store64_lane (type $packed)
    (local $x i32) (local $y i32) (local $end i32) (local $addr i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (local.set $end (call $mem_end))
    (local.set $addr (call $address (local.get $x) (local.get $end)))
    (v128.store (local.get $y) (v128.const i64x2 0 0))
    (if (call $mode_op (local.get $x) (local.get $end))
      (then (v128.store64_lane 1 (local.get $addr)
                  (v128.const i32x4 0x03020100 0x07060504 0x0b0a0908 0x0f0e0d0c))))
    (call $dump (local.get $y) (local.get $addr) (local.get $end))
    (i32.const 0))

  (func $simd_store32_lane (type $packed)
    (local $x i32) (local $y i32) (local $end i32) (local $addr i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (local.set $end (call $mem_end))
    (local.set $addr (call $address (local.get $x) (local.get $end)))
    (v128.store (local.get $y) (v128.const i64x2 0 0))
    (if (call $mode_op (local.get $x) (local.get $end))
      (then (v128.store32_lane 2 (local.get $addr)
                  (v128.const i32x4 0x03020100 0x07060504 0x0b0a0908 0x0f0e0d0c))))
    (call $dump (local.get $y) (local.get $addr) (local.get $end))
    (i32.const 0))

  (func $simd_store8_lane (type $packed)
    (local $x i32) (local $y i32) (local $end i32) (local $addr i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (local.set $end (call $mem_end))
    (local.set $addr (call $address (local.get $x) (local.get $end)))
    (v128.store (local.get $y) (v128.const i64x2 0 0))
    (if (call $mode_op (local.get $x) (local.get $end))
      (then (v128.store8_lane 15 (local.get $addr)
                  (v128.const i32x4 0x03020100 0x07060504 0x0b0a0908 0x0f0e0d0c))))
    (call $dump (local.get $y) (local.get $addr) (local.get $end))
    (i32.const 0))

  ;; A splat load whose value ends up unused (dropped, multiplied by zero,
  ;; or feeding only a select that is never taken) must still trap: its
  ;; keep-alive barrier may be pruned only when the load is otherwise
  ;; anchored (compiler/llvm/load_barriers.c).
  (func $simd_load32_splat_dropped (type $packed)
    (local $x i32) (local $y i32) (local $end i32) (local $addr i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (local.set $end (call $mem_end))
    (local.set $addr (call $address (local.get $x) (local.get $end)))
    (v128.store (local.get $y) (v128.const i64x2 0 0))
    (if (call $mode_op (local.get $x) (local.get $end))
      (then (drop (v128.load32_splat (local.get $addr)))))
    (call $dump (local.get $y) (local.get $addr) (local.get $end))
    (i32.const 0))

  (func $simd_load32_splat_times_zero (type $packed)
    (local $x i32) (local $y i32) (local $end i32) (local $addr i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (local.set $end (call $mem_end))
    (local.set $addr (call $address (local.get $x) (local.get $end)))
    (v128.store (local.get $y) (v128.const i64x2 0 0))
    (if (call $mode_op (local.get $x) (local.get $end))
      (then (v128.store (local.get $y) (i32x4.mul (v128.load32_splat (local.get $addr))
                                             (v128.const i32x4 0 0 0 0)))))
    (call $dump (local.get $y) (local.get $addr) (local.get $end))
    (i32.const 0))

  (func $simd_load32_splat_select (type $packed)
    (local $x i32) (local $y i32) (local $end i32) (local $addr i32)
    (local.set $x (call $x_data (local.get 0)))
    (local.set $y (call $y_data (local.get 0)))
    (local.set $end (call $mem_end))
    (local.set $addr (call $address (local.get $x) (local.get $end)))
    (v128.store (local.get $y) (v128.const i64x2 0 0))
    (if (call $mode_op (local.get $x) (local.get $end))
      (then (v128.store (local.get $y) (select (result v128) (v128.load32_splat (local.get $addr))
                                   (v128.const i32x4 0 0 0 0) (i32.eq (local.get $end) (i32.const 7))))))
    (call $dump (local.get $y) (local.get $addr) (local.get $end))
    (i32.const 0))

)
