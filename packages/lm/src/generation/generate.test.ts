import { afterAll, describe, expect, it } from 'vitest';
import { trainBpeTokenizer } from '../bpe-trainer';
import { createModel } from '../models/causal-lm';

const tokenizer = trainBpeTokenizer(
  ['a cat on a mat, oil painting', 'a castle at night, digital art', 'make it night; add a cat, van gogh'],
  { vocabSize: 280, minFrequency: 1 },
);
const model = createModel(
  { model_type: 'gpt2', n_embd: 32, n_layer: 2, n_head: 4, n_positions: 64, vocab_size: 280, initializer_range: 0.4 },
  { seed: 9, tokenizer },
);
const vocabulary = 280;
/** Tokens that decode to plain ASCII, so texts cut at a stop string are unambiguous. */
const plainTokens = Array.from({ length: vocabulary }, (_, id) => id).filter((id) => /^[a-z ,;]+$/.test(decodeOne(id)));

function decodeOne(id: number): string {
  return model.tokenizer!.decode([id], { skipSpecialTokens: true });
}
afterAll(() => model.dispose());

/** Greedy continuation by full forwards without a cache: the independent path. */
async function greedyWithoutCache(prompt: number[], steps: number) {
  const ids = [...prompt];
  const unfiltered: number[] = [];
  for (let step = 0; step < steps; step++) {
    const { data } = await model.forwardLogits({ inputIds: [ids] });
    const row = Array.from(data.subarray((ids.length - 1) * vocabulary, ids.length * vocabulary));
    const best = row.indexOf(Math.max(...row));
    const max = row[best]!;
    unfiltered.push(max - (Math.log(row.reduce((sum, value) => sum + Math.exp(value - max), 0)) + max));
    ids.push(best);
  }
  return { tokens: ids.slice(prompt.length), unfiltered };
}

const prompts = ['a cat at night', 'oil', 'make it a castle, digital art'];

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
      /prompt 1 has 64 tokens.*64 positions/,
    );
    const [cut] = await model.generate([full.slice(4)], { maxNewTokens: 50, eosTokenId: [] });
    expect(cut!.tokenIds).toHaveLength(4);
    expect(cut!.finishReason).toBe('length');
  });
});
