import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { RewardError } from './errors';
import { defineReward, type Reward, type RewardRecord, validateRecords } from './reward';

const record: RewardRecord = { source: 'a cat', instruction: 'add a hat', target: 'a cat wearing a hat' };
const rgb = (width: number, height: number, channels = 3) => ({
  width,
  height,
  pixels: new Uint8Array(width * height * channels),
});
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

describe('validateRecords', () => {
  it('accepts prompts alone when nothing else is needed, and an empty instruction', () => {
    expect(() => validateRecords([record, { ...record, instruction: '' }])).not.toThrow();
  });

  it('names the record and field of an empty prompt', () => {
    expect(() => validateRecords([record, { ...record, target: ' ' }])).toThrow(
      /^records\[1\]\.target: the prompt is empty/,
    );
    expect(() => validateRecords([{ ...record, source: '' }])).toThrow(/^records\[0\]\.source: /);
    expect(() => validateRecords([{ ...record, instruction: 3 }] as never)).toThrow(/^records\[0\]\.instruction: /);
    expect(() => validateRecords('x')).toThrow(/^records: /);
    expect(() => validateRecords([null])).toThrow(/^records\[0\]: /);
  });

  it('requires images when needed and checks their size and channels', () => {
    expect(() => validateRecords([record], ['image'])).toThrow(/^records\[0\]\.images: /);
    expect(() => validateRecords([{ ...record, images: [rgb(4, 3)] }], ['image'])).not.toThrow();
    expect(() => validateRecords([{ ...record, images: [{ png }] }], ['image'])).not.toThrow();
    expect(() => validateRecords([{ ...record, images: [rgb(4, 3), rgb(4, 3, 4)] }], ['image'])).toThrow(
      /^records\[0\]\.images\[1\]\.pixels: expected 4x3x3 = 36 bytes, got 48 \(that is 4 channels/,
    );
    expect(() => validateRecords([{ ...record, images: [{ width: 0, height: 2, pixels: new Uint8Array() }] }])).toThrow(
      /^records\[0\]\.images\[0\]\.width: /,
    );
    expect(() => validateRecords([{ ...record, images: [{ png: new Uint8Array([1, 2, 3]) }] }])).toThrow(
      /^records\[0\]\.images\[0\]\.png: not a PNG/,
    );
  });

  it('requires the original text when needed', () => {
    expect(() => validateRecords([record], ['original'])).toThrow(/^records\[0\]\.original: /);
    expect(() => validateRecords([{ ...record, original: 'cat' }], ['original'])).not.toThrow();
  });

  it('throws only RewardError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        try {
          validateRecords([value], ['image', 'original']);
        } catch (error) {
          expect(error).toBeInstanceOf(RewardError);
        }
      }),
    );
  });
});

describe('defineReward', () => {
  it('scores validated records and passes values through', async () => {
    const length = defineReward({
      name: 'length',
      score: (records) => records.map((item) => ({ value: item.target.length, details: {} })),
    });
    expect(length.needs).toEqual([]);
    expect(await length.score([record])).toEqual([{ value: 19, details: {} }]);
    await expect(length.score([{ ...record, target: '' }])).rejects.toThrow(/^records\[0\]\.target/);
  });

  it('names the record and reward that produced NaN, and a wrong result count', async () => {
    const broken = defineReward({
      name: 'broken',
      score: (records) => records.map((_, index) => ({ value: index === 1 ? Number.NaN : 0, details: {} })),
    });
    await expect(broken.score([record, record])).rejects.toThrow(/^records\[1\]: reward "broken" produced NaN/);
    const short = defineReward({ name: 'short', score: () => [] });
    await expect(short.score([record])).rejects.toThrow(/returned 0 results for 1 records/);
  });

  it('types details from what score returns, and stays a plain Reward', async () => {
    const words = defineReward({
      name: 'words',
      score: (records) => records.map((item) => ({ value: 0, details: { words: item.target.split(' ').length } })),
    });
    expectTypeOf(words).toEqualTypeOf<Reward<{ words: number }>>();
    expectTypeOf(words).toExtend<Reward>();
    const [result] = await words.score([record]);
    expect(result!.details.words).toBe(5); // 'a cat wearing a hat'
  });

  it('rejects a definition without a name', () => {
    expect(() => defineReward({ name: '', score: () => [] })).toThrow(/^name: /);
  });
});
