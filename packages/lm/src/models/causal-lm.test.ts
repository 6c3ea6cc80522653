import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { add, compileGraph, compileTrainingStep, mul, neg, ParameterStore, reduceMean } from '@diffchat/autodiff';
import { afterAll, describe, expect, it } from 'vitest';
import { trainBpeTokenizer } from '../bpe-trainer';
import { ModelFormatError } from '../model-format-error';
import { startFakeHub } from '../testing/fake-hub';
import { CausalLM, createModel, HEADS_FILE, loadModel, readHeads } from './causal-lm';
import { HEAD_TENSORS } from './model-graphs';
import { dense } from './transformer-layers';

const tokenizer = trainBpeTokenizer(['a cat on a mat, oil painting', 'a castle at night, digital art'], {
  vocabSize: 270,
  minFrequency: 1,
});
const config = { model_type: 'bloom', hidden_size: 24, n_layer: 2, n_head: 3, vocab_size: 270, initializer_range: 0.3 };
const root = await mkdtemp(join(tmpdir(), 'lm-causal-'));
afterAll(() => rm(root, { recursive: true, force: true }));
const batch = {
  inputIds: [
    [4, 77, 130, 9, 260, 31],
    [18, 5, 66, 0],
  ],
};

function logSoftmaxAt(row: Float32Array, token: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const value of row) max = Math.max(max, value);
  let total = 0;
  for (const value of row) total += Math.exp(value - max);
  return row[token]! - max - Math.log(total);
}

