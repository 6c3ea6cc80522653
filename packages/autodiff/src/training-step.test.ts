import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addReferenceDecoderParameters, buildReferenceDecoder, type ReferenceDecoderConfig } from './reference-decoder';
import { AdamW, loadTrainingState, ParameterStore, saveTrainingState } from './training/index';
import { compileTrainingStep } from './training-step';

// An MLP learning XOR is the README's example, run by src/readme.test.ts.

const tinyConfig: ReferenceDecoderConfig = { layers: 1, modelWidth: 32, heads: 2, context: 16, vocabulary: 12 };
const [batch, sequence] = [4, 16];

/** A toy corpus: a repeating 6-token cycle, each row starting at another offset. */
function toyBatch(step: number): { tokens: BigInt64Array; targets: BigInt64Array } {
  const tokens = new BigInt64Array(batch * sequence);
  const targets = new BigInt64Array(batch * sequence);
  for (let row = 0; row < batch; row++) {
    for (let position = 0; position < sequence; position++) {
      const offset = row + step + position;
      tokens[row * sequence + position] = BigInt(offset % 6);
      targets[row * sequence + position] = position === sequence - 1 ? -100n : BigInt((offset + 1) % 6);
    }
  }
  return { tokens, targets };
}

async function decoderRun(store: ParameterStore, optimizer: AdamW, from: number, to: number): Promise<number[]> {
  const model = buildReferenceDecoder(tinyConfig, batch, sequence);
  const step = await compileTrainingStep(model.loss, store);
  const losses: number[] = [];
  for (let index = from; index < to; index++) {
    const result = await step.run(toyBatch(index));
    losses.push(result.loss);
    optimizer.step(store, result.gradients, 3e-3);
  }
  return losses;
}

describe('reference decoder training', () => {
  it('drives the loss of a small transformer LM down on a toy corpus', async () => {
    const store = new ParameterStore({ seed: 2 });
    addReferenceDecoderParameters(store, tinyConfig);
    const losses = await decoderRun(store, new AdamW(), 0, 40);
    // Uniform guessing over 12 tokens costs ln 12 = 2.48; the cycle is fully predictable from one token.
    expect(losses[0]!).toBeGreaterThan(2);
    expect(losses.at(-1)!).toBeLessThan(0.5);
  });

  it('resumes bit-for-bit: N steps, save, restore, N more equals 2N straight', async () => {
    const steps = 4;
    const straightStore = new ParameterStore({ seed: 3 });
    addReferenceDecoderParameters(straightStore, tinyConfig);
    await decoderRun(straightStore, new AdamW(), 0, 2 * steps);

    const firstStore = new ParameterStore({ seed: 3 });
    addReferenceDecoderParameters(firstStore, tinyConfig);
    const firstOptimizer = new AdamW();
    await decoderRun(firstStore, firstOptimizer, 0, steps);
    const directory = await mkdtemp(join(tmpdir(), 'autodiff-resume-'));
    try {
      await saveTrainingState(directory, { store: firstStore, optimizer: firstOptimizer, step: steps });
      const resumedStore = new ParameterStore({ seed: 99 });
      addReferenceDecoderParameters(resumedStore, tinyConfig);
      const resumedOptimizer = new AdamW();
      const loaded = await loadTrainingState(directory, { store: resumedStore, optimizer: resumedOptimizer });
      await decoderRun(resumedStore, resumedOptimizer, loaded.step, 2 * steps);
      for (const name of straightStore.names()) {
        const expected = straightStore.get(name).data;
        const actual = resumedStore.get(name).data;
        const largest = expected.reduce((worst, value, index) => Math.max(worst, Math.abs(value - actual[index]!)), 0);
        expect(largest, name).toBeLessThanOrEqual(1e-6);
      }
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
