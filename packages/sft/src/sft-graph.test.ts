import { compileGraph, grad, reachableNodes, trainingGraph } from '@diffchat/autodiff';
import { CausalLM } from '@diffchat/lm';
import { createTinyModel } from '@diffchat/lm/testing';
import { describe, expect, it } from 'vitest';
import { adapterConfigOf, defaultTargetModules, findLoraTargets, initialLoraWeights, mergeLoraAdapter } from './lora';
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

/** Adapters with B non-zero, so the LoRA term changes the output. */
function trainedAdapters(modelType: 'gpt2' | 'bloom', lm: CausalLM) {
  const targets = findLoraTargets(modelType, lm.weights);
  const tensors = initialLoraWeights(targets, 2, 3);
  for (const [name, tensor] of tensors) {
    if (name.includes('lora_B')) tensor.data.set(tensor.data.map((_, index) => Math.sin(index + name.length) / 2));
  }
  return { targets, tensors };
}

const valuesOf = (tensors: ReadonlyMap<string, { data: Float32Array }>) =>
  new Map([...tensors].map(([name, tensor]) => [name, tensor.data]));
const shapesOf = (tensors: ReadonlyMap<string, { shape: readonly number[] }>) =>
  new Map([...tensors].map(([name, tensor]) => [name, tensor.shape]));

