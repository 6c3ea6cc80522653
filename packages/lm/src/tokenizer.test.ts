import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainBpeTokenizer } from './bpe-trainer';
import { BytePairEncoder } from './byte-pair-encoder';
import { ModelFormatError } from './model-format-error';
import { createTokenizer, loadTokenizer } from './tokenizer';
import { saveTokenizerFiles, type TokenizerFiles } from './tokenizer-files';

const corpus: string[] = [];
const subjects = ['a cat', 'an astronaut', 'a castle', 'the ocean', 'Ein Hund', 'un café', '一只猫', '🐱 and 🐶'];
const styles = ['oil painting', 'by Greg Rutkowski', 'trending on artstation', '8k, highly detailed', "it's night"];
for (let index = 0; index < 600; index++) {
  corpus.push(
    `${subjects[index % subjects.length]} ${styles[index % styles.length]}, ${index}\n  (${styles[(index * 7) % 5]})`,
  );
}
const files = trainBpeTokenizer(corpus, {
  vocabSize: 700,
  specialTokens: { bos: '<s>', eos: '</s>', pad: '<pad>', additional: ['<|sep|>'] },
});
const tokenizer = createTokenizer(files);
const ownEncoder = BytePairEncoder.fromTokenizerJson(files.tokenizerJson);

const textLike = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc
    .array(fc.constantFrom(...subjects, ...styles, ' ', '  ', '\n', '<s>', '</s>', '<|sep|>', '!?', '42'))
    .map((parts) => parts.join('')),
);

