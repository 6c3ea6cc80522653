import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CausalLM } from '@diffchat/lm';
import { createTinyModel } from '@diffchat/lm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLoraAdapter } from './lora';
import { train } from './sft-trainer';
import { loadTemplate } from './template';

const subjects = ['cat', 'dog', 'castle', 'horse', 'moon', 'tree', 'ship', 'robot'];
const moods = ['calm', 'stormy'];
const pairs = subjects.flatMap((subject, index) =>
  moods.map((mood, moodIndex) => ({
    simple: `a ${mood} ${subject}`,
    beautiful: `a ${mood} ${subject}, ${(index + moodIndex) % 2 === 0 ? 'oil painting' : 'digital art'}, highly detailed`,
  })),
);
const shortTemplate = { name: 'short', prompt: 'Input: {simple}\nOutput:', completion: ' {beautiful}' };

function tinyModel(options: Parameters<typeof createTinyModel>[0] = {}): CausalLM {
  const directory = createTinyModel({ hiddenSize: 32, layers: 2, heads: 2, ...options });
  return new CausalLM({ ...directory, tokenizer: directory.tokenizer });
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sft-trainer-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('train', () => {
  it('memorises 16 pairs to exact greedy reproduction', async () => {
    const result = await train({
      model: tinyModel({ seed: 1 }),
      data: pairs,
      template: shortTemplate,
      outputDir: join(root, 'overfit'),
      batchSize: 16,
      maxSteps: 150,
      learningRate: 3e-2,
      schedule: 'constant',
      warmupSteps: 5,
      evalFraction: 0,
      checkpointEvery: 0,
      handleSigint: false,
      intraOpNumThreads: 1,
    });
    expect(result.stopReason).toBe('completed');
    expect(result.lastLoss).toBeLessThan(0.05);
    const template = await loadTemplate(result.outputPath!);
    expect(template).toEqual({ ...shortTemplate, appendEos: true });
    const prompts = pairs.map((pair) => `Input: ${pair.simple}\nOutput:`);
    const generated = await result.model.generate(prompts, { maxNewTokens: 48 });
    expect(generated.map((sequence) => sequence.text)).toEqual(pairs.map((pair) => ` ${pair.beautiful}`));
    await result.model.dispose();
  });

  const base = {
    data: pairs,
    template: shortTemplate,
    batchSize: 4,
    gradientAccumulationSteps: 2,
    learningRate: 1e-2,
    warmupSteps: 2,
    evalFraction: 0,
    handleSigint: false,
    intraOpNumThreads: 1,
  } as const;

  it.each([
    { label: 'full', lora: undefined },
    { label: 'lora-dropout', lora: { rank: 2, alpha: 4, dropout: 0.3 } },
  ])('resumed at step k equals the uninterrupted run ($label)', async ({ label, lora }) => {
    const settings = { ...base, maxSteps: 6, checkpointEvery: 2, seed: 3, ...(lora ? { lora } : {}) };
    const whole = await train({ ...settings, model: tinyModel(), outputDir: join(root, `whole-${label}`) });
    const controller = new AbortController();
    const first = await train({
      ...settings,
      model: tinyModel(),
      outputDir: join(root, `resumed-${label}`),
      signal: controller.signal,
      onStep: ({ step }) => {
        if (step === 3) controller.abort();
      },
    });
    expect(first.stopReason).toBe('interrupted');
    expect(first.steps).toBe(3);
    expect(first.outputPath).toBeUndefined();
    await expect(train({ ...settings, model: tinyModel(), outputDir: join(root, `resumed-${label}`) })).rejects.toThrow(
      /resume/,
    );
    const resumed = await train({
      ...settings,
      model: tinyModel(),
      outputDir: join(root, `resumed-${label}`),
      resume: true,
    });
    expect(resumed.steps).toBe(6);
    expect(resumed.stopReason).toBe('completed');
    for (const [name, tensor] of whole.model.weights) {
      const other = resumed.model.weights.get(name)!;
      let worst = 0;
      for (let index = 0; index < tensor.data.length; index++) {
        worst = Math.max(worst, Math.abs(tensor.data[index]! - other.data[index]!));
      }
      expect(worst, name).toBeLessThanOrEqual(1e-6);
    }
    expect(resumed.lastLoss).toBeCloseTo(whole.lastLoss, 5);
  });

  it('resumes a run moved to another folder, and a finished run reports its real last loss', async () => {
    const settings = { ...base, maxSteps: 4, checkpointEvery: 1, seed: 5 };
    const controller = new AbortController();
    const before = join(root, 'before-move');
    const first = await train({
      ...settings,
      model: tinyModel(),
      outputDir: before,
      signal: controller.signal,
      onStep: ({ step }) => {
        if (step === 2) controller.abort();
      },
    });
    expect(first.stopReason).toBe('interrupted');
    const after = join(root, 'moved', 'after-move');
    await mkdir(join(root, 'moved'));
    await rename(before, after);
    const losses: number[] = [];
    const resumed = await train({
      ...settings,
      model: tinyModel(),
      outputDir: after,
      resume: true,
      onStep: ({ loss }) => losses.push(loss),
    });
    expect(resumed.stopReason).toBe('completed');
    expect(resumed.steps).toBe(4);
    expect(losses).toHaveLength(2);
    expect(resumed.lastLoss).toBe(losses.at(-1));

    const stepsAgain: number[] = [];
    const again = await train({
      ...settings,
      model: tinyModel(),
      outputDir: after,
      resume: true,
      onStep: ({ step }) => stepsAgain.push(step),
    });
    expect(stepsAgain).toEqual([]);
    expect(again.steps).toBe(4);
    expect(again.stopReason).toBe('completed');
    expect(again.lastLoss).toBe(losses.at(-1));
    for (const [name, tensor] of resumed.model.weights) {
      expect(again.model.weights.get(name)?.data, name).toEqual(tensor.data);
    }
  });

  it('batch 1 x accumulation 8 equals batch 8 x accumulation 1', async () => {
    // A large AdamW epsilon makes the update nearly linear in the gradient, so equal gradients show as equal weights.
    const settings = { ...base, maxSteps: 2, adamEpsilon: 1, learningRate: 0.5, maxGradNorm: 0, checkpointEvery: 0 };
    const big = await train({
      ...settings,
      model: tinyModel(),
      outputDir: join(root, 'batch-8'),
      batchSize: 8,
      gradientAccumulationSteps: 1,
    });
    const small = await train({
      ...settings,
      model: tinyModel(),
      outputDir: join(root, 'batch-1'),
      batchSize: 1,
      gradientAccumulationSteps: 8,
    });
    const start = tinyModel();
    let changed = 0;
    for (const [name, tensor] of big.model.weights) {
      const other = small.model.weights.get(name)!;
      const initial = start.weights.get(name)!;
      for (let index = 0; index < tensor.data.length; index++) {
        expect(Math.abs(tensor.data[index]! - other.data[index]!)).toBeLessThanOrEqual(1e-6);
        if (tensor.data[index] !== initial.data[index]) changed++;
      }
    }
    expect(changed).toBeGreaterThan(1000);
    expect(big.lastLoss).toBeCloseTo(small.lastLoss, 5);
  });

  it('changes every trainable weight and writes the model in the Hugging Face layout', async () => {
    const start = tinyModel();
    const result = await train({ ...base, model: start, maxSteps: 2, outputDir: join(root, 'layout') });
    const files = await readdir(result.outputPath!);
    expect(files).toEqual(
      expect.arrayContaining([
        'config.json',
        'model.safetensors',
        'tokenizer.json',
        'generation_config.json',
        'template.json',
      ]),
    );
    // Every tensor the data reaches moves (embedding rows of unused tokens may not).
    for (const [name, tensor] of result.model.weights) {
      const before = start.weights.get(name)!;
      expect(
        tensor.data.some((value, index) => value !== before.data[index]),
        name,
      ).toBe(true);
    }
    const checkpoints = await readdir(join(result.runDirectory, 'checkpoints'));
    expect(checkpoints).toEqual(['step-00000002']);
    const checkpointFiles = await readdir(join(result.runDirectory, 'checkpoints', checkpoints[0]!));
    expect(checkpointFiles).toEqual(
      expect.arrayContaining(['config.json', 'model.safetensors', 'template.json', 'trainer']),
    );
  });

  it('evaluates, logs perplexity and stops early when the eval loss stops falling', async () => {
    const result = await train({
      ...base,
      model: tinyModel(),
      mode: 'pretrain',
      template: 'text',
      data: pairs.map((pair) => ({ text: pair.beautiful })),
      packing: true,
      maxLength: 48,
      learningRate: 0,
      warmupSteps: 0,
      maxSteps: 20,
      evalFraction: 0.25,
      evalEvery: 2,
      logEvery: 1,
      earlyStoppingPatience: 2,
      outputDir: join(root, 'early'),
    });
    expect(result.stopReason).toBe('early-stopped');
    // Evaluations at steps 2, 4, 6: the first sets the best, the next two do not beat it.
    expect(result.steps).toBe(6);
    const lines = (await readFile(join(result.runDirectory, 'metrics.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.step)).toEqual([1, 2, 3, 4, 5, 6]);
    const evaluated = lines.filter((line) => 'eval_loss' in line);
    expect(evaluated.map((line) => line.step)).toEqual([2, 4, 6]);
    for (const line of evaluated) expect(line.eval_perplexity).toBeCloseTo(Math.exp(line.eval_loss), 6);
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(
        expect.arrayContaining(['step', 'loss', 'lr', 'grad_norm', 'tokens_per_second']),
      );
    }
  });

  it('writes a checkpoint and returns cleanly on SIGINT', async () => {
    const result = await train({
      ...base,
      model: tinyModel(),
      maxSteps: 10,
      outputDir: join(root, 'sigint'),
      handleSigint: true,
      onStep: ({ step }) => {
        if (step === 2) process.emit('SIGINT');
      },
    });
    expect(result.stopReason).toBe('interrupted');
    expect(await readdir(join(result.runDirectory, 'checkpoints'))).toEqual(['step-00000002']);
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  it('LoRA: only the adapters change, the loss falls, and the saved adapter merges into the result', async () => {
    // Embeddings of a usable scale, so the logits can move: the random tiny model's sit near the uniform distribution.
    const start = tinyModel();
    for (const value of start.weights.get('transformer.wte.weight')!.data.keys()) {
      start.weights.get('transformer.wte.weight')!.data[value]! *= 20;
    }
    const baseWeights = new Map([...start.weights].map(([name, tensor]) => [name, tensor.data.slice()]));
    const losses: number[] = [];
    const result = await train({
      ...base,
      model: start,
      maxSteps: 30,
      learningRate: 0.1,
      schedule: 'constant',
      lora: { rank: 4, alpha: 8, dropout: 0.1 },
      outputDir: join(root, 'lora'),
      onStep: ({ loss }) => losses.push(loss),
    });
    expect(losses.at(-1)!).toBeLessThan(losses[0]! - 0.3);
    for (const [name, data] of baseWeights) expect(start.weights.get(name)!.data, name).toEqual(data);
    const adapter = await loadLoraAdapter(result.outputPath!);
    expect(adapter.config).toMatchObject({
      peft_type: 'LORA',
      r: 4,
      lora_alpha: 8,
      lora_dropout: 0.1,
      fan_in_fan_out: true,
    });
    expect([...adapter.tensors.keys()]).toContain('base_model.model.transformer.h.0.attn.c_attn.lora_A.weight');
    expect([...adapter.tensors.keys()]).toContain('base_model.model.transformer.h.1.mlp.c_fc.lora_B.weight');
    const adapted = new Set<string>();
    for (const name of adapter.tensors.keys()) {
      adapted.add(name.replace(/^base_model\.model\./, '').replace(/\.lora_[AB]\.weight$/, '.weight'));
    }
    expect(adapted.size).toBe(8); // c_attn, attn.c_proj, c_fc, mlp.c_proj in each of 2 layers
    for (const [name, tensor] of result.model.weights) {
      const before = baseWeights.get(name)!;
      if (!adapted.has(name)) {
        expect(tensor.data, name).toEqual(before);
        continue;
      }
      // merged = base + (alpha / r) B A, with GPT-2's Conv1D storing the weight transposed ([in, out]).
      const module = name.slice(0, -'.weight'.length);
      const a = adapter.tensors.get(`base_model.model.${module}.lora_A.weight`)!;
      const b = adapter.tensors.get(`base_model.model.${module}.lora_B.weight`)!;
      const [inputs, outputs] = tensor.shape as [number, number];
      expect(b.data.some((value) => value !== 0)).toBe(true);
      for (let i = 0; i < inputs; i++) {
        for (let o = 0; o < outputs; o++) {
          let product = 0;
          for (let k = 0; k < 4; k++) product += b.data[o * 4 + k]! * a.data[k * inputs + i]!;
          expect(tensor.data[i * outputs + o]).toBeCloseTo(before[i * outputs + o]! + 2 * product, 5);
        }
      }
    }
  });
});