describe.each(['gpt2', 'bloom'] as const)('LoRA through the projection hook (%s)', (modelType) => {
  it('with dropout 0 gives the loss of the folded weights W + (alpha / r) B A, and their chain-rule gradients', async () => {
    const lm = model(modelType);
    const { targets, tensors } = trainedAdapters(modelType, lm);
    const alpha = 3;
    const hooked = await SftStep.create(buildSftGraph(lm, { targets, rank: 2, alpha }), shapesOf(tensors), {
      intraOpNumThreads: 1,
    });
    const batch = padRows(rows, 1);
    const result = await hooked.run(batch, valuesOf(tensors));
    const config = adapterConfigOf(modelType, { rank: 2, alpha, dropout: 0 }, defaultTargetModules(modelType), null);
    const merged = mergeLoraAdapter(modelType, lm.weights, { config, tensors });
    const folded = new CausalLM({ config: lm.config, weights: merged, tokenizer: lm.tokenizer });
    const full = await SftStep.create(buildSftGraph(folded), shapesOf(merged), { intraOpNumThreads: 1 });
    const reference = await full.run(batch, valuesOf(merged));
    expect(result.loss).toBeCloseTo(reference.loss, 5);
    // Frozen weights fed as inputs (how a large model is held once) give the same loss.
    const fedGraph = buildSftGraph(lm, { targets, rank: 2, alpha, frozenWeights: 'inputs' });
    expect(fedGraph.frozenInputs?.size).toBe(lm.weights.size);
    expect(fedGraph.graph.initializers.size).toBeLessThan(lm.weights.size);
    const fed = await SftStep.create(fedGraph, shapesOf(tensors), { intraOpNumThreads: 1 });
    expect((await fed.run(batch, valuesOf(tensors))).loss).toBeCloseTo(result.loss, 6);
    await fed.dispose();
    // dL/dB = s G A^T and dL/dA = s B^T G, with G = dL/dW of the folded weight in [out, in] orientation.
    const scale = alpha / 2;
    for (const target of [targets[0]!, targets.at(-1)!]) {
      const stored = reference.gradients.get(target.weight)!;
      const g = (o: number, i: number) =>
        target.layout === 'out-in' ? stored[o * target.inputs + i]! : stored[i * target.outputs + o]!;
      const a = tensors.get(target.loraA)!.data;
      const b = tensors.get(target.loraB)!.data;
      const gradientA = result.gradients.get(target.loraA)!;
      const gradientB = result.gradients.get(target.loraB)!;
      for (let k = 0; k < 2; k++) {
        for (let i = 0; i < target.inputs; i += 3) {
          let sum = 0;
          for (let o = 0; o < target.outputs; o++) sum += b[o * 2 + k]! * g(o, i);
          expect(gradientA[k * target.inputs + i]).toBeCloseTo(scale * sum, 4);
        }
        for (let o = 0; o < target.outputs; o += 5) {
          let sum = 0;
          for (let i = 0; i < target.inputs; i++) sum += g(o, i) * a[k * target.inputs + i]!;
          expect(gradientB[o * 2 + k]).toBeCloseTo(scale * sum, 4);
        }
      }
    }
    await Promise.all([hooked.dispose(), full.dispose(), lm.dispose(), folded.dispose()]);
  });

  it('the gradient graph has no node producing a gradient of a frozen weight', () => {
    const lm = model(modelType);
    const matrices = [...lm.weights.values()]
      .filter((tensor) => tensor.shape.length === 2)
      .flatMap((tensor) => [tensor.shape.join('x'), [...tensor.shape].reverse().join('x')]);
    // Backward nodes of the serialised graph (what the outputs need) whose output has the static shape of a
    // weight matrix (or its transpose).
    const weightShapedGradients = (sft: ReturnType<typeof buildSftGraph>) => {
      const forward = new Set(sft.graph.nodes);
      trainingGraph(sft.loss, { parameters: sft.graph.parameters() });
      return reachableNodes(sft.graph, sft.graph.outputs.values())
        .filter((node) => !forward.has(node))
        .flatMap((node) => node.outputs)
        .filter((value) => value.shape.every((dim) => typeof dim === 'number'))
        .filter((value) => matrices.includes(value.shape.join('x')));
    };
    // The detector finds them in full fine-tuning, where every weight is differentiated...
    expect(weightShapedGradients(buildSftGraph(lm)).length).toBeGreaterThanOrEqual(lm.weights.size / 3);
    // ...and finds none with LoRA: the frozen weights only carry gradients through to the activations.
    const { targets } = trainedAdapters(modelType, lm);
    expect(weightShapedGradients(buildSftGraph(lm, { targets, rank: 2, alpha: 4 }))).toEqual([]);
  });

  it('dropout acts on the adapter input only: seeded while training, off in evaluation', async () => {
    const lm = model(modelType);
    const { targets, tensors } = trainedAdapters(modelType, lm);
    const plain = await SftStep.create(buildSftGraph(lm, { targets, rank: 2, alpha: 4 }), shapesOf(tensors), {
      intraOpNumThreads: 1,
    });
    const dropped = await SftStep.create(
      buildSftGraph(lm, { targets, rank: 2, alpha: 4, dropout: 0.5 }),
      shapesOf(tensors),
      { intraOpNumThreads: 1 },
    );
    const batch = padRows(rows, 1);
    const values = valuesOf(tensors);
    const reference = (await plain.run(batch, values)).loss;
    expect((await dropped.evaluate(batch, values)).loss).toBeCloseTo(reference, 6);
    const first = await dropped.run(batch, values, 11);
    const firstGradient = first.gradients.get(targets[0]!.loraA)!.slice();
    const again = await dropped.run(batch, values, 11);
    expect(again.loss).toBe(first.loss);
    expect(again.gradients.get(targets[0]!.loraA)).toEqual(firstGradient);
    const other = await dropped.run(batch, values, 12);
    expect(other.loss).not.toBe(first.loss);
    expect(first.loss).not.toBeCloseTo(reference, 4);
    // Fresh adapters (B = 0) add nothing whatever the mask, so the loss is the base model's (which fresh adapters
    // without dropout reproduce, tested above): the base path never sees dropout.
    const fresh = valuesOf(initialLoraWeights(targets, 2, 1));
    const baseLoss = (await plain.run(batch, fresh)).loss;
    expect((await dropped.run(batch, fresh, 11)).loss).toBeCloseTo(baseLoss, 6);
    await Promise.all([plain.dispose(), dropped.dispose(), lm.dispose()]);
  });
});
