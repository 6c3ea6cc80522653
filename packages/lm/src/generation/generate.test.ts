import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainBpeTokenizer } from '../bpe-trainer';
import { createModel, loadModel } from '../models/causal-lm';

const tokenizer = trainBpeTokenizer(
  ['a cat on a mat, oil painting', 'a castle at night, digital art', 'make it night; add a cat, van gogh'],
  { vocabSize: 280, minFrequency: 1 },
);
const model = createModel(
  { model_type: 'gpt2', n_embd: 32, n_layer: 2, n_head: 4, n_positions: 64, vocab_size: 280, initializer_range: 0.4 },
  { seed: 9, tokenizer },
);
const vocabulary = 280;
const bloom = createModel({ model_type: 'bloom', hidden_size: 32, n_layer: 2, n_head: 4, vocab_size: 97 }, { seed: 5 });
/** Tokens that decode to plain ASCII, so texts cut at a stop string are unambiguous. */
const plainTokens = Array.from({ length: vocabulary }, (_, id) => id).filter((id) => /^[a-z ,;]+$/.test(decodeOne(id)));

function decodeOne(id: number): string {
  return model.tokenizer!.decode([id], { skipSpecialTokens: true });
}
afterAll(async () => {
  await model.dispose();
  await bloom.dispose();
});

/** Greedy continuation by full forwards without a cache: the independent path. */
async function greedyWithoutCache(prompt: number[], steps: number, lm = model) {
  const ids = [...prompt];
  const unfiltered: number[] = [];
  const size = lm.dimensions.vocabSize;
  for (let step = 0; step < steps; step++) {
    const { data } = await lm.forwardLogits({ inputIds: [ids] });
    const row = Array.from(data.subarray((ids.length - 1) * size, ids.length * size));
    const best = row.indexOf(Math.max(...row));
    const max = row[best]!;
    unfiltered.push(max - (Math.log(row.reduce((sum, value) => sum + Math.exp(value - max), 0)) + max));
    ids.push(best);
  }
  return { tokens: ids.slice(prompt.length), unfiltered };
}

const prompts = ['a cat at night', 'oil', 'make it a castle, digital art'];

/** The n-grams of `ids` as strings, each once. */
function ngramsOf(ids: readonly number[], size: number): Set<string> {
  const ngrams = new Set<string>();
  for (let start = 0; start + size <= ids.length; start++) ngrams.add(ids.slice(start, start + size).join());
  return ngrams;
}

/** Whether an n-gram of `ids` that ends at or after `start` occurs earlier in `ids`. */
function repeatsNgram(ids: readonly number[], size: number, start = 0): boolean {
  for (let end = Math.max(start, size - 1); end < ids.length; end++) {
    if (ngramsOf(ids.slice(0, end), size).has(ids.slice(end + 1 - size, end + 1).join())) return true;
  }
  return false;
}

/**
 * Greedy decoding by uncached full forwards that never takes a token completing an n-gram already in
 * `ids.slice(from)`: each candidate is appended and the history's n-grams are searched for the result.
 */
async function greedyWithoutRepeats(prompt: number[], steps: number, size: number, from = 0) {
  const ids = [...prompt];
  for (let step = 0; step < steps; step++) {
    const { data } = await model.forwardLogits({ inputIds: [ids] });
    const row = Array.from(data.subarray((ids.length - 1) * vocabulary, ids.length * vocabulary));
    const counted = ids.slice(from);
    const seen = ngramsOf(counted, size);
    let best = -1;
    row.forEach((logit, token) => {
      const repeat = counted.length + 1 >= size && seen.has([...counted, token].slice(-size).join());
      if (!repeat && (best < 0 || logit > row[best]!)) best = token;
    });
    ids.push(best);
  }
  return ids.slice(prompt.length);
}

