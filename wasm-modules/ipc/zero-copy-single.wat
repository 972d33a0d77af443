;; Zero-copy evaluation (docs/ipc.md): a guest whose only memory is an imported, shared pod segment, as clang builds a
;; shared-memory guest (-Wl,--import-memory,--shared-memory). test/ipc/zero-copy.test.ts runs two of them on one segment.
;; Not a pod guest. Built by wasm-modules/build.sh with binaryen's wasm-as.
(module
  (import "wasmpod_ipc" "segment" (memory $seg 1 4096 shared))
  (func (export "store") (param $off i32) (param $v i32)
    (i32.atomic.store (local.get $off) (local.get $v))
    (drop (memory.atomic.notify (local.get $off) (i32.const 1))))
  (func (export "load") (param $off i32) (result i32)
    (i32.atomic.load (local.get $off)))
  ;; sleeps while the word at $off holds $v (at most $ms): 0 woken, 1 not equal, 2 timed out
  (func (export "wait") (param $off i32) (param $v i32) (param $ms i32) (result i32)
    (memory.atomic.wait32 (local.get $off) (local.get $v) (i64.mul (i64.extend_i32_u (local.get $ms)) (i64.const 1000000))))
)
