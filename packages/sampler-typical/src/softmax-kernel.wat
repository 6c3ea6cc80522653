;; The softmax passes of @diffchat/sampler-typical over one row of logits, in WebAssembly SIMD (f64x2 for the
;; exponentials, f32x4 for the largest logit). Written by hand for this package; src/softmax-kernel.ts loads it and
;; src/softmax-kernel-bytes.ts holds its compiled bytes (regenerate with `pnpm build:wasm`).
;;
;; Memory layout, in bytes, for a row padded to P floats (a multiple of 16, padding at -Infinity):
;;   [0, 4P)          the row (float32)
;;   [4P, 12P)        either the candidates (P int32 ids, then P float32 logits) or P float64 weights
;;
;; Every exponential here is e^t for t = logit - max <= 0, computed as in the package's scalar exponential: the same
;; answer to within a few units in the last place of Math.exp (error analysis at $exponentials).
(module
  (memory (export "memory") 1)

  ;; The result of the last $exponentials besides Z: sum e^t t.
  (global $weightedShift (export "weightedShift") (mut f64) (f64.const 0))

  ;; The largest of the first 16 * $blocks floats. NaN propagates (f32x4.max), so a row holding NaN returns NaN.
  (func (export "largest") (param $blocks i32) (result f64)
    (local $p i32) (local $end i32) (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local.set $end (i32.shl (local.get $blocks) (i32.const 6)))
    ;; Four running maxima, so that each f32x4.max does not wait on the one before.
    (local.set $a (v128.const f32x4 -inf -inf -inf -inf))
    (local.set $b (local.get $a))
    (local.set $c (local.get $a))
    (local.set $d (local.get $a))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $a (f32x4.max (local.get $a) (v128.load offset=0 (local.get $p))))
        (local.set $b (f32x4.max (local.get $b) (v128.load offset=16 (local.get $p))))
        (local.set $c (f32x4.max (local.get $c) (v128.load offset=32 (local.get $p))))
        (local.set $d (f32x4.max (local.get $d) (v128.load offset=48 (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (br $next)))
    (local.set $a (f32x4.max (f32x4.max (local.get $a) (local.get $b)) (f32x4.max (local.get $c) (local.get $d))))
    (f64.promote_f32
      (f32.max
        (f32.max (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
        (f32.max (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a))))))

  ;; Lists the tokens among the first 4 * $quads floats whose logit is at least $floor, ids at $ids (int32) and logits
  ;; at $values (float32) in ascending id order, and returns how many there are. -Infinity is never listed as long as
  ;; $floor is above it.
  (func (export "collect") (param $quads i32) (param $floor f64) (param $ids i32) (param $values i32) (result i32)
    (local $p i32) (local $end i32) (local $count i32) (local $lane i32) (local $logit f32)
    (local $floors v128) (local $quad v128) (local $t_lo v128) (local $t_hi v128)
    (local.set $end (i32.shl (local.get $quads) (i32.const 4)))
    (local.set $floors (f64x2.splat (local.get $floor)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $quad (v128.load (local.get $p)))
        ;; Compared as doubles, so that the floor needs no rounding to float32.
        (local.set $t_lo (f64x2.promote_low_f32x4 (local.get $quad)))
        (local.set $t_hi
          (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $quad) (local.get $quad))))
        ;; Rare on language-model rows: the scalar path runs only for the quads that hold a candidate.
        (if (v128.any_true
              (v128.or (f64x2.ge (local.get $t_lo) (local.get $floors)) (f64x2.ge (local.get $t_hi) (local.get $floors))))
          (then
            (local.set $lane (i32.const 0))
            (loop $lanes
              (local.set $logit (f32.load (i32.add (local.get $p) (local.get $lane))))
              (if (f64.ge (f64.promote_f32 (local.get $logit)) (local.get $floor))
                (then
                  (i32.store
                    (i32.add (local.get $ids) (i32.shl (local.get $count) (i32.const 2)))
                    (i32.shr_u (i32.add (local.get $p) (local.get $lane)) (i32.const 2)))
                  (f32.store
                    (i32.add (local.get $values) (i32.shl (local.get $count) (i32.const 2)))
                    (local.get $logit))
                  (local.set $count (i32.add (local.get $count) (i32.const 1)))))
              (local.set $lane (i32.add (local.get $lane) (i32.const 4)))
              (br_if $lanes (i32.lt_u (local.get $lane) (i32.const 16))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next)))
    (local.get $count))

  ;; Constants of the exponential. They are mutable globals, read into locals before the loop, because V8 rebuilds a
  ;; v128.const from immediates at every use (three instructions each, inside the loop), whereas a value it cannot fold
  ;; stays in a register or a stack slot. $q0..$q9: q(r) = sum q_i r^i, see $exponentials.
  (global $inverseLn2 (mut v128) (v128.const f64x2 1.4426950408889634 1.4426950408889634))
  (global $roundingShift (mut v128) (v128.const f64x2 6755399441055744 6755399441055744))
  (global $ln2High (mut v128) (v128.const f64x2 0.6931471803691238 0.6931471803691238))
  (global $ln2Low (mut v128) (v128.const f64x2 1.9082149292705877e-10 1.9082149292705877e-10))
  (global $q0 (mut v128) (v128.const f64x2 0.5000000000000001 0.5000000000000001))
  (global $q1 (mut v128) (v128.const f64x2 0.16666666666666669 0.16666666666666669))
  (global $q2 (mut v128) (v128.const f64x2 4.1666666666624164e-02 4.1666666666624164e-02))
  (global $q3 (mut v128) (v128.const f64x2 8.333333333330065e-03 8.333333333330065e-03))
  (global $q4 (mut v128) (v128.const f64x2 1.388888891719689e-03 1.388888891719689e-03))
  (global $q5 (mut v128) (v128.const f64x2 1.9841269863040675e-04 1.9841269863040675e-04))
  (global $q6 (mut v128) (v128.const f64x2 2.480152132210459e-05 2.480152132210459e-05))
  (global $q7 (mut v128) (v128.const f64x2 2.7557268480106926e-06 2.7557268480106926e-06))
  (global $q8 (mut v128) (v128.const f64x2 2.762007600563138e-07 2.762007600563138e-07))
  (global $q9 (mut v128) (v128.const f64x2 2.5100375929185925e-08 2.5100375929185925e-08))
  (global $one (mut v128) (v128.const f64x2 1 1))
  (global $exponentBias (mut v128) (v128.const i64x2 1083 1083))
  (global $twoToMinus60 (mut v128) (v128.const f64x2 0x1p-60 0x1p-60))
  (global $lowest (mut v128) (v128.const f64x2 -746 -746))

  ;; One pass over the first 4 * $quads floats of the row, with t = logit - $max (the row's largest logit): returns
  ;; Z = sum e^t and leaves sum e^t t in $weightedShift (a NaN logit makes both NaN). When $weights is not 0, also
  ;; writes every e^t there (float64).
  ;;
  ;; The exponential: t is first raised to -746 (e^-746 rounds to 0, as does e^t for every t below it, -Infinity
  ;; included, and the clamped t keeps e^t t at 0 instead of NaN). Then t = k ln 2 + r with k = round(t / ln 2) and
  ;; |r| <= ln 2 / 2 (plus the rounding of t / ln 2); ln 2 is split into a high part with 21 trailing zero bits, so
  ;; k * ln2High is exact for |k| < 2^21, and a low part. e^r = 1 + r + r^2 q(r) with q a degree-9 near-minimax fit
  ;; (Chebyshev, on |r| <= 0.3466) of (e^r - 1 - r) / r^2, relative error below 2e-17 in exact arithmetic, evaluated
  ;; by Estrin's scheme (short dependency chains); the result is within a few ulps of e^t. 2^k is built in the
  ;; exponent bits: adding 1.5 * 2^52 to t / ln 2 leaves k in the low bits of the sum, and shifting k + 1083 left by 52
  ;; gives 2^(k + 60), a normal double for every k >= -1076; multiplying by 2^-60 last rounds once, so results in the
  ;; subnormal range (t < -708.4) are right too.
  ;;
  ;; Each iteration takes four floats as two independent f64x2 halves, $lo and $hi, so that their chains overlap.
  (func (export "exponentials")
    (param $quads i32) (param $max f64) (param $weights i32) (result f64)
    (local $p i32) (local $end i32) (local $maxes v128) (local $z v128) (local $w v128) (local $quad v128)
    (local $t_lo v128) (local $t_hi v128)
    (local $shifted_lo v128) (local $shifted_hi v128)
    (local $k_lo v128) (local $k_hi v128)
    (local $r_lo v128) (local $r_hi v128)
    (local $r2_lo v128) (local $r2_hi v128)
    (local $r4_lo v128) (local $r4_hi v128)
    (local $e_lo v128) (local $e_hi v128)
    (local $inverseLn2 v128) (local $roundingShift v128) (local $ln2High v128) (local $ln2Low v128) (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128) (local $q4 v128) (local $q5 v128) (local $q6 v128) (local $q7 v128) (local $q8 v128) (local $q9 v128) (local $one v128) (local $exponentBias v128) (local $twoToMinus60 v128) (local $lowest v128)
    (local.set $inverseLn2 (global.get $inverseLn2))
    (local.set $roundingShift (global.get $roundingShift))
    (local.set $ln2High (global.get $ln2High))
    (local.set $ln2Low (global.get $ln2Low))
    (local.set $q0 (global.get $q0))
    (local.set $q1 (global.get $q1))
    (local.set $q2 (global.get $q2))
    (local.set $q3 (global.get $q3))
    (local.set $q4 (global.get $q4))
    (local.set $q5 (global.get $q5))
    (local.set $q6 (global.get $q6))
    (local.set $q7 (global.get $q7))
    (local.set $q8 (global.get $q8))
    (local.set $q9 (global.get $q9))
    (local.set $one (global.get $one))
    (local.set $exponentBias (global.get $exponentBias))
    (local.set $twoToMinus60 (global.get $twoToMinus60))
    (local.set $lowest (global.get $lowest))
    (local.set $end (i32.shl (local.get $quads) (i32.const 4)))
    (local.set $maxes (f64x2.splat (local.get $max)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $quad (v128.load (local.get $p)))
        (local.set $t_lo (f64x2.promote_low_f32x4 (local.get $quad)))
        (local.set $t_hi
          (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $quad) (local.get $quad))))
        ;; t = max(logit - max, -746); pmax keeps NaN.
        (local.set $t_lo (f64x2.pmax (f64x2.sub (local.get $t_lo) (local.get $maxes)) (local.get $lowest)))
        (local.set $t_hi (f64x2.pmax (f64x2.sub (local.get $t_hi) (local.get $maxes)) (local.get $lowest)))
        ;; t / ln 2 + 1.5 * 2^52: rounding to a whole number happens in this addition.
        (local.set $shifted_lo (f64x2.add (f64x2.mul (local.get $t_lo) (local.get $inverseLn2)) (local.get $roundingShift)))
        (local.set $shifted_hi (f64x2.add (f64x2.mul (local.get $t_hi) (local.get $inverseLn2)) (local.get $roundingShift)))
        (local.set $k_lo (f64x2.sub (local.get $shifted_lo) (local.get $roundingShift)))
        (local.set $k_hi (f64x2.sub (local.get $shifted_hi) (local.get $roundingShift)))
        (local.set $r_lo (f64x2.sub (local.get $t_lo) (f64x2.mul (local.get $k_lo) (local.get $ln2High))))
        (local.set $r_hi (f64x2.sub (local.get $t_hi) (f64x2.mul (local.get $k_hi) (local.get $ln2High))))
        (local.set $r_lo (f64x2.sub (local.get $r_lo) (f64x2.mul (local.get $k_lo) (local.get $ln2Low))))
        (local.set $r_hi (f64x2.sub (local.get $r_hi) (f64x2.mul (local.get $k_hi) (local.get $ln2Low))))
        (local.set $r2_lo (f64x2.mul (local.get $r_lo) (local.get $r_lo)))
        (local.set $r2_hi (f64x2.mul (local.get $r_hi) (local.get $r_hi)))
        (local.set $r4_lo (f64x2.mul (local.get $r2_lo) (local.get $r2_lo)))
        (local.set $r4_hi (f64x2.mul (local.get $r2_hi) (local.get $r2_hi)))
        ;; q = (q0 + q1 r + r^2 (q2 + q3 r)) + r^4 ((q4 + q5 r + r^2 (q6 + q7 r)) + r^4 (q8 + q9 r)), held in $e.
        (local.set $e_lo
          (f64x2.add
            (f64x2.add
              (f64x2.add (local.get $q0) (f64x2.mul (local.get $q1) (local.get $r_lo)))
              (f64x2.mul (local.get $r2_lo) (f64x2.add (local.get $q2) (f64x2.mul (local.get $q3) (local.get $r_lo)))))
            (f64x2.mul
              (local.get $r4_lo)
              (f64x2.add
                (f64x2.add
                  (f64x2.add (local.get $q4) (f64x2.mul (local.get $q5) (local.get $r_lo)))
                  (f64x2.mul (local.get $r2_lo) (f64x2.add (local.get $q6) (f64x2.mul (local.get $q7) (local.get $r_lo)))))
                (f64x2.mul (local.get $r4_lo) (f64x2.add (local.get $q8) (f64x2.mul (local.get $q9) (local.get $r_lo))))))))
        (local.set $e_hi
          (f64x2.add
            (f64x2.add
              (f64x2.add (local.get $q0) (f64x2.mul (local.get $q1) (local.get $r_hi)))
              (f64x2.mul (local.get $r2_hi) (f64x2.add (local.get $q2) (f64x2.mul (local.get $q3) (local.get $r_hi)))))
            (f64x2.mul
              (local.get $r4_hi)
              (f64x2.add
                (f64x2.add
                  (f64x2.add (local.get $q4) (f64x2.mul (local.get $q5) (local.get $r_hi)))
                  (f64x2.mul (local.get $r2_hi) (f64x2.add (local.get $q6) (f64x2.mul (local.get $q7) (local.get $r_hi)))))
                (f64x2.mul (local.get $r4_hi) (f64x2.add (local.get $q8) (f64x2.mul (local.get $q9) (local.get $r_hi))))))))
        ;; e^t = (1 + (r + r^2 q)) * 2^(k + 60) * 2^-60.
        (local.set $e_lo
          (f64x2.mul
            (f64x2.mul
              (f64x2.add (local.get $one) (f64x2.add (local.get $r_lo) (f64x2.mul (local.get $r2_lo) (local.get $e_lo))))
              (i64x2.shl (i64x2.add (local.get $shifted_lo) (local.get $exponentBias)) (i32.const 52)))
            (local.get $twoToMinus60)))
        (local.set $e_hi
          (f64x2.mul
            (f64x2.mul
              (f64x2.add (local.get $one) (f64x2.add (local.get $r_hi) (f64x2.mul (local.get $r2_hi) (local.get $e_hi))))
              (i64x2.shl (i64x2.add (local.get $shifted_hi) (local.get $exponentBias)) (i32.const 52)))
            (local.get $twoToMinus60)))
        (if (local.get $weights)
          (then
            (v128.store offset=0 (i32.add (local.get $weights) (i32.shl (local.get $p) (i32.const 1))) (local.get $e_lo))
            (v128.store offset=16 (i32.add (local.get $weights) (i32.shl (local.get $p) (i32.const 1))) (local.get $e_hi))))
        (local.set $z (f64x2.add (local.get $z) (f64x2.add (local.get $e_lo) (local.get $e_hi))))
        (local.set $w
          (f64x2.add
            (local.get $w)
            (f64x2.add
              (f64x2.mul (local.get $e_lo) (local.get $t_lo))
              (f64x2.mul (local.get $e_hi) (local.get $t_hi)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next)))
    (global.set $weightedShift
      (f64.add (f64x2.extract_lane 0 (local.get $w)) (f64x2.extract_lane 1 (local.get $w))))
    (f64.add (f64x2.extract_lane 0 (local.get $z)) (f64x2.extract_lane 1 (local.get $z)))))
