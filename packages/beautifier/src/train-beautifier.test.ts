import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@diffchat/core';
import type { CausalLM } from '@diffchat/lm';
import { BUILT_IN_TEMPLATES, renderPrompt } from '@diffchat/sft';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Beautifier, loadBeautifier } from './beautifier-model';
import { beautify } from './beautify';
import { trainBeautifier } from './train-beautifier';

// The independent reference: after training, greedy decoding must give back exactly these beautiful prompts.
const pairs = [
  { simple: 'a red cat', beautiful: 'a red cat, oil painting, highly detailed' },
  { simple: 'a blue ship', beautiful: 'a blue ship at dusk, digital art, 8k' },
  { simple: 'a green tree', beautiful: 'watercolour of a green tree, soft lighting' },
  { simple: 'two dogs', beautiful: 'two dogs in a park, golden hour, sharp focus' },
  { simple: 'a castle', beautiful: 'a castle on a hill, matte painting, dramatic lighting' },
  { simple: 'a robot', beautiful: 'a robot, pixel art, vibrant colours' },
];

let root: string;
let beautifier: Beautifier;
let dataPath: string;

async function sumOfScoredLogProbs(model: CausalLM, promptIds: number[], outputIds: number[]): Promise<number> {
  const scores = await model.score({ inputIds: [[...promptIds, ...outputIds]] });
  let sum = 0;
  for (let position = promptIds.length - 1; position < promptIds.length + outputIds.length - 1; position++) {
    sum += scores.logProbs[position]!;
  }
  return sum;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'beautifier-train-'));
  // BeautifulPrompt's released line format, read through the importer.
  dataPath = join(root, 'released.jsonl');
  await writeFile(
    dataPath,
    pairs.map((pair) => JSON.stringify({ raw_prompt: pair.simple, prompt: pair.beautiful, pick_score: 20 })).join('\n'),
  );
  const result = await trainBeautifier({
    data: dataPath,
    modelConfig: { model_type: 'gpt2', n_embd: 32, n_layer: 2, n_head: 2, n_positions: 128 },
    tokenizer: { vocabSize: 320, minFrequency: 1 },
    out: join(root, 'model'),
    batchSize: pairs.length,
    maxSteps: 120,
    learningRate: 3e-2,
    schedule: 'constant',
    warmupSteps: 5,
    evalFraction: 0,
    checkpointEvery: 0,
    handleSigint: false,
    intraOpNumThreads: 1,
    seed: 3,
  });
  expect(result.sft?.stopReason).toBe('completed');
  expect(result.out).toBe(join(root, 'model'));
  await result.model.dispose();
  beautifier = await loadBeautifier(join(root, 'model'));
});

afterAll(async () => {
  await beautifier?.model.dispose();
  await rm(root, { recursive: true, force: true });
});

