import { SamplerInputError } from './errors';

/** What one validating pass over a row of logits learns. */
export interface RowSummary {
  /** Largest finite logit. */
  max: number;
  /** Smallest finite logit. */
  min: number;
  /** How many entries are not -Infinity. */
  finiteCount: number;
}

/**
 * Checks a row of logits and summarises it in the same pass. A row must be non-empty, hold no NaN and no +Infinity
 * (softmax is undefined for both), and keep at least one finite entry; -Infinity marks a token already removed.
 * `field` names the argument in error messages.
 */
export function summariseRow(logits: Float32Array, field = 'logits'): RowSummary {
  const length = logits.length;
  if (length === 0) throw new SamplerInputError(field, 'the row is empty');
  let max = Number.NEGATIVE_INFINITY;
  let min = Number.POSITIVE_INFINITY;
  let finiteCount = 0;
  for (let index = 0; index < length; index++) {
    const value = logits[index];
    // One comparison handles the common case; NaN fails both comparisons and falls through to the checks below.
    if (value > Number.NEGATIVE_INFINITY && value < Number.POSITIVE_INFINITY) {
      finiteCount++;
      if (value > max) max = value;
      if (value < min) min = value;
    } else if (value !== Number.NEGATIVE_INFINITY) {
      throw new SamplerInputError(`${field}[${index}]`, `logits must be finite or -Infinity, got ${value}`);
    }
  }
  if (finiteCount === 0) throw new SamplerInputError(field, 'every logit is -Infinity: no token is left to sample');
  return { max, min, finiteCount };
}

/** Largest and smallest finite logit of a row. */
export interface LogitRange {
  max: number;
  min: number;
}

/**
 * {@link summariseRow} for the filters' hot path: the same checks, but the common case costs two comparisons per
 * entry. NaN fails every comparison, so it never becomes the max or the min; it is caught later, when the softmax
 * sums come out NaN, and reported by {@link reportBadRow}.
 */
export function logitRange(logits: Float32Array): LogitRange {
  const max = scanRange(logits);
  // max - max is NaN for +Infinity; max stays -Infinity for an empty or all-removed row.
  if (max === Number.NEGATIVE_INFINITY || max - max !== 0) reportBadRow(logits);
  return { max, min: scannedMin };
}

/**
 * The largest logit of a row, with the checks of {@link summariseRow}: NaN never wins a comparison, so it is caught
 * later, when the softmax sums come out NaN, and reported by {@link reportBadRow}; +Infinity and a row without a
 * finite logit are reported here.
 */
export function largestLogit(logits: Float32Array): number {
  const max = Math.max(scanMax(logits), scannedOddMax);
  if (max === Number.NEGATIVE_INFINITY || max - max !== 0) reportBadRow(logits);
  return max;
}

/** The largest logit at odd positions, left by {@link scanMax}. */
let scannedOddMax = 0;

/**
 * The loop of {@link largestLogit}: returns the largest logit at even positions (and the last one) and leaves the
 * largest at odd positions in scannedOddMax. Two running maxima halve the time: each comparison waits for the
 * previous one's result, and two independent chains run side by side.
 */
function scanMax(logits: Float32Array): number {
  const length = logits.length;
  // The last entry of an odd-length row seeds the even chain here, before the loop, rather than after it.
  let even = length & 1 ? logits[length - 1] : Number.NEGATIVE_INFINITY;
  let odd = Number.NEGATIVE_INFINITY;
  const pairs = length >> 1;
  for (let pair = 0; pair < pairs; pair++) {
    const first = logits[2 * pair];
    const second = logits[2 * pair + 1];
    if (first > even) even = first;
    if (second > odd) odd = second;
  }
  scannedOddMax = odd;
  return even;
}

/*
 * Why the hot loops of this package return one number and leave any other result in a module variable:
 * V8 compiles a long first loop while it runs (on-stack replacement) and keeps entering that compiled loop on later
 * calls. Code after the loop had never run when it was compiled, so anything there that needs type feedback (building
 * an object, storing a property, calling a function, reading Math.log) deoptimises it at the end of every call, which
 * costs more than the loop itself. Returning a number and assigning a module variable need no feedback.
 */

/** The smallest finite logit found by the last {@link scanRange}. */
let scannedMin = 0;

/** The loop of {@link logitRange}: returns the largest logit and leaves the smallest finite one in scannedMin. */
function scanRange(logits: Float32Array): number {
  let max = Number.NEGATIVE_INFINITY;
  let min = Number.POSITIVE_INFINITY;
  for (let index = 0; index < logits.length; index++) {
    const value = logits[index];
    if (value > max) max = value;
    // -Infinity marks a removed token, not the bottom of the range.
    if (value < min && value > Number.NEGATIVE_INFINITY) min = value;
  }
  scannedMin = min;
  return max;
}

/**
 * Throws the {@link SamplerInputError} that {@link summariseRow} throws for a row a faster check found to be bad
 * (the caller only gets here for a bad row, so the slower pass that names the index costs nothing in practice).
 */
export function reportBadRow(logits: Float32Array, field = 'logits'): never {
  summariseRow(logits, field);
  throw new Error(`${field}: the row was reported bad but passes validation`);
}

/** Throws unless `value` is a finite number (guards options that arrive from untyped callers). */
export function requireFiniteNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new SamplerInputError(field, `expected a finite number, got ${String(value)}`);
  }
  return value;
}

/** Throws unless `value` is an integer >= `minimum`. */
export function requireInteger(value: unknown, field: string, minimum: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw new SamplerInputError(field, `expected an integer >= ${minimum}, got ${String(value)}`);
  }
  return value;
}

/** Throws unless `value` is an integer token id inside a row of `length` entries. */
export function requireTokenId(value: unknown, field: string, length: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= length) {
    throw new SamplerInputError(field, `expected a token id in [0, ${length - 1}], got ${String(value)}`);
  }
  return value;
}