describe('CausalLM', () => {
  it('saves in Hugging Face layout and loads back the same model from a folder and from a hub', async () => {
    const model = createModel(config, { seed: 2, tokenizer, valueHead: true });
    const directory = join(root, 'saved');
    await model.save(directory);
    expect((await readdir(directory)).sort()).toEqual(
      [HEADS_FILE, 'config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'].sort(),
    );
    const loaded = await loadModel(directory);
    expect(loaded.weights.get(HEAD_TENSORS.valueBias)?.shape).toEqual([1]);
    const before = await model.forwardLogits(batch);
    expect(Array.from((await loaded.forwardLogits(batch)).data)).toEqual(Array.from(before.data));

    const files: Record<string, Uint8Array> = {};
    for (const name of await readdir(directory)) files[name] = await readFile(join(directory, name));
    const hub = await startFakeHub({ 'diffchat/tiny-bloom': { revisions: { main: files } } });
    try {
      const fromHub = await loadModel('diffchat/tiny-bloom', { hubUrl: hub.url, cacheDir: join(root, 'cache') });
      expect(Array.from((await fromHub.forwardLogits(batch)).data)).toEqual(Array.from(before.data));
      await fromHub.dispose();
    } finally {
      await hub.close();
    }
    // Downloaded once, the model loads offline from the cache.
    const offline = await loadModel('diffchat/tiny-bloom', { cacheDir: join(root, 'cache'), offline: true });
    expect(offline.config).toEqual(model.config);
    await Promise.all([model.dispose(), loaded.dispose(), offline.dispose()]);
  });

  it('trains through the training graph: masked loss, finite-difference gradients, frozen weights', async () => {
    const model = createModel(config, { seed: 3, tokenizer });
    const training = model.trainingGraph({
      placementOf: (name) => (name === 'transformer.word_embeddings.weight' ? 'initializers' : undefined),
    });
    expect(training.parameters).not.toContain('transformer.word_embeddings.weight');
    expect(training.parameters).toContain('transformer.h.1.mlp.dense_4h_to_h.weight');
    const store = new ParameterStore();
    for (const name of training.parameters)
      store.add(name, model.weights.get(name)!.shape, model.weights.get(name)!.data);
    const step = await compileTrainingStep(training.loss, store);
    const inputIds = [4, 77, 130, 9, 260, 31, 18, 5, 66, 0, 1, 2];
    const labels = [4, 77, 130, 9, 260, 31, 18, 5, 66, -100, -100, -100];
    const feeds = {
      input_ids: { data: BigInt64Array.from(inputIds, BigInt), shape: [2, 6] },
      attention_mask: { data: BigInt64Array.from([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0], BigInt), shape: [2, 6] },
      labels: { data: BigInt64Array.from(labels, BigInt), shape: [2, 6] },
    };
    const result = await step.run(feeds);

    // The loss is the mean of -log p(label) over the counted positions of the forward logits.
    const { data } = await model.forwardLogits({
      inputIds: [inputIds.slice(0, 6), inputIds.slice(6)],
      attentionMask: [
        [1, 1, 1, 1, 1, 1],
        [1, 1, 1, 1, 0, 0],
      ],
    });
    const vocabulary = 270;
    let total = 0;
    let count = 0;
    for (let row = 0; row < 2; row++) {
      for (let position = 0; position < 5; position++) {
        const label = labels[row * 6 + position + 1]!;
        if (label === -100) continue;
        const offset = (row * 6 + position) * vocabulary;
        total -= logSoftmaxAt(data.subarray(offset, offset + vocabulary), label);
        count++;
      }
    }
    expect(result.loss).toBeCloseTo(total / count, 4);

    // Central differences on a few weights agree with the gradient.
    const gradients = new Map([...result.gradients].map(([name, values]) => [name, values.slice()]));
    for (const [name, index] of [
      ['transformer.h.0.self_attention.query_key_value.weight', 37],
      ['transformer.ln_f.bias', 5],
      ['transformer.h.1.mlp.dense_h_to_4h.bias', 11],
    ] as const) {
      const values = store.get(name).data;
      const original = values[index]!;
      const epsilon = 1e-2;
      values[index] = original + epsilon;
      const plus = (await step.run(feeds)).loss;
      values[index] = original - epsilon;
      const minus = (await step.run(feeds)).loss;
      values[index] = original;
      const numeric = (plus - minus) / (2 * epsilon);
      expect(Math.abs(numeric - gradients.get(name)![index]!)).toBeLessThan(2e-3 + 0.02 * Math.abs(numeric));
    }

    // Plain gradient steps lower the loss.
    let loss = result.loss;
    for (let iteration = 0; iteration < 5; iteration++) {
      const { gradients: current } = await step.run(feeds);
      for (const [name, gradient] of current) {
        const values = store.get(name).data;
        for (let index = 0; index < values.length; index++) values[index]! -= 0.5 * gradient[index]!;
      }
      loss = (await step.run(feeds)).loss;
    }
    expect(loss).toBeLessThan(result.loss - 0.1);
    await model.dispose();
  });

  it('routes every projection through a projection hook and every weight through a weight source, and exposes the logits', async () => {
    const model = createModel(config, { seed: 7, tokenizer });
    const scaled = 'transformer.h.0.mlp.dense_h_to_4h.weight';
    const seen: string[] = [];
    const training = model.trainingGraph({
      placement: 'initializers',
      projection: (_graph, weights) => (x, weightName, biasName, layout) => {
        seen.push(weightName);
        const weight = weightName === scaled ? mul(weights(weightName), 1.5) : weights(weightName);
        return dense(x, weight, biasName === null ? null : weights(biasName), layout);
      },
    });
    expect(seen.sort()).toEqual(
      [0, 1]
        .flatMap((layer) =>
          ['self_attention.query_key_value', 'self_attention.dense', 'mlp.dense_h_to_4h', 'mlp.dense_4h_to_h'].map(
            (module) => `transformer.h.${layer}.${module}.weight`,
          ),
        )
        .sort(),
    );
    expect(training.parameters).toEqual([]);
    training.graph.output('loss', training.loss);
    training.graph.output('logits', training.logits);
    const compiled = await compileGraph(training.graph, { intraOpNumThreads: 1 });
    const ids = [4, 77, 130, 9, 260, 31];
    const outputs = await compiled.run({
      input_ids: { data: BigInt64Array.from(ids, BigInt), shape: [1, 6] },
      attention_mask: { data: new BigInt64Array(6).fill(1n), shape: [1, 6] },
      labels: { data: BigInt64Array.from(ids, BigInt), shape: [1, 6] },
    });
    // The reference: a model whose stored weight is 1.5 times the original, through the decoding graph.
    const weights = new Map(model.weights);
    const original = model.weights.get(scaled)!;
    weights.set(scaled, { shape: original.shape, data: original.data.map((value) => value * 1.5) });
    const reference = new CausalLM({ config, weights, tokenizer });
    const { data } = await reference.forwardLogits({ inputIds: [ids] });
    const logits = outputs.logits!.data as Float32Array;
    for (let index = 0; index < data.length; index += 97) expect(logits[index]).toBeCloseTo(data[index]!, 4);
    let total = 0;
    for (let position = 0; position < 5; position++) {
      total -= logSoftmaxAt(data.subarray(position * 270, (position + 1) * 270), ids[position + 1]!);
    }
    expect(Number(outputs.loss!.data[0])).toBeCloseTo(total / 5, 4);
    // A custom weight source that scales the same weight gives the same loss.
    const sourced = model.trainingGraph({
      placement: 'initializers',
      weightSource: (_graph, defaults) => (name) => (name === scaled ? mul(defaults(name), 1.5) : defaults(name)),
    });
    sourced.graph.output('loss', sourced.loss);
    const sourcedCompiled = await compileGraph(sourced.graph, { intraOpNumThreads: 1 });
    const sourcedLoss = (
      await sourcedCompiled.run({
        input_ids: { data: BigInt64Array.from(ids, BigInt), shape: [1, 6] },
        attention_mask: { data: new BigInt64Array(6).fill(1n), shape: [1, 6] },
        labels: { data: BigInt64Array.from(ids, BigInt), shape: [1, 6] },
      })
    ).loss!.data[0];
    expect(Number(sourcedLoss)).toBeCloseTo(total / 5, 4);
    await sourcedCompiled.dispose();
    await compiled.dispose();
    await Promise.all([model.dispose(), reference.dispose()]);
  });

  it('scores with a value head per token and a reward head at each row’s last real token', async () => {
    const base = createModel(config, { seed: 4, tokenizer, valueHead: true, scoreHead: true });
    const head = Float32Array.from({ length: 24 }, (_, index) => Math.sin(index + 1));
    const weights = new Map(base.weights);
    weights.set(HEAD_TENSORS.valueWeight, { shape: [1, 24], data: head });
    weights.set(HEAD_TENSORS.valueBias, { shape: [1], data: Float32Array.of(0) });
    weights.set(HEAD_TENSORS.scoreWeight, { shape: [1, 24], data: head });
    const model = new CausalLM({ config, weights, tokenizer });
    const scores = await model.score(batch, { valueHead: true, scoreHead: true });
    const values = scores.values!;
    // With the same weights and no bias, the reward is the value at the last real token of each row.
    expect(scores.rewards![0]).toBeCloseTo(values[5]!, 5);
    expect(scores.rewards![1]).toBeCloseTo(values[6 + 3]!, 5);
    expect(new Set(Array.from(values)).size).toBeGreaterThan(4);
    const alone = await model.score({ inputIds: [batch.inputIds[1]!] }, { scoreHead: true });
    expect(alone.rewards![0]).toBeCloseTo(scores.rewards![1]!, 5);
    // Padding targets score 0; entropies of a 270-way distribution lie in [0, log 270].
    expect(Array.from(scores.logProbs.subarray(5 + 3))).toEqual([0, 0]);
    for (const value of scores.entropy) expect(value).toBeGreaterThanOrEqual(0);
    for (const value of scores.entropy) expect(value).toBeLessThanOrEqual(Math.log(270) + 1e-4);
    await Promise.all([base.dispose(), model.dispose()]);
  });

  it('differentiates the scoring graph, as a PPO loss on top of it needs', async () => {
    const model = createModel(config, { seed: 6, tokenizer, valueHead: true });
    const scoring = model.scoringGraph({ placement: 'parameters', valueHead: true });
    const loss = add(neg(reduceMean(scoring.logProbs)), reduceMean(mul(scoring.values!, scoring.values!)));
    const store = new ParameterStore();
    for (const name of scoring.parameters)
      store.add(name, model.weights.get(name)!.shape, model.weights.get(name)!.data);
    const step = await compileTrainingStep(loss, store);
    const ids = batch.inputIds[0]!;
    const result = await step.run({
      input_ids: { data: BigInt64Array.from(ids, BigInt), shape: [1, ids.length] },
      attention_mask: { data: new BigInt64Array(ids.length).fill(1n), shape: [1, ids.length] },
    });
    const scores = await model.score({ inputIds: [ids] }, { valueHead: true });
    const meanLogProb = Array.from(scores.logProbs).reduce((a, b) => a + b, 0) / scores.logProbs.length;
    const meanSquare = Array.from(scores.values!).reduce((a, b) => a + b * b, 0) / scores.values!.length;
    expect(result.loss).toBeCloseTo(-meanLogProb + meanSquare, 4);
    expect(result.gradients.get(HEAD_TENSORS.valueBias)![0]).toBeCloseTo(
      (2 * Array.from(scores.values!).reduce((a, b) => a + b, 0)) / scores.values!.length,
      4,
    );
    await model.dispose();
  });

  it('rejects missing weights and bad batches with the reason', async () => {
    const model = createModel(config, { seed: 1 });
    const weights = new Map(model.weights);
    weights.delete('transformer.ln_f.bias');
    expect(() => new CausalLM({ config, weights })).toThrow(/transformer\.ln_f\.bias/);
    await expect(model.forwardLogits({ inputIds: [] })).rejects.toThrow(/empty batch/);
    await expect(model.forwardLogits({ inputIds: [[1, -2]] })).rejects.toThrow(/inputIds\[0\]\[1\]/);
    await expect(model.save(join(root, 'no-tokenizer'))).rejects.toThrow(/tokenizer/);
  });
});

