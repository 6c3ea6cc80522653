import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { closestName, configError, parseOptions } from './config-errors';
import { RewardError } from './errors';

const schema = z.object({
  maxWords: z.number().int().positive().default(40),
  normalise: z.object({ mean: z.number() }).optional(),
});

describe('closestName', () => {
  it('finds a misspelt name within two edits, without case', () => {
    expect(closestName('maxWord', ['label', 'maxWords'])).toBe('maxWords');
    expect(closestName('treshold', ['value', 'threshold'])).toBe('threshold');
    expect(closestName('MAXWORDS', ['maxWords'])).toBe('maxWords');
    expect(closestName('maxWrods', ['maxWords', 'minWords'])).toBe('maxWords');
  });

  it('suggests nothing for distant names or too few letters to judge', () => {
    expect(closestName('colour', ['maxWords', 'threshold'])).toBeUndefined();
    expect(closestName('maxWordCount', ['maxWords'])).toBeUndefined();
    // One edit of a two-letter name is half of it: no suggestion.
    expect(closestName('ab', ['ac'])).toBeUndefined();
    expect(closestName('anything', [])).toBeUndefined();
  });

  it('prefers an exact name to any other candidate', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.array(fc.string()), (name, others) => {
        expect(closestName(name, [name, ...others])).toBe(name);
      }),
    );
  });
});

describe('configError', () => {
  it('names every unknown option and the nested field of a bad value', () => {
    const strict = schema.strict();
    const unknown = strict.safeParse({ maxWord: 8, colour: 'red' });
    expect(configError(unknown.error!, 'promptLength', Object.keys(schema.shape))).toEqual(
      new RewardError('promptLength', 'unknown options "maxWord", "colour" (did you mean "maxWords"?)'),
    );
    const nested = strict.safeParse({ normalise: { mean: 'x' } });
    expect(configError(nested.error!, 'promptLength').field).toBe('promptLength.normalise.mean');
  });

  it('gives no suggestion without the known names, as built-ins that pass none get', () => {
    const unknown = schema.strict().safeParse({ maxWord: 8 });
    expect(configError(unknown.error!, 'promptLength').message).toBe('promptLength: unknown option "maxWord"');
  });
});

describe('parseOptions', () => {
  it('returns the parsed options with defaults and checks a plain object schema strictly', () => {
    expect(parseOptions(schema, {}, 'promptLength')).toEqual({ maxWords: 40 });
    expect(() => parseOptions(schema, { maxWord: 8 }, 'promptLength')).toThrow(
      /^promptLength: unknown option "maxWord" \(did you mean "maxWords"\?\)$/,
    );
    expect(() => parseOptions(schema, { maxWords: 2.5 }, 'promptLength')).toThrow(/^promptLength\.maxWords: /);
    expect(() => parseOptions(schema, 'eight', 'promptLength')).toThrow(/^promptLength: /);
  });

  it('leaves schemas that say what to do with other keys as they are', () => {
    expect(parseOptions(z.looseObject({ a: z.number() }), { a: 1, b: 2 }, 'loose')).toEqual({ a: 1, b: 2 });
    expect(parseOptions(z.object({ a: z.number() }).catchall(z.string()), { a: 1, b: 'x' }, 'catchall')).toEqual({
      a: 1,
      b: 'x',
    });
    expect(parseOptions(z.record(z.string(), z.number()), { any: 1 }, 'record')).toEqual({ any: 1 });
  });
});
