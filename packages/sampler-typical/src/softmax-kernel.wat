;; The softmax passes of @diffchat/sampler-typical over one row of logits, in WebAssembly SIMD (f64x2 for the
;; exponentials and the division by the temperature, f32x4 for the largest logit). Written by hand for this package; src/softmax-kernel.ts loads it and
;; src/softmax-kernel-bytes.ts holds its compiled bytes (regenerate with `pnpm build:wasm`).
;;
;; Memory layout, in bytes, for a row padded to P floats (a multiple of 16, padding at -Infinity):
;;   [0, 512)              2^(j/64 - 60) for j = 0..63 (float64), the exponential's table
;;   [512, 512 + 4P)       the row (float32)
;;   [512 + 4P, 512 + 12P) either the candidates (P int32 ids, then P float32 logits) or P float64 weights
;; The functions take the row's address ($row, 512) and the addresses of their outputs as parameters.
;;
;; Every exponential here is e^t for t = logit - max <= 0, to within a few units in the last place of Math.exp (the
;; method and its error at $exponentials).
(module
  ;; The memory comes from the caller, which replaces it (with a new instance) for a longer row instead of growing it:
  ;; see src/softmax-kernel.ts.
  (import "kernel" "memory" (memory 1))
  (data (i32.const 0)
    "\00\00\00\00\00\00\30\3c\61\80\77\3e\9a\2c\30\3c\74\85\15\d3\b0\59\30\3c\c8\9b\75\18\45\87\30\3c"
    "\0f\89\f9\6c\58\b5\30\3c\a2\d1\d3\32\ec\e3\30\3c\51\5b\12\d0\01\13\31\3c\e0\2d\a9\ae\9a\42\31\3c"
    "\7b\51\7d\3c\b8\72\31\3c\75\cb\6f\eb\5b\a3\31\3c\aa\b9\68\31\87\d4\31\3c\d6\8c\62\88\3b\06\32\3c"
    "\38\62\75\6e\7a\38\32\3c\dd\7c\e2\65\45\6b\32\3c\e1\de\1f\f5\9d\9e\32\3c\0b\03\e4\a6\85\d2\32\3c"
    "\15\b7\31\0a\fe\06\33\3c\ff\16\64\b2\08\3c\33\3c\cb\a9\3a\37\a7\71\33\3c\f7\9f\e5\34\db\a7\33\3c"
    "\22\34\12\4c\a6\de\33\3c\2a\2e\f7\21\0a\16\34\3c\2d\89\61\60\08\4e\34\3c\d0\3c\c1\b5\a2\86\34\3c"
    "\27\2a\36\d5\da\bf\34\3c\a7\2c\9d\76\b2\f9\34\3c\82\4f\9d\56\2b\34\35\3c\da\27\b5\36\47\6f\35\3c"
    "\29\54\48\dd\07\ab\35\3c\48\21\ad\15\6f\e7\35\3c\85\55\3a\b0\7e\24\36\3c\25\22\55\82\38\62\36\3c"
    "\cd\3b\7f\66\9e\a0\36\3c\2f\1a\65\3c\b2\df\36\3c\74\5f\ec\e8\75\1f\37\3c\c9\67\42\56\eb\5f\37\3c"
    "\87\01\eb\73\14\a1\37\3c\62\4e\cf\36\f3\e2\37\3c\13\ce\4c\99\89\25\38\3c\ed\92\44\9b\d9\68\38\3c"
    "\db\a0\2a\42\e5\ac\38\3c\36\77\15\99\ae\f1\38\3c\e5\c5\cd\b0\37\37\39\3c\50\4e\de\9f\82\7d\39\3c"
    "\90\f0\a3\82\91\c4\39\3c\65\e5\5d\7b\66\0c\3a\3c\5d\25\3e\b2\03\55\3a\3c\bf\fd\79\55\6b\9e\3a\3c"
    "\ad\d3\5a\99\9f\e8\3a\3c\fb\15\4f\b8\a2\33\3b\3c\47\5e\fb\f2\76\7f\3b\3c\d2\c1\4b\90\1e\cc\3b\3c"
    "\9c\52\85\dd\9b\19\3c\3c\4b\d1\57\2e\f1\67\3c\3c\69\90\ef\dc\20\b7\3c\3c\7c\89\07\4a\2d\07\3d\3c"
    "\87\a4\fb\dc\18\58\3d\3c\85\32\db\03\e6\a9\3d\3c\5f\9b\7b\33\97\fc\3d\3c\f6\3f\8b\e7\2e\50\3e\3c"
    "\da\90\a4\a2\af\a4\3e\3c\27\5a\61\ee\1b\fa\3e\3c\40\45\6e\5b\76\50\3f\3c\d8\90\9e\81\c1\a7\3f\3c")

  ;; The result of the last $exponentials besides Z: sum e^t t.
  (global $weightedShift (export "weightedShift") (mut f64) (f64.const 0))

  ;; The largest of the 16 * $blocks floats at $row, or NaN when one of them is NaN. f32x4.pmax (a single maxps, where
  ;; f32x4.max also orders NaN and signed zeros in several more instructions) keeps the running maximum when it meets
  ;; NaN, so NaN is tracked apart, as the lanes that differ from themselves: callers such as top-k filtering run no
  ;; exponential pass whose sums would show it.
  (func (export "largest") (param $row i32) (param $blocks i32) (result f64)
    (local $p i32) (local $end i32) (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local $x v128) (local $y v128) (local $z v128) (local $w v128) (local $nan v128)
    (local.set $p (local.get $row))
    (local.set $end (i32.add (local.get $row) (i32.shl (local.get $blocks) (i32.const 6))))
    ;; Four running maxima, so that each f32x4.pmax does not wait on the one before.
    (local.set $a (v128.const f32x4 -inf -inf -inf -inf))
    (local.set $b (local.get $a))
    (local.set $c (local.get $a))
    (local.set $d (local.get $a))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $x (v128.load offset=0 (local.get $p)))
        (local.set $y (v128.load offset=16 (local.get $p)))
        (local.set $z (v128.load offset=32 (local.get $p)))
        (local.set $w (v128.load offset=48 (local.get $p)))
        (local.set $a (f32x4.pmax (local.get $a) (local.get $x)))
        (local.set $b (f32x4.pmax (local.get $b) (local.get $y)))
        (local.set $c (f32x4.pmax (local.get $c) (local.get $z)))
        (local.set $d (f32x4.pmax (local.get $d) (local.get $w)))
        (local.set $nan
          (v128.or
            (local.get $nan)
            (v128.or
              (v128.or (f32x4.ne (local.get $x) (local.get $x)) (f32x4.ne (local.get $y) (local.get $y)))
              (v128.or (f32x4.ne (local.get $z) (local.get $z)) (f32x4.ne (local.get $w) (local.get $w))))))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (br $next)))
    (if (v128.any_true (local.get $nan)) (then (return (f64.const nan))))
    (local.set $a (f32x4.max (f32x4.max (local.get $a) (local.get $b)) (f32x4.max (local.get $c) (local.get $d))))
    (f64.promote_f32
      (f32.max
        (f32.max (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
        (f32.max (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a))))))

  ;; Lists the tokens among the 16 * $blocks floats at $row whose logit is at least $floor, ids at $ids (int32) and
  ;; logits at $values (float32) in ascending id order, and returns how many there are. $floor is a float32, the
  ;; smallest at or above the caller's floor, so that the comparison is exact; -Infinity is never listed.
  (func (export "collect")
    (param $row i32) (param $blocks i32) (param $floor f32) (param $ids i32) (param $values i32) (result i32)
    (local $p i32) (local $end i32) (local $count i32) (local $mask i32) (local $lane i32) (local $floors v128)
    (local.set $p (local.get $row))
    (local.set $end (i32.add (local.get $row) (i32.shl (local.get $blocks) (i32.const 6))))
    (local.set $floors (f32x4.splat (local.get $floor)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        ;; Rare on language-model rows: the list is written only for the blocks of 16 that hold a candidate.
        (if (v128.any_true
              (v128.or
                (v128.or
                  (f32x4.ge (v128.load offset=0 (local.get $p)) (local.get $floors))
                  (f32x4.ge (v128.load offset=16 (local.get $p)) (local.get $floors)))
                (v128.or
                  (f32x4.ge (v128.load offset=32 (local.get $p)) (local.get $floors))
                  (f32x4.ge (v128.load offset=48 (local.get $p)) (local.get $floors)))))
          (then
            ;; One bit per float of the block, the lowest id in the lowest bit; each turn lists the lowest one left.
            (local.set $mask
              (i32.or
                (i32.or
                  (i32x4.bitmask (f32x4.ge (v128.load offset=0 (local.get $p)) (local.get $floors)))
                  (i32.shl
                    (i32x4.bitmask (f32x4.ge (v128.load offset=16 (local.get $p)) (local.get $floors)))
                    (i32.const 4)))
                (i32.or
                  (i32.shl
                    (i32x4.bitmask (f32x4.ge (v128.load offset=32 (local.get $p)) (local.get $floors)))
                    (i32.const 8))
                  (i32.shl
                    (i32x4.bitmask (f32x4.ge (v128.load offset=48 (local.get $p)) (local.get $floors)))
                    (i32.const 12)))))
            (loop $listing
              (local.set $lane (i32.add (local.get $p) (i32.shl (i32.ctz (local.get $mask)) (i32.const 2))))
              (i32.store
                (i32.add (local.get $ids) (i32.shl (local.get $count) (i32.const 2)))
                (i32.shr_u (i32.sub (local.get $lane) (local.get $row)) (i32.const 2)))
              (f32.store
                (i32.add (local.get $values) (i32.shl (local.get $count) (i32.const 2)))
                (f32.load (local.get $lane)))
              (local.set $count (i32.add (local.get $count) (i32.const 1)))
              (br_if $listing
                (local.tee $mask (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))))))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (br $next)))
    (local.get $count))

  ;; Divides the 4 * $quads floats at $row by $temperature in place, exactly as JavaScript's `logit / temperature`
  ;; stored into a Float32Array: the quotient in float64, then rounded to float32 (-Infinity stays -Infinity, and a
  ;; quotient beyond float32 becomes +Infinity, which the caller detects from the largest logit).
  (func (export "scale") (param $row i32) (param $quads i32) (param $temperature f64)
    (local $p i32) (local $end i32) (local $divisors v128) (local $quad v128)
    (local.set $p (local.get $row))
    (local.set $end (i32.add (local.get $row) (i32.shl (local.get $quads) (i32.const 4))))
    (local.set $divisors (f64x2.splat (local.get $temperature)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $quad (v128.load (local.get $p)))
        (v128.store
          (local.get $p)
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (f64x2.div (f64x2.promote_low_f32x4 (local.get $quad)) (local.get $divisors)))
            (f32x4.demote_f64x2_zero
              (f64x2.div
                (f64x2.promote_low_f32x4
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $quad) (local.get $quad)))
                (local.get $divisors)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next))))

  ;; Constants of the exponential. They are mutable globals, read into locals before the loop, because V8 rebuilds a
  ;; v128.const from immediates at every use (three instructions each, inside the loop), whereas a value it cannot fold
  ;; stays in a register or a stack slot.
  (global $stepsPerNat (mut v128) (v128.const f64x2 92.33248261689366 92.33248261689366))
  (global $roundingShift (mut v128) (v128.const f64x2 6755399441055744 6755399441055744))
  (global $stepHigh (mut v128) (v128.const f64x2 0.01083042469326756 0.01083042469326756))
  (global $stepLow (mut v128) (v128.const f64x2 2.9815858269852933e-12 2.9815858269852933e-12))
  (global $q0 (mut v128) (v128.const f64x2 0.4999999999998501 0.4999999999998501))
  (global $q1 (mut v128) (v128.const f64x2 0.16666666666664526 0.16666666666664526))
  (global $q2 (mut v128) (v128.const f64x2 0.041666707476689775 0.041666707476689775))
  (global $q3 (mut v128) (v128.const f64x2 0.00833333916333604 0.00833333916333604))
  (global $lowest (mut v128) (v128.const f64x2 -746 -746))
  (global $tableIndex (mut v128) (v128.const i64x2 63 63))
  (global $exponentBias (mut v128) (v128.const i64x2 69312 69312))

  ;; One pass over the 4 * $quads floats at $row ($quads even), with t = logit - $max (the row's largest logit): returns
  ;; Z = sum e^t and leaves sum e^t t in $weightedShift (a NaN logit makes both NaN). When $weights is not 0, also
  ;; writes every e^t there (float64). When $temperature is not 0, also divides the row by it in place as $scale does,
  ;; once each logit has been read: the sums are those of the row as it was.
  ;;
  ;; The exponential. t is first raised to -746: e^-746 rounds to 0, as does e^t for every t below it, -Infinity
  ;; included, and the clamped t keeps e^t t at 0 instead of NaN. Then t = (k / 64) ln 2 + r with k = round(64 t / ln 2)
  ;; and |r| <= ln 2 / 128 (plus the rounding of 64 t / ln 2), and e^t = 2^(k >> 6) * 2^((k & 63) / 64) * e^r:
  ;; - k: adding 1.5 * 2^52 to 64 t / ln 2 rounds it to a whole number and leaves k in the low bits of the sum;
  ;; - r = t - k * stepHigh - k * stepLow, with ln 2 / 64 split into a high part with 21 trailing zero bits
  ;;   (k * stepHigh is exact for |k| < 2^21) and a low part;
  ;; - 2^((k & 63) / 64 - 60) from the table (correctly rounded), one scalar load per lane;
  ;; - e^r = 1 + s with s = r + r^2 q(r), q a cubic near-minimax fit (Chebyshev) of (e^r - 1 - r) / r^2 on
  ;;   |r| <= 0.00542: relative error below 5e-18 in exact arithmetic; tabled * (1 + s) is computed as
  ;;   tabled + tabled * s, so the result is within about two ulps of e^t;
  ;; - 2^(k >> 6) in the exponent bits: ((k + 64 * 1083) >> 6) << 52 gives the bits of 2^((k >> 6) + 60), a normal
  ;;   double for every k here (t >= -746), which makes up for the table's 2^-60; the product rounds once, so results
  ;;   in the subnormal range (t < -708.4) are right too.
  ;;
  ;; Each iteration takes eight floats as four independent f64x2 vectors ($lo, $hi, $lo2, $hi2), so that their
  ;; dependency chains overlap (measured faster than four floats, and than sixteen, whose values no longer fit in
  ;; registers).
  (func (export "exponentials")
    (param $row i32) (param $quads i32) (param $max f64) (param $weights i32) (param $temperature f64) (result f64)
    (local $p i32) (local $end i32) (local $out i32) (local $maxes v128) (local $z v128) (local $w v128)
    (local $quad v128) (local $scaling i32) (local $divisors v128)
    (local $t_lo v128) (local $t_hi v128) (local $t_lo2 v128) (local $t_hi2 v128)
    (local $shifted_lo v128) (local $shifted_hi v128) (local $shifted_lo2 v128) (local $shifted_hi2 v128)
    (local $k_lo v128) (local $k_hi v128) (local $k_lo2 v128) (local $k_hi2 v128)
    (local $r_lo v128) (local $r_hi v128) (local $r_lo2 v128) (local $r_hi2 v128)
    (local $r2_lo v128) (local $r2_hi v128) (local $r2_lo2 v128) (local $r2_hi2 v128)
    (local $index_lo v128) (local $index_hi v128) (local $index_lo2 v128) (local $index_hi2 v128)
    (local $tabled_lo v128) (local $tabled_hi v128) (local $tabled_lo2 v128) (local $tabled_hi2 v128)
    (local $e_lo v128) (local $e_hi v128) (local $e_lo2 v128) (local $e_hi2 v128)
    (local $stepsPerNat v128) (local $roundingShift v128) (local $stepHigh v128) (local $stepLow v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128)
    (local $lowest v128) (local $tableIndex v128) (local $exponentBias v128)
    (local.set $stepsPerNat (global.get $stepsPerNat))
    (local.set $roundingShift (global.get $roundingShift))
    (local.set $stepHigh (global.get $stepHigh))
    (local.set $stepLow (global.get $stepLow))
    (local.set $q0 (global.get $q0))
    (local.set $q1 (global.get $q1))
    (local.set $q2 (global.get $q2))
    (local.set $q3 (global.get $q3))
    (local.set $lowest (global.get $lowest))
    (local.set $tableIndex (global.get $tableIndex))
    (local.set $exponentBias (global.get $exponentBias))
    (local.set $p (local.get $row))
    (local.set $end (i32.add (local.get $row) (i32.shl (local.get $quads) (i32.const 4))))
    (local.set $out (local.get $weights))
    (local.set $maxes (f64x2.splat (local.get $max)))
    (local.set $divisors (f64x2.splat (local.get $temperature)))
    (local.set $scaling (f64.ne (local.get $temperature) (f64.const 0)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $quad (v128.load (local.get $p)))
        (local.set $t_lo (f64x2.promote_low_f32x4 (local.get $quad)))
        (local.set $t_hi
          (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $quad) (local.get $quad))))
        (local.set $quad (v128.load offset=16 (local.get $p)))
        (local.set $t_lo2 (f64x2.promote_low_f32x4 (local.get $quad)))
        (local.set $t_hi2
          (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $quad) (local.get $quad))))
        (if (local.get $scaling)
          (then
            (v128.store offset=0
              (local.get $p)
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (f32x4.demote_f64x2_zero (f64x2.div (local.get $t_lo) (local.get $divisors)))
                (f32x4.demote_f64x2_zero (f64x2.div (local.get $t_hi) (local.get $divisors)))))
            (v128.store offset=16
              (local.get $p)
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (f32x4.demote_f64x2_zero (f64x2.div (local.get $t_lo2) (local.get $divisors)))
                (f32x4.demote_f64x2_zero (f64x2.div (local.get $t_hi2) (local.get $divisors)))))))
        ;; t = max(logit - max, -746); pmax keeps NaN.
        (local.set $t_lo (f64x2.pmax (f64x2.sub (local.get $t_lo) (local.get $maxes)) (local.get $lowest)))
        (local.set $t_hi (f64x2.pmax (f64x2.sub (local.get $t_hi) (local.get $maxes)) (local.get $lowest)))
        (local.set $t_lo2 (f64x2.pmax (f64x2.sub (local.get $t_lo2) (local.get $maxes)) (local.get $lowest)))
        (local.set $t_hi2 (f64x2.pmax (f64x2.sub (local.get $t_hi2) (local.get $maxes)) (local.get $lowest)))
        (local.set $shifted_lo
          (f64x2.add (f64x2.mul (local.get $t_lo) (local.get $stepsPerNat)) (local.get $roundingShift)))
        (local.set $shifted_hi
          (f64x2.add (f64x2.mul (local.get $t_hi) (local.get $stepsPerNat)) (local.get $roundingShift)))
        (local.set $shifted_lo2
          (f64x2.add (f64x2.mul (local.get $t_lo2) (local.get $stepsPerNat)) (local.get $roundingShift)))
        (local.set $shifted_hi2
          (f64x2.add (f64x2.mul (local.get $t_hi2) (local.get $stepsPerNat)) (local.get $roundingShift)))
        (local.set $k_lo (f64x2.sub (local.get $shifted_lo) (local.get $roundingShift)))
        (local.set $k_hi (f64x2.sub (local.get $shifted_hi) (local.get $roundingShift)))
        (local.set $k_lo2 (f64x2.sub (local.get $shifted_lo2) (local.get $roundingShift)))
        (local.set $k_hi2 (f64x2.sub (local.get $shifted_hi2) (local.get $roundingShift)))
        (local.set $r_lo (f64x2.sub (local.get $t_lo) (f64x2.mul (local.get $k_lo) (local.get $stepHigh))))
        (local.set $r_hi (f64x2.sub (local.get $t_hi) (f64x2.mul (local.get $k_hi) (local.get $stepHigh))))
        (local.set $r_lo2 (f64x2.sub (local.get $t_lo2) (f64x2.mul (local.get $k_lo2) (local.get $stepHigh))))
        (local.set $r_hi2 (f64x2.sub (local.get $t_hi2) (f64x2.mul (local.get $k_hi2) (local.get $stepHigh))))
        (local.set $r_lo (f64x2.sub (local.get $r_lo) (f64x2.mul (local.get $k_lo) (local.get $stepLow))))
        (local.set $r_hi (f64x2.sub (local.get $r_hi) (f64x2.mul (local.get $k_hi) (local.get $stepLow))))
        (local.set $r_lo2 (f64x2.sub (local.get $r_lo2) (f64x2.mul (local.get $k_lo2) (local.get $stepLow))))
        (local.set $r_hi2 (f64x2.sub (local.get $r_hi2) (f64x2.mul (local.get $k_hi2) (local.get $stepLow))))
        ;; Byte offsets of 2^((k & 63) / 64 - 60) in the table.
        (local.set $index_lo (i64x2.shl (v128.and (local.get $shifted_lo) (local.get $tableIndex)) (i32.const 3)))
        (local.set $index_hi (i64x2.shl (v128.and (local.get $shifted_hi) (local.get $tableIndex)) (i32.const 3)))
        (local.set $index_lo2 (i64x2.shl (v128.and (local.get $shifted_lo2) (local.get $tableIndex)) (i32.const 3)))
        (local.set $index_hi2 (i64x2.shl (v128.and (local.get $shifted_hi2) (local.get $tableIndex)) (i32.const 3)))
        (local.set $tabled_lo
          (v128.load64_lane 1
            (i32.wrap_i64 (i64x2.extract_lane 1 (local.get $index_lo)))
            (v128.load64_zero (i32.wrap_i64 (i64x2.extract_lane 0 (local.get $index_lo))))))
        (local.set $tabled_hi
          (v128.load64_lane 1
            (i32.wrap_i64 (i64x2.extract_lane 1 (local.get $index_hi)))
            (v128.load64_zero (i32.wrap_i64 (i64x2.extract_lane 0 (local.get $index_hi))))))
        (local.set $tabled_lo2
          (v128.load64_lane 1
            (i32.wrap_i64 (i64x2.extract_lane 1 (local.get $index_lo2)))
            (v128.load64_zero (i32.wrap_i64 (i64x2.extract_lane 0 (local.get $index_lo2))))))
        (local.set $tabled_hi2
          (v128.load64_lane 1
            (i32.wrap_i64 (i64x2.extract_lane 1 (local.get $index_hi2)))
            (v128.load64_zero (i32.wrap_i64 (i64x2.extract_lane 0 (local.get $index_hi2))))))
        (local.set $r2_lo (f64x2.mul (local.get $r_lo) (local.get $r_lo)))
        (local.set $r2_hi (f64x2.mul (local.get $r_hi) (local.get $r_hi)))
        (local.set $r2_lo2 (f64x2.mul (local.get $r_lo2) (local.get $r_lo2)))
        (local.set $r2_hi2 (f64x2.mul (local.get $r_hi2) (local.get $r_hi2)))
        ;; s = r + r^2 ((q0 + q1 r) + r^2 (q2 + q3 r)), held in $e.
        (local.set $e_lo
          (f64x2.add
            (local.get $r_lo)
            (f64x2.mul
              (local.get $r2_lo)
              (f64x2.add
                (f64x2.add (local.get $q0) (f64x2.mul (local.get $q1) (local.get $r_lo)))
                (f64x2.mul
                  (local.get $r2_lo)
                  (f64x2.add (local.get $q2) (f64x2.mul (local.get $q3) (local.get $r_lo))))))))
        (local.set $e_hi
          (f64x2.add
            (local.get $r_hi)
            (f64x2.mul
              (local.get $r2_hi)
              (f64x2.add
                (f64x2.add (local.get $q0) (f64x2.mul (local.get $q1) (local.get $r_hi)))
                (f64x2.mul
                  (local.get $r2_hi)
                  (f64x2.add (local.get $q2) (f64x2.mul (local.get $q3) (local.get $r_hi))))))))
        (local.set $e_lo2
          (f64x2.add
            (local.get $r_lo2)
            (f64x2.mul
              (local.get $r2_lo2)
              (f64x2.add
                (f64x2.add (local.get $q0) (f64x2.mul (local.get $q1) (local.get $r_lo2)))
                (f64x2.mul
                  (local.get $r2_lo2)
                  (f64x2.add (local.get $q2) (f64x2.mul (local.get $q3) (local.get $r_lo2))))))))
        (local.set $e_hi2
          (f64x2.add
            (local.get $r_hi2)
            (f64x2.mul
              (local.get $r2_hi2)
              (f64x2.add
                (f64x2.add (local.get $q0) (f64x2.mul (local.get $q1) (local.get $r_hi2)))
                (f64x2.mul
                  (local.get $r2_hi2)
                  (f64x2.add (local.get $q2) (f64x2.mul (local.get $q3) (local.get $r_hi2))))))))
        ;; e^t = (tabled + tabled * s) * 2^((k >> 6) + 60).
        (local.set $e_lo
          (f64x2.mul
            (f64x2.add (local.get $tabled_lo) (f64x2.mul (local.get $tabled_lo) (local.get $e_lo)))
            (i64x2.shl
              (i64x2.shr_u (i64x2.add (local.get $shifted_lo) (local.get $exponentBias)) (i32.const 6))
              (i32.const 52))))
        (local.set $e_hi
          (f64x2.mul
            (f64x2.add (local.get $tabled_hi) (f64x2.mul (local.get $tabled_hi) (local.get $e_hi)))
            (i64x2.shl
              (i64x2.shr_u (i64x2.add (local.get $shifted_hi) (local.get $exponentBias)) (i32.const 6))
              (i32.const 52))))
        (local.set $e_lo2
          (f64x2.mul
            (f64x2.add (local.get $tabled_lo2) (f64x2.mul (local.get $tabled_lo2) (local.get $e_lo2)))
            (i64x2.shl
              (i64x2.shr_u (i64x2.add (local.get $shifted_lo2) (local.get $exponentBias)) (i32.const 6))
              (i32.const 52))))
        (local.set $e_hi2
          (f64x2.mul
            (f64x2.add (local.get $tabled_hi2) (f64x2.mul (local.get $tabled_hi2) (local.get $e_hi2)))
            (i64x2.shl
              (i64x2.shr_u (i64x2.add (local.get $shifted_hi2) (local.get $exponentBias)) (i32.const 6))
              (i32.const 52))))
        (if (local.get $weights)
          (then
            (v128.store offset=0 (local.get $out) (local.get $e_lo))
            (v128.store offset=16 (local.get $out) (local.get $e_hi))
            (v128.store offset=32 (local.get $out) (local.get $e_lo2))
            (v128.store offset=48 (local.get $out) (local.get $e_hi2))
            (local.set $out (i32.add (local.get $out) (i32.const 64)))))
        (local.set $z
          (f64x2.add
            (local.get $z)
            (f64x2.add
              (f64x2.add (local.get $e_lo) (local.get $e_hi))
              (f64x2.add (local.get $e_lo2) (local.get $e_hi2)))))
        (local.set $w
          (f64x2.add
            (local.get $w)
            (f64x2.add
              (f64x2.add
                (f64x2.mul (local.get $e_lo) (local.get $t_lo))
                (f64x2.mul (local.get $e_hi) (local.get $t_hi)))
              (f64x2.add
                (f64x2.mul (local.get $e_lo2) (local.get $t_lo2))
                (f64x2.mul (local.get $e_hi2) (local.get $t_hi2))))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $next)))
    (global.set $weightedShift
      (f64.add (f64x2.extract_lane 0 (local.get $w)) (f64x2.extract_lane 1 (local.get $w))))
    (f64.add (f64x2.extract_lane 0 (local.get $z)) (f64x2.extract_lane 1 (local.get $z)))))