describe('readHeads', () => {
  it('turns random, truncated or mis-shaped head files into ModelFormatError naming the file', async () => {
    const { writeFile, mkdir } = await import('node:fs/promises');
    const { serializeSafetensors } = await import('@diffchat/autodiff');
    const fc = (await import('fast-check')).default;
    const directory = join(root, 'heads');
    await mkdir(directory, { recursive: true });
    const valid = serializeSafetensors(
      new Map([[HEAD_TENSORS.scoreWeight, { shape: [1, 24], data: new Float32Array(24).fill(0.5) }]]),
    );
    await writeFile(join(directory, HEADS_FILE), valid);
    expect((await readHeads(directory, 24)).get(HEAD_TENSORS.scoreWeight)?.data[3]).toBe(0.5);
    await expect(readHeads(directory, 16)).rejects.toThrow(
      /heads\.safetensors.*score\.weight has shape \[1, 24\], expected \[1, 16\]/,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.integer({ min: 0, max: valid.length - 1 }).map((length) => valid.subarray(0, length)),
          fc.tuple(fc.integer({ min: 0, max: 80 }), fc.integer({ min: 0, max: 255 })).map(([index, byte]) => {
            const copy = valid.slice();
            copy[index] = byte;
            return copy;
          }),
        ),
        async (bytes) => {
          await writeFile(join(directory, HEADS_FILE), bytes);
          try {
            await readHeads(directory, 24);
          } catch (error) {
            expect(error).toBeInstanceOf(ModelFormatError);
            expect((error as ModelFormatError).file).toContain(HEADS_FILE);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
