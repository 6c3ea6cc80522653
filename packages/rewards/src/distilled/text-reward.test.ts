import { describe, expect, it } from 'vitest';
import { trainTextReward } from './text-reward';

const colours = ['red', 'blue', 'green', 'golden', 'purple', 'white'];
const things = ['fox', 'car', 'boat', 'tree', 'castle', 'cat'];
/** Score = 2 per "golden" + 1 per "night": a rule the model must recover from the words alone. */
const data = colours.flatMap((colour) =>
  things.flatMap((thing) =>
    ['', ' at night'].map((time) => ({
      prompt: `a ${colour} ${thing}${time}`,
      score: (colour === 'golden' ? 2 : 0) + (time === '' ? 0 : 1),
    })),
  ),
);

describe('trainTextReward', () => {
  it('regresses scores from prompts (MSE) and serves them as a reward', async () => {
    const model = await trainTextReward({ data, steps: 150, batchSize: 16 });
    const [plain, golden, night] = await model.predict(['a red boat', 'a golden boat', 'a red boat at night']);
    expect(golden! - plain!).toBeGreaterThan(1);
    expect(night! - plain!).toBeGreaterThan(0.5);
    const [result] = await model
      .reward()
      .score([{ source: 'a boat', instruction: '', target: 'a golden boat at night' }]);
    expect(result!.value).toBeGreaterThan(golden!);
  });

  it('learns a preference from pairs (Bradley-Terry)', async () => {
    const pairs = things.map((thing) => ({ chosen: `a ${thing} at night`, rejected: `a ${thing}` }));
    const model = await trainTextReward({ pairs, steps: 80, batchSize: 6 });
    const [day, night] = await model.predict(['a purple fox', 'a purple fox at night']);
    expect(night!).toBeGreaterThan(day!);
  });

  it('names a bad example', async () => {
    await expect(trainTextReward({ data: [...data, { prompt: 'x', score: Number.NaN }] })).rejects.toThrow(
      /data\[72\]\.score: expected a finite number/,
    );
    await expect(
      trainTextReward({
        pairs: [
          { chosen: 'a', rejected: '' },
          { chosen: 'b', rejected: 'c' },
        ],
      }),
    ).rejects.toThrow(/pairs\[0\]\.rejected/);
  });
});
