import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutoTokenizer, env } from '@huggingface/transformers';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelFormatError } from './model-format-error';
import { createTokenizer, loadTokenizer } from './tokenizer';

const fixtures = fileURLToPath(new URL('./testing/fixtures/tokenizers', import.meta.url));
const sentences = [
  'the cat sat on the mat.',
  'Hello, world!',
  'a dog runs fast',
  'the red dog, the cat.',
  'zebra?',
  '',
];

async function readFixture(name: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(fixtures, name, 'tokenizer.json'), 'utf8')) as Record<string, unknown>;
}

/**
 * One hand-written tokenizer per model type. `handIds` are the ids of `sentences[0]` worked out by hand from the
 * fixture's vocabulary; `roundTrips` are texts every piece of which is in the vocabulary, with the text decode gives.
 */
const cases = [
  {
    name: 'bpe-metaspace',
    // <s> ▁the ▁cat ▁sat ▁on ▁the ▁ <unk>(m) at .
    handIds: [1, 19, 22, 29, 24, 19, 3, 0, 20, 15],
    roundTrips: [['the red dog, the cat.', 'the red dog, the cat.']],
    specialTokenIds: { bos: 1, eos: 2, unk: 0 },
    withoutConfig: { bos: 1, eos: 2, unk: 0 },
  },
  {
    name: 'wordpiece-bert',
    // [CLS] the cat sat on the mat . [SEP]
    handIds: [2, 5, 7, 9, 10, 5, 11, 21, 3],
    roundTrips: [
      ['the cat sat on the mat.', 'the cat sat on the mat.'],
      ['Hello, World! The dogs jumped', 'hello, world! the dogs jumped'],
    ],
    specialTokenIds: { bos: 2, eos: 3, pad: 0, unk: 1 },
    withoutConfig: { bos: 2, eos: 3, pad: 0, unk: 1 },
  },
  {
    name: 'unigram-metaspace',
    // ▁the ▁cat ▁sat ▁on ▁the ▁mat . </s>
    handIds: [5, 6, 9, 10, 5, 11, 23, 2],
    roundTrips: [['a dog runs, the red cat.', 'a dog runs, the red cat.']],
    // The config names no bos_token, so the conventional <s> is found in the vocabulary.
    specialTokenIds: { bos: 1, eos: 2, pad: 3, unk: 0 },
    withoutConfig: { bos: 1, eos: 2, pad: 3, unk: 0 },
  },
  {
    name: 'wordlevel-whitespace',
    // the cat sat on the mat .
    handIds: [5, 6, 7, 8, 5, 9, 14],
    roundTrips: [['hello, world! a dog runs fast.', 'hello, world! a dog runs fast.']],
    specialTokenIds: { eos: 2, pad: 1, unk: 0 },
    withoutConfig: { pad: 1, unk: 0 },
  },
] as const;

