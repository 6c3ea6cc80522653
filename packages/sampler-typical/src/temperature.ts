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
  summariseRow(logits);
  const scaled = new Float32Array(logits.length);
  for (let index = 0; index < logits.length; index++) {
    scaled[index] = logits[index] / temperature;
    if (scaled[index] === Number.POSITIVE_INFINITY) {
      throw new SamplerInputError('temperature', `${temperature} makes logits[${index}] overflow float32`);
    }
  }
  return scaled;
}
