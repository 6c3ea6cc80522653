import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { softmaxCrossEntropy } from './composites';
import { Graph } from './graph';
import { gemm, tanh } from './ops';
import { addReferenceDecoderParameters, buildReferenceDecoder, type ReferenceDecoderConfig } from './reference-decoder';
import { AdamW, loadTrainingState, normal, ParameterStore, saveTrainingState, zeros } from './training/index';
import { compileTrainingStep } from './training-step';

describe('compileTrainingStep', () => {
  it('trains an MLP to solve XOR', async () => {
    const store = new ParameterStore({ seed: 1 });
    store.add('w1', [2, 8], normal({ std: 1 }));
    store.add('b1', [8], zeros);
    store.add('w2', [8, 2], normal({ std: 1 }));
    store.add('b2', [2], zeros);
    const graph = new Graph('xor');
    const x = graph.input('x', 'float32', [4, 2]);
    const labels = graph.input('labels', 'int64', [4]);
    const hidden = tanh(gemm(x, graph.parameter('w1', [2, 8]), graph.parameter('b1', [8])));
    const logits = gemm(hidden, graph.parameter('w2', [8, 2]), graph.parameter('b2', [2]));
    graph.output('logits', logits);
    const step = await compileTrainingStep(softmaxCrossEntropy(logits, labels), store);
    const optimizer = new AdamW({ weightDecay: 0 });
    const feeds = { x: new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]), labels: new BigInt64Array([0n, 1n, 1n, 0n]) };
    let loss = Number.POSITIVE_INFINITY;
    for (let iteration = 0; iteration < 300; iteration++) {
      const result = await step.run(feeds);
      loss = result.loss;
      optimizer.step(store, result.gradients, 0.05);
    }
    expect(loss).toBeLessThan(0.05);
    const outputs = await step.compiled.run({
      ...feeds,
      ...Object.fromEntries(store.names().map((n) => [n, store.get(n).data])),
    });
    const scores = outputs.logits!.data as Float32Array;
    const predictions = [0, 1, 2, 3].map((row) => (scores[2 * row + 1]! > scores[2 * row]! ? 1 : 0));
    expect(predictions).toEqual([0, 1, 1, 0]);
  });
});

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