describe('generate', () => {
  it('continues a left-padded batch greedily exactly like uncached full forwards of each prompt alone', async () => {
    const results = await model.generate(prompts, { maxNewTokens: 6, eosTokenId: [] });
    for (const [index, prompt] of prompts.entries()) {
      const ids = results[index]!.promptIds;
      expect(ids).toEqual(model.tokenizer!.encode(prompt));
      const expected = await greedyWithoutCache(ids, 6);
      expect(results[index]!.tokenIds).toEqual(expected.tokens);
      results[index]!.unfilteredLogProbs.forEach((value, step) => {
        expect(value).toBeCloseTo(expected.unfiltered[step]!, 4);
      });
      expect(results[index]!.logProbs).toEqual(results[index]!.unfilteredLogProbs);
      expect(results[index]!.finishReason).toBe('length');
      expect(results[index]!.text).toBe(model.tokenizer!.decode(expected.tokens, { skipSpecialTokens: true }));
    }
  });

  it('continues a left-padded BLOOM batch greedily like uncached full forwards, whatever the length limit', async () => {
    const bloomPrompts = [[5, 60, 13], [7], [1, 2, 3, 4, 5, 6, 7]];
    const short = await bloom.generate(bloomPrompts, { maxNewTokens: 8, eosTokenId: [] });
    // A 4096-token limit sizes the cache for 4096 positions: the same tokens, from a step that reads only the
    // filled positions.
    const long = await bloom.generate(bloomPrompts, { maxNewTokens: 8, maxLength: 4096, eosTokenId: [] });
    for (const [index, prompt] of bloomPrompts.entries()) {
      const expected = await greedyWithoutCache(prompt, 8, bloom);
      expect(short[index]!.tokenIds).toEqual(expected.tokens);
      expect(long[index]!.tokenIds).toEqual(expected.tokens);
      short[index]!.unfilteredLogProbs.forEach((value, step) => {
        expect(value).toBeCloseTo(expected.unfiltered[step]!, 4);
      });
    }
  });

  it('stops a row at its eos token and at a stop string', async () => {
    const [free] = await model.generate('a cat', { maxNewTokens: 8, eosTokenId: [], allow: plainTokens });
    const eos = free!.tokenIds[3]!;
    const firstEos = free!.tokenIds.indexOf(eos);
    const [ended] = await model.generate('a cat', { maxNewTokens: 8, eosTokenId: eos, allow: plainTokens });
    expect(ended!.tokenIds).toEqual(free!.tokenIds.slice(0, firstEos + 1));
    expect(ended!.finishReason).toBe('eos');

    const text = free!.text;
    const stop = text.slice(Math.floor(text.length / 2), Math.floor(text.length / 2) + 2);
    const [stopped] = await model.generate('a cat', {
      maxNewTokens: 8,
      eosTokenId: [],
      allow: plainTokens,
      stopStrings: [stop],
    });
    expect(stopped!.text).toBe(text.slice(0, text.indexOf(stop)));
    expect(stopped!.finishReason).toBe('stop');
  });

  it('samples reproducibly from a seed, within an allowed set, with filtered and unfiltered log-probs', async () => {
    const allow = [5, 17, 40, 41, 99, 250];
    const options = { maxNewTokens: 10, doSample: true, temperature: 1.5, topP: 0.9, allow, eosTokenId: [] };
    const first = await model.generate(prompts, { ...options, seed: 1 });
    const again = await model.generate(prompts, { ...options, seed: 1 });
    const other = await model.generate(prompts, { ...options, seed: 2 });
    expect(again.map((sequence) => sequence.tokenIds)).toEqual(first.map((sequence) => sequence.tokenIds));
    expect(other.map((sequence) => sequence.tokenIds)).not.toEqual(first.map((sequence) => sequence.tokenIds));
    for (const sequence of first) {
      for (const [step, token] of sequence.tokenIds.entries()) {
        expect(allow).toContain(token);
        // The allowed set and the warpers renormalise, so the kept token is likelier than under the model.
        expect(sequence.logProbs[step]!).toBeGreaterThan(sequence.unfilteredLogProbs[step]!);
        expect(sequence.logProbs[step]!).toBeLessThanOrEqual(0);
      }
    }
  });

  it('streams the same tokens and text as generate, row by row in order', async () => {
    const results = await model.generate(prompts, { maxNewTokens: 5, eosTokenId: [], allow: plainTokens });
    const streamed = prompts.map(() => ({ tokens: [] as number[], text: '' }));
    for await (const token of model.stream(prompts, { maxNewTokens: 5, eosTokenId: [], allow: plainTokens })) {
      expect(token.position).toBe(streamed[token.sequence]!.tokens.length);
      streamed[token.sequence]!.tokens.push(token.tokenId);
      streamed[token.sequence]!.text += token.text;
    }
    expect(streamed.map((row) => row.tokens)).toEqual(results.map((sequence) => sequence.tokenIds));
    expect(streamed.map((row) => row.text)).toEqual(results.map((sequence) => sequence.text));
  });

  it('never repeats an n-gram with noRepeatNgramSize, where plain greedy decoding does', async () => {
    const [plain] = await model.generate('oil', { maxNewTokens: 16, eosTokenId: [] });
    expect(repeatsNgram([...plain!.promptIds, ...plain!.tokenIds], 2, plain!.promptIds.length)).toBe(true);
    for (const size of [1, 2, 3]) {
      const options = { maxNewTokens: 16, eosTokenId: [], noRepeatNgramSize: size };
      const results = await model.generate(prompts, options);
      for (const result of results) {
        expect(repeatsNgram([...result.promptIds, ...result.tokenIds], size, result.promptIds.length)).toBe(false);
        expect(result.tokenIds).toEqual(await greedyWithoutRepeats(result.promptIds, 16, size));
      }
      const streamed = prompts.map(() => [] as number[]);
      for await (const token of model.stream(prompts, options)) streamed[token.sequence]!.push(token.tokenId);
      expect(streamed).toEqual(results.map((result) => result.tokenIds));
    }
    const sampled = await model.generate(prompts, {
      maxNewTokens: 16,
      eosTokenId: [],
      doSample: true,
      temperature: 2,
      noRepeatNgramSize: 2,
      seed: 3,
    });
    for (const result of sampled) {
      expect(repeatsNgram([...result.promptIds, ...result.tokenIds], 2, result.promptIds.length)).toBe(false);
    }
  });

  it('counts n-grams from noRepeatNgramFrom in each row of a batch of different prompt lengths', async () => {
    const plain = await model.generate(prompts, { maxNewTokens: 6, eosTokenId: [] });
    // Each prompt ends with the first six tokens of its own greedy decoding, whose rest re-uses some of them: the
    // whole-sequence history bans those, a history of the generated tokens alone does not.
    const promptIds = plain.map((result) => [...result.promptIds, ...result.tokenIds]);
    const fromPromptEnd = promptIds.map((ids) => ids.length);
    const options = { maxNewTokens: 12, eosTokenId: [], noRepeatNgramSize: 1 };
    const generatedOnly = await model.generate(promptIds, { ...options, noRepeatNgramFrom: fromPromptEnd });
    const wholeSequence = await model.generate(promptIds, options);
    for (const [row, result] of generatedOnly.entries()) {
      expect(new Set(result.tokenIds).size).toBe(result.tokenIds.length);
      expect(result.tokenIds).toEqual(await greedyWithoutRepeats(promptIds[row]!, 12, 1, fromPromptEnd[row]));
      expect(wholeSequence[row]!.tokenIds).toEqual(await greedyWithoutRepeats(promptIds[row]!, 12, 1));
    }
    expect(generatedOnly.map((result) => result.tokenIds)).not.toEqual(wholeSequence.map((result) => result.tokenIds));
    // One position for every row: the first two prompt tokens of each row are not history.
    const fromTwo = await model.generate(promptIds, { ...options, noRepeatNgramSize: 2, noRepeatNgramFrom: 2 });
    for (const [row, result] of fromTwo.entries()) {
      expect(result.tokenIds).toEqual(await greedyWithoutRepeats(promptIds[row]!, 12, 2, 2));
    }
  });

  it("reads no_repeat_ngram_size from a model folder's generation_config.json", async () => {
    const directory = await mkdtemp(join(tmpdir(), 'lm-ngram-'));
    try {
      await model.save(directory);
      await writeFile(join(directory, 'generation_config.json'), JSON.stringify({ no_repeat_ngram_size: 2 }));
      const loaded = await loadModel(directory);
      try {
        expect(loaded.generationConfig?.no_repeat_ngram_size).toBe(2);
        const [fromConfig] = await loaded.generate('oil', { maxNewTokens: 16, eosTokenId: [] });
        expect(fromConfig!.tokenIds).toEqual(await greedyWithoutRepeats(fromConfig!.promptIds, 16, 2));
        const [overridden] = await loaded.generate('oil', { maxNewTokens: 16, eosTokenId: [], noRepeatNgramSize: 0 });
        const overriddenIds = [...overridden!.promptIds, ...overridden!.tokenIds];
        expect(repeatsNgram(overriddenIds, 2, overridden!.promptIds.length)).toBe(true);
      } finally {
        await loaded.dispose();
      }
      await writeFile(join(directory, 'generation_config.json'), JSON.stringify({ no_repeat_ngram_size: -1 }));
      await expect(loadModel(directory)).rejects.toThrow(/no_repeat_ngram_size/);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('rejects bad n-gram options', async () => {
    await expect(model.generate(prompts, { noRepeatNgramSize: -1 })).rejects.toThrow(/noRepeatNgramSize/);
    await expect(model.generate(prompts, { noRepeatNgramSize: 2, noRepeatNgramFrom: [0, 1] })).rejects.toThrow(
      /noRepeatNgramFrom: has 2 entries for 3 prompts/,
    );
    await expect(model.generate(prompts, { noRepeatNgramSize: 2, noRepeatNgramFrom: -1 })).rejects.toThrow(
      /noRepeatNgramFrom\[0\]: must be an integer >= 0/,
    );
  });

  it('penalises repetition and rejects bad options', async () => {
    const [plain] = await model.generate('a cat', { maxNewTokens: 8, eosTokenId: [] });
    const [penalised] = await model.generate('a cat', { maxNewTokens: 8, eosTokenId: [], repetitionPenalty: 100 });
    const repeats = (ids: number[]) => ids.length - new Set(ids).size;
    expect(repeats(penalised!.tokenIds)).toBeLessThanOrEqual(repeats(plain!.tokenIds));
    expect(repeats(penalised!.tokenIds)).toBe(0);
    await expect(model.generate('a cat', { maxNewTokens: 0 })).rejects.toThrow(/maxNewTokens/);
    await expect(model.generate([], {})).rejects.toThrow(/no prompts/);
    // n_positions is 64: a 64-token prompt leaves no position for a new token; 60 leave four.
    const full = Array.from({ length: 64 }, () => plainTokens[0]!);
    await expect(model.generate([[plainTokens[1]!], full], { maxNewTokens: 5 })).rejects.toThrow(
      /prompts\[1\]: has 64 tokens.*64 \(n_positions\)/,
    );
    const [cut] = await model.generate([full.slice(4)], { maxNewTokens: 50, eosTokenId: [] });
    expect(cut!.tokenIds).toHaveLength(4);
    expect(cut!.finishReason).toBe('length');
  });
});
