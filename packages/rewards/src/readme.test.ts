import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReadmeExample } from '../../../readme-example';

describe('README example', () => {
  it('prints the integrity, the weighted reward and the corrupted target its comments give', async () => {
    const { logged } = await runReadmeExample(join(__dirname, '..'), '@diffchat/rewards', { section: 'Example' });
    expect(logged).toHaveLength(3);

    // 1. Every required keyword of the edit (the kept "sofa", the new "cat") is in the target; "dog" is gone.
    expect(logged[0]![0]).toEqual({
      coverage: 1,
      reward: 1,
      kept: ['sofa', 'cat'],
      missing: [],
      forbidden: [],
      required: ['sofa', 'cat'],
    });

    // 2. "a dog in a park at night, moonlight, stars" has 9 words, one over maxWords 8: 2 * 1 + 0.1 * -1.
    const [value, components] = logged[1] as [number, Record<string, { raw: number; weighted: number }>];
    expect(value).toBeCloseTo(2 * 1 + 0.1 * -1, 12);
    expect(components.contentIntegrity).toMatchObject({ raw: 1, weighted: 2 });
    expect(components.promptLength).toMatchObject({ raw: -1, weighted: -0.1, details: { words: 9 } });

    // 3. The corrupted target is the source with the dropped words removed and the replaced ones swapped.
    const corrupted = logged[2]![0] as { text: string; dropped: string[]; replaced: { from: string; to: string }[] };
    expect(corrupted).toEqual({
      text: 'a red on a city street at noon',
      dropped: ['car'],
      replaced: [{ from: 'night', to: 'noon' }],
    });
    let rebuilt = 'a red car on a city street at night';
    for (const word of corrupted.dropped) rebuilt = rebuilt.replace(` ${word}`, '');
    for (const { from, to } of corrupted.replaced) rebuilt = rebuilt.replace(from, to);
    expect(corrupted.text).toBe(rebuilt);
  });
});