describe('trained tokenizer loaded by @huggingface/tokenizers', () => {
  it('encodes exactly like this package’s own BPE encoder', () => {
    fc.assert(
      fc.property(textLike, (text) => {
        expect(tokenizer.encode(text)).toEqual(ownEncoder.encode(text));
      }),
      { numRuns: 1000 },
    );
  });

  it('round-trips any well-formed Unicode string', () => {
    fc.assert(
      fc.property(textLike, (text) => {
        expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
        expect(ownEncoder.decode(ownEncoder.encode(text))).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });

  it('knows its special tokens and vocabulary size', () => {
    expect(tokenizer.specialTokenIds).toEqual({ bos: 0, eos: 1, pad: 2 });
    const vocab = (files.tokenizerJson.model as { vocab: Record<string, number> }).vocab;
    expect(tokenizer.vocabSize).toBe(Object.keys(vocab).length);
    expect(tokenizer.vocabSize).toBeLessThanOrEqual(700);
    expect(tokenizer.encode('x<|sep|>y')).toEqual([...tokenizer.encode('x'), 3, ...tokenizer.encode('y')]);
    expect(tokenizer.decode(tokenizer.encode('<s>a cat</s>'), { skipSpecialTokens: true })).toBe('a cat');
    expect(tokenizer.idToToken(tokenizer.tokenToId('<pad>')!)).toBe('<pad>');
  });

  it('reads merges written in the older "left right" string form identically', () => {
    const model = files.tokenizerJson.model as { merges: [string, string][] };
    const legacy = {
      ...files.tokenizerJson,
      model: { ...model, merges: model.merges.map(([left, right]) => `${left} ${right}`) },
    };
    const legacyTokenizer = createTokenizer({ tokenizerJson: legacy, tokenizerConfig: files.tokenizerConfig });
    const legacyEncoder = BytePairEncoder.fromTokenizerJson(legacy);
    for (const text of corpus.slice(0, 40)) {
      expect(legacyTokenizer.encode(text)).toEqual(ownEncoder.encode(text));
      expect(legacyEncoder.encode(text)).toEqual(ownEncoder.encode(text));
    }
  });

  it('refuses tokenizers that are not byte-level BPE in its own encoder', () => {
    const withPrefix = { ...files.tokenizerJson, pre_tokenizer: { type: 'Metaspace' } };
    expect(() => BytePairEncoder.fromTokenizerJson(withPrefix)).toThrow(/not a byte-level BPE tokenizer/);
  });

  it('decodes an empty list to the empty string', () => {
    expect(tokenizer.decode([])).toBe('');
  });
});

describe('encodeBatch', () => {
  const short = tokenizer.encode('a cat');
  const long = tokenizer.encode('an astronaut, oil painting by Greg Rutkowski');

  it('pads on the right by default and on the left on request', () => {
    const right = tokenizer.encodeBatch(['a cat', 'an astronaut, oil painting by Greg Rutkowski']);
    const gap = long.length - short.length;
    expect(right.inputIds[0]).toEqual([...short, ...new Array(gap).fill(2)]);
    expect(right.attentionMask[0]).toEqual([...new Array(short.length).fill(1), ...new Array(gap).fill(0)]);
    expect(right.inputIds[1]).toEqual(long);
    expect(right.lengths).toEqual([short.length, long.length]);
    const left = tokenizer.encodeBatch(['a cat', 'an astronaut, oil painting by Greg Rutkowski'], {
      paddingSide: 'left',
    });
    expect(left.inputIds[0]).toEqual([...new Array(gap).fill(2), ...short]);
    expect(left.attentionMask[0]).toEqual([...new Array(gap).fill(0), ...new Array(short.length).fill(1)]);
  });

  it('truncates either end, pads to maxLength, or refuses', () => {
    const cut = tokenizer.encodeBatch(['an astronaut, oil painting by Greg Rutkowski'], { maxLength: 3 });
    expect(cut.inputIds[0]).toEqual(long.slice(0, 3));
    const recent = tokenizer.encodeBatch(['an astronaut, oil painting by Greg Rutkowski'], {
      maxLength: 3,
      truncation: 'left',
    });
    expect(recent.inputIds[0]).toEqual(long.slice(-3));
    const padded = tokenizer.encodeBatch(['a cat'], {
      maxLength: short.length + 2,
      padTo: 'max-length',
      padTokenId: 9,
    });
    expect(padded.inputIds[0]).toEqual([...short, 9, 9]);
    expect(() => tokenizer.encodeBatch(['a cat', long.join(' ')], { maxLength: 1, truncation: false })).toThrow(
      /text 0 has/,
    );
  });
});

describe('loadTokenizer from a directory', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'lm-tokenizer-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('loads saved files back with identical encodings', async () => {
    await saveTokenizerFiles(directory, files);
    const loaded = await loadTokenizer(directory);
    for (const text of corpus.slice(0, 50)) expect(loaded.encode(text)).toEqual(ownEncoder.encode(text));
  });

  it('names the missing file', async () => {
    await expect(loadTokenizer(join(directory, 'absent'))).rejects.toThrow(/absent\/tokenizer.json: file not found/);
  });

  it('turns random bytes, truncated files and wrong types into ModelFormatError', async () => {
    const valid = JSON.stringify(files.tokenizerJson);
    const path = join(directory, 'fuzz');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path, { recursive: true });
    const mutatedJson = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
      fc.nat({ max: valid.length - 1 }).map((cut) => Buffer.from(valid.slice(0, cut))),
      fc
        .tuple(
          fc.constantFrom('model', 'added_tokens', 'pre_tokenizer', 'decoder', 'model.vocab', 'model.merges'),
          fc.anything(),
        )
        .map(([field, value]) => {
          const copy = structuredClone(files.tokenizerJson) as Record<string, Record<string, unknown>>;
          const [head, tail] = field.split('.') as [string, string | undefined];
          if (tail === undefined) (copy as Record<string, unknown>)[head] = value;
          else copy[head]![tail] = value;
          return Buffer.from(JSON.stringify(copy) ?? 'undefined');
        }),
    );
    await fc.assert(
      fc.asyncProperty(mutatedJson, async (bytes) => {
        await writeFile(join(path, 'tokenizer.json'), bytes);
        try {
          const loaded = await loadTokenizer(path);
          expect(loaded.vocabSize).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(ModelFormatError);
          expect((error as Error).message).toContain('tokenizer.json');
        }
      }),
      { numRuns: 150 },
    );
  });

  it('validates tokenizer_config.json fields by name', () => {
    const broken: TokenizerFiles = { tokenizerJson: files.tokenizerJson, tokenizerConfig: { eos_token: 5 } };
    expect(() => createTokenizer(broken)).toThrow(/field eos_token/);
  });
});
