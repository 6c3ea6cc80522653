import { SamplerInputError } from './errors';
import { requireTokenId, summariseRow } from './logits-row';

/** Options of {@link maskTokens}; at least one of the two lists should be given. */
export interface MaskTokensOptions {
  /** The restricted action space: only these ids keep their logits (an empty list removes everything: an error). */
  allow?: ArrayLike<number>;
  /** Ids that are removed, whether allowed or not. */
  deny?: ArrayLike<number>;
}

/**
 * Restricts the tokens that may be sampled: ids outside `allow` (when given) and ids in `deny` get -Infinity; the
 * other logits are unchanged.
 *
 * @param logits - one row of V logits.
 * @returns a new row.
 * @throws {@link SamplerInputError} for a bad row, an id outside [0, V), or masks that leave no finite logit.
 */
export function maskTokens(logits: Float32Array, options: MaskTokensOptions): Float32Array {
  summariseRow(logits);
  const length = logits.length;
  let masked: Float32Array;
  if (options.allow === undefined) {
    masked = logits.slice();
  } else {
    masked = new Float32Array(length).fill(Number.NEGATIVE_INFINITY);
    const allow = options.allow;
    for (let position = 0; position < allow.length; position++) {
      const id = requireTokenId(allow[position], `allow[${position}]`, length);
      masked[id] = logits[id];
    }
  }
  const deny = options.deny ?? [];
  for (let position = 0; position < deny.length; position++) {
    masked[requireTokenId(deny[position], `deny[${position}]`, length)] = Number.NEGATIVE_INFINITY;
  }
  for (let index = 0; index < length; index++) {
    if (masked[index] !== Number.NEGATIVE_INFINITY) return masked;
  }
  throw new SamplerInputError(
    options.allow === undefined ? 'deny' : options.deny === undefined ? 'allow' : 'allow/deny',
    'the masks remove every token that had a finite logit',
  );
}
