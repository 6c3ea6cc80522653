import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  beautifulPromptPairSchema,
  contentId,
  instructPeRecordSchema,
  instructPeReleaseSchema,
  instructPix2PixHubRowSchema,
  instructPix2PixTripletSchema,
  promptPairSchema,
  tripletSchema,
} from './records';

describe('record schemas', () => {
  it('accept well-formed records as they are (no trimming)', () => {
    expect(tripletSchema.parse({ input: ' a cat ', edit: 'night', output: 'a cat at night' })).toEqual({
      input: ' a cat ',
      edit: 'night',
      output: 'a cat at night',
    });
    expect(promptPairSchema.parse({ simple: 'a cat', beautiful: 'a cat, oil painting', pickScore: 21.5 })).toEqual({
      simple: 'a cat',
      beautiful: 'a cat, oil painting',
      pickScore: 21.5,
    });
  });

  it('reject empty or blank strings, wrong types and unknown keys', () => {
    expect(tripletSchema.safeParse({ input: '', edit: 'e', output: 'o' }).success).toBe(false);
    expect(tripletSchema.safeParse({ input: ' \t\n', edit: 'e', output: 'o' }).success).toBe(false);
    expect(tripletSchema.safeParse({ input: 'i', edit: 1, output: 'o' }).success).toBe(false);
    expect(tripletSchema.safeParse({ input: 'i', edit: 'e', output: 'o', url: 'x' }).success).toBe(false);
    expect(promptPairSchema.safeParse({ simple: 's', beautiful: 'b', pickScore: Number.NaN }).success).toBe(false);
    expect(promptPairSchema.safeParse({ simple: 's', beautiful: 'b', pick_score: 20 }).success).toBe(false);
  });

  it('keep a triplet meta object (the prompt world writes its edit operation there) and reject other meta types', () => {
    const operation = { type: 'time', to: 'night' };
    expect(tripletSchema.parse({ input: 'i', edit: 'e', output: 'o', meta: { operation } }).meta).toEqual({
      operation,
    });
    expect(tripletSchema.safeParse({ input: 'i', edit: 'e', output: 'o', meta: 'x' }).success).toBe(false);
  });

  it('default an InstructPE record meta to {} and keep arbitrary meta', () => {
    const base = { id: 'r1', source: 'a cat', instruction: 'make it night', target: 'a cat at night' };
    expect(instructPeRecordSchema.parse(base)).toEqual({ ...base, meta: {} });
    expect(instructPeRecordSchema.parse({ ...base, meta: { split: 'test', score: [1, 2] } }).meta).toEqual({
      split: 'test',
      score: [1, 2],
    });
    expect(instructPeRecordSchema.safeParse({ ...base, meta: [] }).success).toBe(false);
  });

  it('accept every triplet of non-blank strings (property)', () => {
    const text = fc.string({ minLength: 1 }).filter((value) => value.trim() !== '');
    fc.assert(
      fc.property(fc.record({ input: text, edit: text, output: text }), (triplet) => {
        expect(tripletSchema.parse(triplet)).toEqual(triplet);
      }),
    );
  });
});

describe('importers', () => {
  it('map a released InstructPE row to a record with a content id, dropping unknown keys', () => {
    const row = {
      source_prompt: 'a house',
      instruction: 'add snow',
      beautified_source_prompt: 'a cosy house, golden hour',
      beautified_target_prompt: 'a cosy house under snow, golden hour',
      extra_column: 1,
    };
    const expectedId = createHash('sha256')
      .update('a house\u0000add snow\u0000a cosy house, golden hour\u0000a cosy house under snow, golden hour')
      .digest('hex')
      .slice(0, 16);
    expect(instructPeReleaseSchema.parse(row)).toEqual({
      id: expectedId,
      source: 'a cosy house, golden hour',
      instruction: 'add snow',
      target: 'a cosy house under snow, golden hour',
      meta: { format: 'instructpe-release', rawSource: 'a house' },
    });
    expect(instructPeRecordSchema.parse(instructPeReleaseSchema.parse(row))).toBeTruthy();
    expect(instructPeReleaseSchema.safeParse({ ...row, instruction: '' }).success).toBe(false);
  });

  it('map a BeautifulPrompt row to a prompt pair, scores optional', () => {
    expect(
      beautifulPromptPairSchema.parse({
        raw_prompt: 'a fox',
        prompt: 'a fox, 4k',
        pick_score: 19.2,
        aesthetic_score: 6.1,
      }),
    ).toEqual({ simple: 'a fox', beautiful: 'a fox, 4k', pickScore: 19.2, aestheticScore: 6.1 });
    expect(beautifulPromptPairSchema.parse({ raw_prompt: 'a fox', prompt: 'a fox, 4k', source: 'x' })).toEqual({
      simple: 'a fox',
      beautiful: 'a fox, 4k',
    });
    expect(beautifulPromptPairSchema.safeParse({ raw_prompt: 'a fox', prompt: 'b', pick_score: '19' }).success).toBe(
      false,
    );
  });

  it('map InstructPix2Pix rows to triplets', () => {
    expect(instructPix2PixTripletSchema.parse({ input: 'i', edit: 'e', output: 'o', url: 'u' })).toEqual({
      input: 'i',
      edit: 'e',
      output: 'o',
    });
    expect(
      instructPix2PixHubRowSchema.parse({
        original_prompt: 'i',
        edit_prompt: 'e',
        edited_prompt: 'o',
        original_image: {},
      }),
    ).toEqual({ input: 'i', edit: 'e', output: 'o' });
  });

  it('give equal ids to equal content and different ids to different content', () => {
    expect(contentId('a', 'b')).toBe(contentId('a', 'b'));
    expect(contentId('a', 'b')).not.toBe(contentId('ab'));
    expect(contentId('a', 'b')).toMatch(/^[0-9a-f]{16}$/);
  });
});
