import { createModel, trainBpeTokenizer } from '@diffchat/lm';
import { renderPrompt } from '@diffchat/sft';
import { afterAll, describe, expect, it } from 'vitest';
import { beautifierTemplate } from './beautifier-model';
import { beautify } from './beautify';
import { repeatsModifier } from './repeated-modifiers';

const vocabulary = 300;
const model = createModel(
  {
    model_type: 'gpt2',
    n_embd: 32,
    n_layer: 2,
    n_head: 4,
    n_positions: 256,
    vocab_size: vocabulary,
    initializer_range: 0.4,
  },
  {
    seed: 9,
    tokenizer: trainBpeTokenizer(
      [
        'an old windmill, oil painting, highly detailed',
        'a castle at night, digital art, 8k',
        'a red cat, sharp focus',
      ],
      { vocabSize: vocabulary, minFrequency: 1 },
    ),
  },
);
const tokenizer = model.tokenizer!;
const beautifier = { model, template: beautifierTemplate() };
afterAll(() => model.dispose());

/** Ids of the template's prompt for a simple prompt, as training encodes it. */
const promptIdsOf = (simple: string) => tokenizer.encode(renderPrompt(beautifier.template, { simple }));

/**
 * Greedy decoding by uncached full forwards: the independent path. With `noRepeat`, a token is skipped when appending
 * it repeats an n-gram of the tokens from position `from` on, found by searching them.
 */
async function greedyReference(context: number[], steps: number, noRepeat?: { size: number; from: number }) {
  const ids = [...context];
  for (let step = 0; step < steps; step++) {
    const { data } = await model.forwardLogits({ inputIds: [ids] });
    const row = data.subarray((ids.length - 1) * vocabulary, ids.length * vocabulary);
    const history = noRepeat === undefined ? [] : ids.slice(noRepeat.from);
    const seen = new Set<string>();
    const size = noRepeat?.size ?? 1;
    for (let start = 0; start + size <= history.length; start++) seen.add(history.slice(start, start + size).join());
    let best = -1;
    row.forEach((logit, token) => {
      const repeats = noRepeat !== undefined && seen.has([...history, token].slice(-size).join());
      if (!repeats && (best < 0 || logit > row[best]!)) best = token;
    });
    ids.push(best);
  }
  return ids.slice(context.length);
}

async function sumOfScoredLogProbs(context: number[], outputIds: number[]): Promise<number> {
  const scores = await model.score({ inputIds: [[...context, ...outputIds]] });
  let sum = 0;
  for (let position = context.length - 1; position < context.length + outputIds.length - 1; position++) {
    sum += scores.logProbs[position]!;
  }
  return sum;
}

const prompts = ['an old windmill', ' a cat ', 'a castle at night, digital art'];

describe('beautify: startWithSource', () => {
  it('writes the rest of an output that begins with the simple prompt, scoring the generated tokens only', async () => {
    const results = await beautify(prompts, { model: beautifier, maxNewTokens: 12, startWithSource: true });
    for (const [index, result] of results.entries()) {
      const simple = prompts[index]!.trim();
      // BeautifulPrompt's completion is ' {beautiful}': the lead is one space, encoded apart from the prompt.
      const context = [...promptIdsOf(prompts[index]!), ...tokenizer.encode(` ${simple}`, { addSpecialTokens: false })];
      const candidate = result.candidates[0]!;
      expect(candidate.finishReason).toBe('length');
      expect(candidate.tokenIds).toEqual(await greedyReference(context, 12));
      expect(result.beautiful).toBe(
        `${simple}${tokenizer.decode(candidate.tokenIds, { skipSpecialTokens: true })}`.trim(),
      );
      expect(result.beautiful.startsWith(simple)).toBe(true);
      expect(candidate.tokenLogProbs).toHaveLength(12);
      expect(candidate.logProb).toBeCloseTo(await sumOfScoredLogProbs(context, candidate.tokenIds), 3);
    }
  });

  it('rejects a template whose completion is not literal text followed by {beautiful}', async () => {
    for (const completion of [' the end', '{simple}: {beautiful}']) {
      const template = { name: 'odd', prompt: 'In: {simple}\nOut:', completion, appendEos: true };
      await expect(beautify(['a cat'], { model: { model, template }, startWithSource: true })).rejects.toThrow(
        /startWithSource needs a template completion of literal text followed by \{beautiful\}/,
      );
    }
  });
});

describe('beautify: noRepeatNgramSize', () => {
  it('bans repeated n-grams of the completion only, row by row in a batch', async () => {
    const plain = await beautify(prompts, { model: beautifier, maxNewTokens: 16 });
    const hasRepeatedBigram = (ids: number[]) =>
      ids.some((token, end) =>
        ids.some((earlier, at) => at > 0 && at < end && ids[at - 1] === ids[end - 1] && earlier === token),
      );
    expect(plain.some((result) => hasRepeatedBigram(result.candidates[0]!.tokenIds))).toBe(true);
    let differsFromWholeSequence = false;
    for (const [size, startWithSource] of [
      [2, false],
      [2, true],
      [1, false],
      [1, true],
    ] as const) {
      const results = await beautify(prompts, {
        model: beautifier,
        maxNewTokens: 16,
        batchSize: 3,
        startWithSource,
        sampler: { noRepeatNgramSize: size },
      });
      for (const [index, result] of results.entries()) {
        const promptIds = promptIdsOf(prompts[index]!);
        const forced = startWithSource
          ? tokenizer.encode(` ${prompts[index]!.trim()}`, { addSpecialTokens: false })
          : [];
        const context = [...promptIds, ...forced];
        // The history starts where the template's prompt ends: the forced simple prompt counts, the prompt not.
        const expected = await greedyReference(context, 16, { size, from: promptIds.length });
        expect(result.candidates[0]!.tokenIds).toEqual(expected);
        const wholeSequence = await greedyReference(context, 16, { size, from: 0 });
        if (wholeSequence.join() !== expected.join()) differsFromWholeSequence = true;
      }
    }
    // Hugging Face's history (the template's prompt included) would have banned other tokens.
    expect(differsFromWholeSequence).toBe(true);
  });
});

describe('beautify: clean', () => {
  it('repairs the weight syntax and drops repeated modifiers of the output', async () => {
    const simple = 'an old windmill, an old windmill, (masterpiece:1.1.1.3)';
    const [raw] = await beautify([simple], { model: beautifier, maxNewTokens: 4, startWithSource: true });
    const [cleaned] = await beautify([simple], {
      model: beautifier,
      maxNewTokens: 4,
      startWithSource: true,
      clean: true,
    });
    expect(repeatsModifier(raw!.beautiful)).toBe(true);
    expect(cleaned!.beautiful.startsWith('an old windmill, (masterpiece:1.1)')).toBe(true);
    expect(repeatsModifier(cleaned!.beautiful)).toBe(false);
    expect(cleaned!.candidates[0]!.tokenIds).toEqual(raw!.candidates[0]!.tokenIds);
    expect(cleaned!.logProb).toBe(raw!.logProb);
  });
});
