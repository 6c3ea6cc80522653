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
