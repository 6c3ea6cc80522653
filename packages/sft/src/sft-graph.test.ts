import { compileGraph, grad } from '@diffchat/autodiff';
import { CausalLM } from '@diffchat/lm';
import { createTinyModel } from '@diffchat/lm/testing';
import { describe, expect, it } from 'vitest';
import { findLoraTargets, initialLoraWeights } from './lora';
import { buildSftGraph, SftStep } from './sft-graph';
import { IGNORE_INDEX, labelsOf, maskedCrossEntropy, padRows } from './sft-math';

function model(modelType: 'gpt2' | 'bloom') {
  const directory = createTinyModel({ modelType, hiddenSize: 16, layers: 2, heads: 2, seed: 5 });
  return new CausalLM({ ...directory, tokenizer: directory.tokenizer });
}

// Two rows: a 3-token prompt then 3 completion tokens, and a 2 + 2 row padded to 6.
const examples = [
  { ids: [40, 41, 42, 43, 44, 45], promptLength: 3 },
  { ids: [50, 51, 52, 53], promptLength: 2 },
];
const rows = examples.map((example) => ({ ids: [...example.ids], labels: labelsOf(example, 'completion') }));

describe.each(['gpt2', 'bloom'] as const)('buildSftGraph (%s)', (modelType) => {
  it('the gradient with respect to logits at masked positions is exactly zero', async () => {
    const lm = model(modelType);
    const sft = buildSftGraph(lm);
    const [logitsGradient] = grad(sft.loss, [sft.logits]);
    sft.graph.output('loss', sft.loss);
    sft.graph.output('logits_gradient', logitsGradient!);
    const compiled = await compileGraph(sft.graph, { intraOpNumThreads: 1 });
    const batch = padRows(rows, 1);
    const shape = [batch.rows, batch.length];
    const feeds: Record<string, { data: BigInt64Array | Float32Array; shape: readonly number[] }> = {
      input_ids: { data: batch.inputIds, shape },
      attention_mask: { data: batch.attentionMask, shape },
      labels: { data: batch.labels, shape },
    };
    if (lm.definition.usesPositionIds) feeds.position_ids = { data: batch.positionIds, shape };
    for (const name of sft.parameters) feeds[name] = lm.weights.get(name)!;
    const outputs = await compiled.run(feeds);
    const gradient = outputs.logits_gradient!.data as Float32Array;
    const vocabulary = lm.dimensions.vocabSize;
    rows.forEach((_, rowIndex) => {
      for (let position = 0; position < batch.length; position++) {
        const target =
          position + 1 < batch.length ? Number(batch.labels[rowIndex * batch.length + position + 1]) : IGNORE_INDEX;
        const slice = gradient.subarray(
          (rowIndex * batch.length + position) * vocabulary,
          (rowIndex * batch.length + position + 1) * vocabulary,
        );
        if (target === IGNORE_INDEX)
          expect(
            slice.every((value) => value === 0),
            `row ${rowIndex} position ${position}`,
          ).toBe(true);
        // A counted position's gradient is softmax - onehot, divided by the counted tokens: never all zero.
        else expect(slice.some((value) => value !== 0)).toBe(true);
      }
    });
    await compiled.dispose();
  });

  it('the loss equals cross-entropy over the decoding graph logits of completion tokens', async () => {
    const lm = model(modelType);
    const step = await SftStep.create(
      buildSftGraph(lm),
      new Map([...lm.weights].map(([name, tensor]) => [name, tensor.shape])),
      { intraOpNumThreads: 1 },
    );
    const parameters = new Map([...lm.weights].map(([name, tensor]) => [name, tensor.data]));
    const batch = padRows(rows, 1);
    const result = await step.run(batch, parameters);
    const logits = await lm.forwardLogits({ inputIds: examples.map((example) => [...example.ids]) });
    const labels = rows.map((row) => [...row.labels, ...Array(batch.length - row.labels.length).fill(IGNORE_INDEX)]);
    const reference = maskedCrossEntropy(logits.data, labels, lm.dimensions.vocabSize);
    expect(result.tokens).toBe(reference.tokens);
    expect(reference.tokens).toBe(5);
    expect(result.loss).toBeCloseTo(reference.loss, 5);
    expect((await step.evaluate(batch, parameters)).loss).toBeCloseTo(result.loss, 6);
    await step.dispose();
    await lm.dispose();
  });

  it('with LoRA, fresh adapters reproduce the base loss and only adapters get gradients', async () => {
    const lm = model(modelType);
    const targets = findLoraTargets(modelType, lm.weights);
    const adapters = initialLoraWeights(targets, 2, 1);
    const sft = buildSftGraph(lm, { targets, rank: 2, alpha: 4 });
    expect(sft.parameters.sort()).toEqual([...adapters.keys()].sort());
    const step = await SftStep.create(sft, new Map([...adapters].map(([name, tensor]) => [name, tensor.shape])), {
      intraOpNumThreads: 1,
    });
    const batch = padRows(rows, 1);
    const result = await step.run(batch, new Map([...adapters].map(([name, tensor]) => [name, tensor.data])));
    const full = await SftStep.create(buildSftGraph(lm), new Map([...lm.weights].map(([name, t]) => [name, t.shape])));
    const reference = await full.run(batch, new Map([...lm.weights].map(([name, tensor]) => [name, tensor.data])));
    expect(result.loss).toBeCloseTo(reference.loss, 5);
    expect([...result.gradients.keys()].sort()).toEqual([...adapters.keys()].sort());
    // B = 0, so A gets no gradient at first while B does.
    const someA = [...result.gradients].find(([name]) => name.includes('lora_A'))![1];
    const someB = [...result.gradients].find(([name]) => name.includes('lora_B'))![1];
    expect(someA.every((value) => value === 0)).toBe(true);
    expect(someB.some((value) => value !== 0)).toBe(true);
    await step.dispose();
    await full.dispose();
  });
});
