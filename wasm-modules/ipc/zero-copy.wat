;; Zero-copy evaluation (docs/ipc.md): a guest with its own memory that also imports a pod segment as a second,
;; shared memory (the multi-memory proposal). bench/ipc-zero-copy.js and test/ipc/zero-copy.test.ts use it; it is
;; not a pod guest (the runtime provides no "segment" import). Built by wasm-modules/build.sh with binaryen's wasm-as.
(module
  (import "wasmpod_ipc" "shm_atomic" (func $shm_atomic (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasmpod_ipc" "shm_read" (func $shm_read (param i32 i32 i32 i32) (result i32)))
  (import "wasmpod_ipc" "segment" (memory $seg 1 4096 shared))
  (memory $own (export "memory") 32)
  (func (export "store") (param $off i32) (param $v i32)
    (i32.atomic.store $seg (local.get $off) (local.get $v)))
  (func (export "load") (param $off i32) (result i32)
    (i32.atomic.load $seg (local.get $off)))
  ;; $n atomic loads of the word at $off: directly, then through the shm_atomic import (handle 1, LOAD, result at 0)
  (func (export "loads_direct") (param $n i32) (param $off i32) (result i32) (local $sum i32)
    (loop $l
      (local.set $sum (i32.add (local.get $sum) (i32.atomic.load $seg (local.get $off))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum))
  (func (export "loads_call") (param $n i32) (param $off i32) (result i32) (local $sum i32)
    (loop $l
      (drop (call $shm_atomic (i32.const 1) (i32.const 0) (local.get $off) (i32.const 0) (i32.const 0) (i32.const 0)))
      (local.set $sum (i32.add (local.get $sum) (i32.load $own (i32.const 0))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum))
  ;; $n copies of $len bytes from the segment's start to own memory at 1024: memory.copy, then shm_read
  (func (export "copies_direct") (param $n i32) (param $len i32)
    (loop $l
      (memory.copy $own $seg (i32.const 1024) (i32.const 0) (local.get $len))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "copies_call") (param $n i32) (param $len i32)
    (loop $l
      (drop (call $shm_read (i32.const 1) (i32.const 0) (i32.const 1024) (local.get $len)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
)
