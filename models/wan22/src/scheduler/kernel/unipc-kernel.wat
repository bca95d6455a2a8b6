;; One UniPC step (x0 conversion, corrector UniC, predictor UniP) over float32 buffers in linear
;; memory, four elements at a time. Each f32x4 operation is an IEEE single-precision operation,
;; which for + - * / gives the same bits as the float64 operation rounded to float32 (what the
;; official solver's float32 tensor code and Math.fround give), so the result is bit-identical to
;; the element-wise definition in unipc-scheduler.ts; the operation order below is that one:
;;
;;   m    = x - sigma * v
;;   cur  = corrector ? (cSr * last - cAp * m0) - cAb * ([acc_c +] rhoT * (m - m0)) : x
;;          acc_c = (c1 - m0) / cR1 * cRho1 [+ (c2 - m0) / cR2 * cRho2]
;;   out  = (pSr * cur - pAp * m) [- pAb * acc_p]
;;          acc_p = (p1 - m) / pR1 * pRho1 [+ (p2 - m) / pR2 * pRho2]
;;
;; then last = cur and conv = m. Buffers are byte offsets, 16-byte aligned, holding n4 * 4 floats
;; (the caller pads). `last` is read before it is written and `conv` may be the buffer c1 or c2
;; is read from: both are read first at each index.
;;
;; Built into unipc-kernel-wasm.ts by `npm run -w models/wan22 build-kernels` (wabt's wat2wasm);
;; a test checks that the committed bytes are this file's.
(module
  (import "env" "memory" (memory 1))
  (func (export "step")
    (param $n4 i32)
    (param $v i32) (param $x i32) (param $conv i32) (param $last i32) (param $out i32)
    (param $m0p i32) (param $c1p i32) (param $c2p i32) (param $p1p i32) (param $p2p i32)
    ;; $corr: 0 or 1; $cn, $pn: number of older outputs (0, 1 or 2) of corrector and predictor
    (param $corr i32) (param $cn i32) (param $pn i32)
    (param $sigma f32)
    (param $cSr f32) (param $cAp f32) (param $cAb f32) (param $rhoT f32)
    (param $cR1 f32) (param $cR2 f32) (param $cRho1 f32) (param $cRho2 f32)
    (param $pSr f32) (param $pAp f32) (param $pAb f32)
    (param $pR1 f32) (param $pR2 f32) (param $pRho1 f32) (param $pRho2 f32)
    (local $i i32) (local $end i32)
    (local $vs v128) (local $vcSr v128) (local $vcAp v128) (local $vcAb v128) (local $vrhoT v128)
    (local $vcR1 v128) (local $vcR2 v128) (local $vcRho1 v128) (local $vcRho2 v128)
    (local $vpSr v128) (local $vpAp v128) (local $vpAb v128)
    (local $vpR1 v128) (local $vpR2 v128) (local $vpRho1 v128) (local $vpRho2 v128)
    (local $xv v128) (local $m v128) (local $m0 v128) (local $cur v128) (local $acc v128) (local $t v128)
    (local.set $vs (f32x4.splat (local.get $sigma)))
    (local.set $vcSr (f32x4.splat (local.get $cSr)))
    (local.set $vcAp (f32x4.splat (local.get $cAp)))
    (local.set $vcAb (f32x4.splat (local.get $cAb)))
    (local.set $vrhoT (f32x4.splat (local.get $rhoT)))
    (local.set $vcR1 (f32x4.splat (local.get $cR1)))
    (local.set $vcR2 (f32x4.splat (local.get $cR2)))
    (local.set $vcRho1 (f32x4.splat (local.get $cRho1)))
    (local.set $vcRho2 (f32x4.splat (local.get $cRho2)))
    (local.set $vpSr (f32x4.splat (local.get $pSr)))
    (local.set $vpAp (f32x4.splat (local.get $pAp)))
    (local.set $vpAb (f32x4.splat (local.get $pAb)))
    (local.set $vpR1 (f32x4.splat (local.get $pR1)))
    (local.set $vpR2 (f32x4.splat (local.get $pR2)))
    (local.set $vpRho1 (f32x4.splat (local.get $pRho1)))
    (local.set $vpRho2 (f32x4.splat (local.get $pRho2)))
    (local.set $end (i32.shl (local.get $n4) (i32.const 4)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        ;; m = x - sigma * v
        (local.set $xv (v128.load (i32.add (local.get $x) (local.get $i))))
        (local.set $m
          (f32x4.sub (local.get $xv)
            (f32x4.mul (local.get $vs) (v128.load (i32.add (local.get $v) (local.get $i))))))
        (local.set $cur (local.get $xv))
        (if (local.get $corr)
          (then
            (local.set $m0 (v128.load (i32.add (local.get $m0p) (local.get $i))))
            ;; t = rhoT * (m - m0)
            (local.set $t (f32x4.mul (local.get $vrhoT) (f32x4.sub (local.get $m) (local.get $m0))))
            (if (i32.gt_u (local.get $cn) (i32.const 0))
              (then
                (local.set $acc
                  (f32x4.mul
                    (f32x4.div
                      (f32x4.sub (v128.load (i32.add (local.get $c1p) (local.get $i))) (local.get $m0))
                      (local.get $vcR1))
                    (local.get $vcRho1)))
                (if (i32.gt_u (local.get $cn) (i32.const 1))
                  (then
                    (local.set $acc
                      (f32x4.add (local.get $acc)
                        (f32x4.mul
                          (f32x4.div
                            (f32x4.sub (v128.load (i32.add (local.get $c2p) (local.get $i))) (local.get $m0))
                            (local.get $vcR2))
                          (local.get $vcRho2))))))
                (local.set $t (f32x4.add (local.get $acc) (local.get $t)))))
            ;; cur = (cSr * last - cAp * m0) - cAb * t
            (local.set $cur
              (f32x4.sub
                (f32x4.sub
                  (f32x4.mul (local.get $vcSr) (v128.load (i32.add (local.get $last) (local.get $i))))
                  (f32x4.mul (local.get $vcAp) (local.get $m0)))
                (f32x4.mul (local.get $vcAb) (local.get $t))))))
        ;; out = (pSr * cur - pAp * m) - pAb * acc_p
        (local.set $t
          (f32x4.sub (f32x4.mul (local.get $vpSr) (local.get $cur)) (f32x4.mul (local.get $vpAp) (local.get $m))))
        (if (i32.gt_u (local.get $pn) (i32.const 0))
          (then
            (local.set $acc
              (f32x4.mul
                (f32x4.div
                  (f32x4.sub (v128.load (i32.add (local.get $p1p) (local.get $i))) (local.get $m))
                  (local.get $vpR1))
                (local.get $vpRho1)))
            (if (i32.gt_u (local.get $pn) (i32.const 1))
              (then
                (local.set $acc
                  (f32x4.add (local.get $acc)
                    (f32x4.mul
                      (f32x4.div
                        (f32x4.sub (v128.load (i32.add (local.get $p2p) (local.get $i))) (local.get $m))
                        (local.get $vpR2))
                      (local.get $vpRho2))))))
            (local.set $t (f32x4.sub (local.get $t) (f32x4.mul (local.get $vpAb) (local.get $acc))))))
        (v128.store (i32.add (local.get $out) (local.get $i)) (local.get $t))
        (v128.store (i32.add (local.get $last) (local.get $i)) (local.get $cur))
        (v128.store (i32.add (local.get $conv) (local.get $i)) (local.get $m))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $each)))))
