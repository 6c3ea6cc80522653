import { SamplerInputError } from './errors';
import { requireTokenId, summariseRow } from './logits-row';

/**
 * The repetition penalty of Keskar et al. (2019) as Hugging Face transformers'
 * `RepetitionPenaltyLogitsProcessor` applies it: for every distinct id in `previousIds`, a negative logit is
 * multiplied by `penalty` and any other logit divided by it, so a penalty > 1 makes repeats less likely whatever
 * the sign. An id that occurs several times is penalised once.
 *
 * @param logits - one row of V logits.
 * @param previousIds - token ids generated (or given) so far, each in [0, V).
 * @param penalty - a finite number > 0; 1 changes nothing.
 * @returns a new row, rounded to float32.
 * @throws {@link SamplerInputError} for a bad row, an id outside the row or a penalty that is not a finite number > 0.
 */
export function repetitionPenalty(logits: Float32Array, previousIds: ArrayLike<number>, penalty: number): Float32Array {
  if (typeof penalty !== 'number' || !(penalty > 0 && penalty < Number.POSITIVE_INFINITY)) {
    throw new SamplerInputError('penalty', `must be a finite number > 0, got ${String(penalty)}`);
  }
  summariseRow(logits);
  const penalised = logits.slice();
  // Each id is computed from the original logit, so repeats in previousIds do not compound.
  for (let position = 0; position < previousIds.length; position++) {
    const id = requireTokenId(previousIds[position], `previousIds[${position}]`, logits.length);
    const logit = logits[id];
    penalised[id] = logit < 0 ? logit * penalty : logit / penalty;
    if (penalised[id] === Number.POSITIVE_INFINITY) {
      throw new SamplerInputError('penalty', `${penalty} makes logits[${id}] overflow float32`);
    }
  }
  return penalised;
}
