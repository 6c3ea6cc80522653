import { expect } from 'vitest';
import type { CompiledGraph, Feed } from '../src/session';

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform values in [-scale, scale). */
export function randomArray(random: () => number, length: number, scale = 1): Float64Array {
  return Float64Array.from({ length }, () => scale * (2 * random() - 1));
}

/**
 * Compares every `grad.<name>` output of a training graph with central differences of its `loss` output,
 * perturbing each element of each differentiated feed in turn.
 */
export async function expectGradientsMatchFiniteDifferences(
  compiled: CompiledGraph,
  parameters: Map<string, Float64Array>,
  data: Record<string, Feed>,
  epsilon = 1e-6,
  tolerance = 1e-6,
): Promise<void> {
  const evaluate = () => compiled.run({ ...data, ...Object.fromEntries(parameters) });
  const analytic = await evaluate();
  for (const [name, values] of parameters) {
    const gradient = analytic[`grad.${name}`]!.data as Float64Array;
    for (let element = 0; element < values.length; element++) {
      const original = values[element]!;
      values[element] = original + epsilon;
      const plus = Number((await evaluate()).loss!.data[0]);
      values[element] = original - epsilon;
      const minus = Number((await evaluate()).loss!.data[0]);
      values[element] = original;
      const numeric = (plus - minus) / (2 * epsilon);
      expect(Math.abs(gradient[element]! - numeric), `${name}[${element}]`).toBeLessThanOrEqual(
        tolerance * (1 + Math.abs(numeric)),
      );
    }
  }
}