describe.each(cases)('hand-written $name tokenizer', (fixture) => {
  type Reference = Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
  let reference: Reference;
  beforeAll(async () => {
    env.allowRemoteModels = false;
    env.localModelPath = fixtures;
    reference = await AutoTokenizer.from_pretrained(fixture.name);
  });

  it('encodes a sentence to the ids worked out by hand', async () => {
    const tokenizer = await loadTokenizer(join(fixtures, fixture.name));
    expect(tokenizer.encode(sentences[0]!)).toEqual(fixture.handIds);
  });

  it('encodes and decodes exactly like @huggingface/transformers', async () => {
    const tokenizer = await loadTokenizer(join(fixtures, fixture.name));
    for (const text of sentences) {
      for (const addSpecialTokens of [true, false]) {
        const ids = tokenizer.encode(text, { addSpecialTokens });
        expect(ids).toEqual(reference.encode(text, { add_special_tokens: addSpecialTokens }));
        if (ids.length === 0) continue;
        for (const skipSpecialTokens of [true, false]) {
          expect(tokenizer.decode(ids, { skipSpecialTokens })).toBe(
            reference.decode(ids, { skip_special_tokens: skipSpecialTokens }),
          );
        }
      }
    }
  });

  it('round-trips text inside its vocabulary (up to its normalizer)', async () => {
    const tokenizer = await loadTokenizer(join(fixtures, fixture.name));
    for (const [text, decoded] of fixture.roundTrips) {
      const ids = tokenizer.encode(text);
      expect(ids).not.toContain(tokenizer.specialTokenIds.unk);
      expect(tokenizer.decode(ids, { skipSpecialTokens: true })).toBe(decoded);
    }
  });

  it('resolves its special tokens from tokenizer_config.json, or from tokenizer.json alone', async () => {
    const tokenizer = await loadTokenizer(join(fixtures, fixture.name));
    expect(tokenizer.specialTokenIds).toEqual(fixture.specialTokenIds);
    const bare = createTokenizer({ tokenizerJson: await readFixture(fixture.name), tokenizerConfig: {} });
    expect(bare.specialTokenIds).toEqual(fixture.withoutConfig);
    expect(bare.encode('zebra')).toEqual(
      fixture.name === 'wordpiece-bert' ? [2, 1, 3] : tokenizer.encode('zebra', { addSpecialTokens: true }),
    );
  });

  it('turns mutated components and models into a loaded tokenizer or a ModelFormatError', async () => {
    const tokenizerJson = await readFixture(fixture.name);
    const fields = ['normalizer', 'pre_tokenizer', 'post_processor', 'decoder', 'added_tokens', 'model'];
    const modelFields = ['type', 'vocab', 'unk_token', 'unk_id', 'merges', 'continuing_subword_prefix'];
    const mutated = fc.oneof(
      fc
        .tuple(fc.constantFrom(...fields), fc.anything())
        .map(([field, value]) => ({ ...tokenizerJson, [field]: value })),
      fc.tuple(fc.constantFrom(...fields.slice(0, 4)), fc.string()).map(([field, type]) => ({
        ...tokenizerJson,
        [field]: { type },
      })),
      fc.tuple(fc.constantFrom(...modelFields), fc.anything()).map(([field, value]) => ({
        ...tokenizerJson,
        model: { ...(tokenizerJson.model as object), [field]: value },
      })),
    );
    fc.assert(
      fc.property(mutated, (candidate) => {
        try {
          expect(createTokenizer({ tokenizerJson: candidate, tokenizerConfig: {} }).vocabSize).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(ModelFormatError);
          expect((error as Error).message).toMatch(/^tokenizer\.json: /);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('malformed tokenizer.json', () => {
  it('names the field of an unknown component or model type', async () => {
    const tokenizerJson = await readFixture('wordpiece-bert');
    const load = (patch: Record<string, unknown>) => () =>
      createTokenizer({ tokenizerJson: { ...tokenizerJson, ...patch }, tokenizerConfig: {} }, 'bert/tokenizer.json');
    expect(load({ pre_tokenizer: { type: 'Sentencepiece' } })).toThrow(
      'bert/tokenizer.json: field pre_tokenizer: @huggingface/tokenizers cannot load it: Unknown PreTokenizer type',
    );
    expect(load({ decoder: { type: 'Nope' } })).toThrow(/^bert\/tokenizer\.json: field decoder: /);
    expect(load({ normalizer: { type: 'Nope' } })).toThrow(/field normalizer: /);
    expect(load({ post_processor: { type: 'Nope' } })).toThrow(/field post_processor: /);
    expect(load({ model: { type: 'WordLevel', vocab: ['a'] } })).toThrow(/field model\.vocab: /);
    expect(load({ model: { type: 'Nope', vocab: {} } })).toThrow(/field model\.type: /);
    expect(load({ model: { vocab: {} } })).toThrow(
      'bert/tokenizer.json: field model.type: missing (expected one of BPE, WordPiece, Unigram, WordLevel)',
    );
  });

  it('refuses to encode a word outside a vocabulary that has no unknown token', async () => {
    const tokenizerJson = await readFixture('wordlevel-whitespace');
    const model = { ...(tokenizerJson.model as object), unk_token: null };
    const vocabulary = ['[UNK]', '[PAD]', '[EOS]'].map((content, id) => ({ id, content, special: false }));
    const tokenizer = createTokenizer({
      tokenizerJson: { ...tokenizerJson, model, added_tokens: vocabulary.slice(1) },
      tokenizerConfig: { unk_token: null },
    });
    expect(tokenizer.encode('the cat')).toEqual([5, 6]);
    expect(() => tokenizer.encode('the zebra')).toThrow('"zebra" is not in the vocabulary');
  });
});
