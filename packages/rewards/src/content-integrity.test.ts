import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentIntegrity, keywordRetention } from './content-integrity';
import { RewardError } from './errors';

interface Case {
  source: string;
  instruction: string;
  target: string;
  /** Required keywords the target keeps, written by hand. */
  keep: string[];
  /** Required keywords the target lacks. */
  miss: string[];
  /** Forbidden keywords the target still contains. */
  forbidden: string[];
}

const cases: Case[] = JSON.parse(
  readFileSync(new URL('../fixtures/content-integrity-cases.json', import.meta.url), 'utf8'),
) as Case[];
const sorted = (values: readonly string[]) => [...values].sort();

describe('contentIntegrity on the hand-written reference cases', () => {
  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases.map((item, index) => [index, item] as const))('case %i', (_index, item) => {
    const result = contentIntegrity(item, { threshold: 0.8 });
    expect(sorted(result.kept)).toEqual(sorted(item.keep));
    expect(sorted(result.missing)).toEqual(sorted(item.miss));
    expect(sorted(result.forbidden)).toEqual(sorted(item.forbidden));
    const coverage = item.keep.length / (item.keep.length + item.miss.length);
    expect(result.coverage).toBeCloseTo(coverage, 12);
    expect(result.reward).toBe(coverage >= 0.8 && item.forbidden.length === 0 ? 1 : 0);
  });
});

describe('contentIntegrity', () => {
  const input = { source: 'a red car on a street', instruction: 'add a dog', target: 'a car with a dog on a street' };

  it('applies the threshold: 3 of 4 required keywords passes at 0.75 and fails at 0.8', () => {
    expect(contentIntegrity(input, { threshold: 0.75 })).toMatchObject({ coverage: 0.75, reward: 1, missing: ['red'] });
    expect(contentIntegrity(input, { threshold: 0.8 })).toMatchObject({ coverage: 0.75, reward: 0 });
    expect(contentIntegrity(input).reward).toBe(0);
  });

  it('gives 0 when the instruction is ignored, whatever the coverage', () => {
    // Required: red, car, street, dog; the target keeps the three of the source (0.75) but never adds the dog.
    const ignored = { source: 'a red car on a street', instruction: 'add a dog', target: 'a red car on a street' };
    expect(contentIntegrity(ignored, { threshold: 0.5 })).toMatchObject({
      coverage: 0.75,
      reward: 0,
      missing: ['dog'],
    });
  });

  it('gives 0 when a state the instruction rules out appears, even one the source did not have', () => {
    const result = contentIntegrity({
      source: 'a city skyline over a river',
      instruction: 'make it night',
      target: 'a city skyline over a river at night in bright daylight',
    });
    expect(result).toMatchObject({ coverage: 1, reward: 0, forbidden: ['daylight'] });
  });

  it.each([
    // [source, instruction, target]: correct targets whose words only look like a ruled-out state or a count.
    ['a chessboard with a fallen king', 'make it winter', 'a chessboard with a fallen king in winter'],
    ['a snow leopard on a rocky ridge', 'make it summer', 'a snow leopard on a rocky ridge in summer'],
    ['three pine trees in a room', 'make it four pine trees', '(vibrant colours:1.3), four pine trees in a room, 8k'],
  ])('passes %j + %j -> %j', (source, instruction, target) => {
    expect(contentIntegrity({ source, instruction, target })).toMatchObject({ reward: 1, forbidden: [] });
  });

  it('gives 0 when a forbidden keyword appears, whatever the coverage', () => {
    const result = contentIntegrity(
      { source: 'a dog on a sofa', instruction: 'remove the dog', target: 'a dog on a sofa' },
      { threshold: 0 },
    );
    expect(result).toMatchObject({ coverage: 1, reward: 0, forbidden: ['dog'] });
  });

  it('matches keywords across inflections, spellings and number forms', () => {
    expect(contentIntegrity({ source: 'two grey cats', instruction: '', target: '2 gray cat' }).coverage).toBe(1);
    expect(
      contentIntegrity({ source: 'a woman wearing glasses', instruction: '', target: 'glasses, woman' }).coverage,
    ).toBe(1);
    expect(
      contentIntegrity({ source: 'children on a rainy day', instruction: '', target: 'a child in the rain, day' })
        .coverage,
    ).toBe(1);
  });

  it('has full coverage when nothing is required', () => {
    const result = contentIntegrity({ source: 'highly detailed, 8k', instruction: '', target: 'a cat' });
    expect(result).toMatchObject({ coverage: 1, reward: 1, required: [] });
  });

  it('names the empty or missing field', () => {
    expect(() => contentIntegrity({ ...input, source: '  ' })).toThrow(/^source: the prompt is empty/);
    expect(() => contentIntegrity({ ...input, target: '' })).toThrow(/^target: the prompt is empty/);
    expect(() => contentIntegrity({ ...input, target: 7 as unknown as string })).toThrow(RewardError);
    expect(() => contentIntegrity(input, { threshold: 1.5 })).toThrow(/^threshold: /);
    expect(() => contentIntegrity(input, { threshold: Number.NaN })).toThrow(/^threshold: /);
  });
});

describe('contentIntegrity on arbitrary text', () => {
  it('returns a coverage in [0, 1] consistent with its lists, or a RewardError for an empty prompt', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc
        .array(fc.constantFrom('a', 'red', 'cat', 'add', 'remove', 'the', 'into', 'night', 'with', ',', '8k'), {
          maxLength: 12,
        })
        .map((words) => words.join(' ')),
    );
    fc.assert(
      fc.property(text, text, text, (source, instruction, target) => {
        try {
          const result = contentIntegrity({ source, instruction, target });
          expect(result.coverage).toBeGreaterThanOrEqual(0);
          expect(result.coverage).toBeLessThanOrEqual(1);
          expect(result.kept.length + result.missing.length).toBe(result.required.length);
          if (result.required.length > 0) expect(result.coverage).toBe(result.kept.length / result.required.length);
        } catch (error) {
          expect(error).toBeInstanceOf(RewardError);
          expect(source.trim() === '' || target.trim() === '').toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('keywordRetention', () => {
  it('is the fraction of the caption keywords kept by the output', () => {
    // Caption keywords: two, dog, beach (3); the output keeps dog and beach.
    expect(keywordRetention('two dogs on a beach', 'a happy dog running on the beach at sunset, 8k')).toBeCloseTo(
      2 / 3,
    );
    expect(keywordRetention('a cat', 'a fluffy cat, studio lighting')).toBe(1);
    expect(keywordRetention('a cat', 'a dog')).toBe(0);
  });

  it('rejects empty texts', () => {
    expect(() => keywordRetention('', 'a dog')).toThrow(/^simple: /);
    expect(() => keywordRetention('a dog', ' ')).toThrow(/^output: /);
  });
});
