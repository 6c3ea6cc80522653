import { SamplerInputError } from './errors';
import { summariseRow } from './logits-row';

/**
 * Divides every logit by `temperature` (Hugging Face's `TemperatureLogitsWarper`); results are rounded to float32
 * like the input. -Infinity stays -Infinity.
 *
 * @param logits - one row of V logits.
 * @param temperature - strictly positive; below 1 sharpens, above 1 flattens the distribution.
 * @returns a new row.
 * @throws {@link SamplerInputError} for a bad row or a temperature that is not a finite number > 0.
 */
export function applyTemperature(logits: Float32Array, temperature: number): Float32Array {
  if (typeof temperature !== 'number' || !(temperature > 0 && temperature < Number.POSITIVE_INFINITY)) {
    throw new SamplerInputError('temperature', `must be a finite number > 0, got ${String(temperature)}`);
  }
  const { max } = summariseRow(logits);
  const scaled = divideRow(logits, temperature, new Float32Array(logits.length));
  // Division by a positive number and the rounding to float32 are monotone: the largest logit overflows first.
  if (Math.fround(max / temperature) === Number.POSITIVE_INFINITY) {
    const index = scaled.indexOf(Number.POSITIVE_INFINITY);
    throw new SamplerInputError('temperature', `${temperature} makes logits[${index}] overflow float32`);
  }
  return scaled;
}

/** Writes `logits[i] / temperature` into `scaled` (a row of the same length), unchecked, and returns `scaled`. */
export function divideRow(logits: Float32Array, temperature: number, scaled: Float32Array): Float32Array {
  for (let index = 0; index < logits.length; index++) scaled[index] = logits[index] / temperature;
  return scaled;
}