describe('trainBeautifier + beautify', () => {
  it('memorises a handful of pairs: greedy decoding gives back every beautiful prompt', async () => {
    expect(beautifier.template).toEqual(BUILT_IN_TEMPLATES['beautiful-prompt']);
    const results = await beautify(
      pairs.map((pair) => pair.simple),
      { model: beautifier, maxNewTokens: 64 },
    );
    expect(results.map((result) => result.beautiful)).toEqual(pairs.map((pair) => pair.beautiful));
    for (const result of results) {
      expect(result.candidates).toHaveLength(1);
      expect(result.candidates[0]!.finishReason).toBe('eos');
    }
    const generation = JSON.parse(await readFile(join(root, 'model', 'generation_config.json'), 'utf8'));
    expect(generation).toMatchObject({ do_sample: false, max_new_tokens: 96 });
  });

  it('gives back the memorised prompts with n-grams counted in the completion, and from a forced start', async () => {
    const simples = pairs.map((pair) => pair.simple);
    const banned = await beautify(simples, { model: beautifier, maxNewTokens: 64, sampler: { noRepeatNgramSize: 3 } });
    expect(banned.map((result) => result.beautiful)).toEqual(pairs.map((pair) => pair.beautiful));
    // Counted over the whole sequence, as Hugging Face does, the simple prompt in the template's prompt bans its
    // own trigrams from the output.
    const promptIds = simples.map((simple) =>
      beautifier.model.tokenizer!.encode(renderPrompt(beautifier.template, { simple })),
    );
    const wholeSequence = await beautifier.model.generate(promptIds, { maxNewTokens: 64, noRepeatNgramSize: 3 });
    expect(wholeSequence.map((sequence) => sequence.text.trim())).not.toEqual(pairs.map((pair) => pair.beautiful));

    // Every memorised output that begins with its simple prompt comes back when that start is forced.
    const startingWithSource = pairs.filter((pair) => pair.beautiful.startsWith(pair.simple));
    expect(startingWithSource.length).toBe(5);
    const forced = await beautify(
      startingWithSource.map((pair) => pair.simple),
      { model: beautifier, maxNewTokens: 64, startWithSource: true },
    );
    expect(forced.map((result) => result.beautiful)).toEqual(startingWithSource.map((pair) => pair.beautiful));
    for (const result of forced) expect(result.candidates[0]!.finishReason).toBe('eos');
  });

  it('returns log-probabilities equal to the scoring graph on prompt + output', async () => {
    const [result] = await beautify([pairs[1]!.simple], { model: beautifier, maxNewTokens: 40 });
    const promptIds = beautifier.model.tokenizer!.encode(
      renderPrompt(beautifier.template, { simple: pairs[1]!.simple }),
    );
    const candidate = result!.candidates[0]!;
    const scored = await sumOfScoredLogProbs(beautifier.model, promptIds, candidate.tokenIds);
    expect(candidate.logProb).toBeCloseTo(scored, 3);
    expect(candidate.tokenLogProbs).toHaveLength(candidate.tokenIds.length);
    // Greedy decoding without processors: the sampler's distribution is the model's own.
    expect(candidate.samplerLogProb).toBeCloseTo(candidate.logProb, 5);
    expect(candidate.logProb).toBeLessThan(0);
  });

  it('gives the same outputs batched as one prompt at a time', async () => {
    const prompts = [...pairs.map((pair) => pair.simple), 'a red ship', 'two cats'];
    const batched = await beautify(prompts, { model: beautifier, batchSize: 5, maxNewTokens: 30 });
    const single: Awaited<ReturnType<typeof beautify>> = [];
    for (const prompt of prompts) single.push(...(await beautify([prompt], { model: beautifier, maxNewTokens: 30 })));
    expect(batched.map((result) => result.beautiful)).toEqual(single.map((result) => result.beautiful));
    batched.forEach((result, index) => {
      expect(result.simple).toBe(prompts[index]);
      expect(result.logProb).toBeCloseTo(single[index]!.logProb, 3);
    });
  });

  it('samples n outputs per prompt, each scored under the model', async () => {
    const results = await beautify(['a red cat', 'a castle'], {
      model: beautifier,
      n: 3,
      sampler: { doSample: true, temperature: 1.5, topK: 20 },
      seed: 5,
      maxNewTokens: 12,
    });
    expect(results.map((result) => result.candidates.length)).toEqual([3, 3]);
    const candidate = results[1]!.candidates[2]!;
    const promptIds = beautifier.model.tokenizer!.encode(renderPrompt(beautifier.template, { simple: 'a castle' }));
    expect(candidate.logProb).toBeCloseTo(
      await sumOfScoredLogProbs(beautifier.model, promptIds, candidate.tokenIds),
      3,
    );
    for (const result of results) {
      for (const drawn of result.candidates) {
        expect(drawn.tokenIds.length).toBeLessThanOrEqual(12);
        expect(Number.isFinite(drawn.samplerLogProb)).toBe(true);
      }
    }
  });

  it('rejects bad options and prompts by name', async () => {
    await expect(beautify(['a cat'], { model: beautifier, n: 2 })).rejects.toThrow(/n = 2 .*doSample/);
    await expect(beautify(['a cat', ' '], { model: beautifier })).rejects.toThrow(/prompts\[1\]/);
    await expect(beautify(['a cat'], { model: beautifier, batchSize: 0 })).rejects.toThrow(/batchSize/);
    await expect(beautify(['a cat'], { model: beautifier.model, template: 'diffchat' })).rejects.toThrow(
      /template.prompt: .*\{simple\}/,
    );
    expect(await beautify([], { model: beautifier })).toEqual([]);
  });
});

describe('trainBeautifier input checks', () => {
  const base = { out: join(tmpdir(), 'never-written'), handleSigint: false } as const;
  it('needs exactly one of base and modelConfig', async () => {
    await expect(trainBeautifier({ ...base, data: pairs })).rejects.toThrow(ConfigError);
    await expect(
      trainBeautifier({ ...base, data: pairs, base: beautifier.model, modelConfig: { model_type: 'gpt2' } }),
    ).rejects.toThrow(/exactly one of base/);
  });

  it('names the bad record or line', async () => {
    await expect(
      trainBeautifier({ ...base, data: [pairs[0], { simple: 'x' }], modelConfig: { model_type: 'gpt2' } }),
    ).rejects.toThrow('data[1]: field "beautiful": missing');
    const path = join(root, 'bad.jsonl');
    await writeFile(path, `${JSON.stringify(pairs[0])}\n{"raw_prompt": "a", "prompt": ""}\n`);
    await expect(trainBeautifier({ ...base, data: path, modelConfig: { model_type: 'gpt2' } })).rejects.toThrow(
      `${path}:2: field "prompt"`,
    );
  });
});
