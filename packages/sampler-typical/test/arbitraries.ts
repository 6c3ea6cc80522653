import fc from 'fast-check';

/** Rows with many ties (small integers), some -Infinity, and occasionally arbitrary floats. */
export const logitRows = fc
  .array(
    fc.oneof(
      { weight: 5, arbitrary: fc.integer({ min: -6, max: 3 }) },
      { weight: 1, arbitrary: fc.constant(Number.NEGATIVE_INFINITY) },
      // Arbitrary logits on a 2^-10 grid: distinct logits then differ by far more than float rounding, so a cut
      // never hinges on a 1e-16 near-tie whose side depends on summation order (in the reference as in any kernel).
      { weight: 3, arbitrary: fc.integer({ min: -30 * 1024, max: 30 * 1024 }).map((steps) => steps / 1024) },
    ),
    { minLength: 1, maxLength: 300 },
  )
  .filter((values) => values.some((value) => value > Number.NEGATIVE_INFINITY))
  .map((values) => Float32Array.from(values));
