import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReward } from '../composite-reward';
import { RewardError } from '../errors';
import { loadTextReward, type TextReward, textRewardConfigFile, trainTextReward } from './text-reward';

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

let root = '';
let model: TextReward;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rewards-distilled-'));
  model = await trainTextReward({ data, steps: 150, batchSize: 16 });
}, 120_000);
afterAll(async () => {
  await model?.dispose();
  await rm(root, { recursive: true, force: true });
});

describe('trainTextReward on a causal LM with a scalar head', () => {
  it('regresses scores from prompts (MSE) and serves them as a reward', async () => {
    const [plain, golden, night] = await model.predict(['a red boat', 'a golden boat', 'a red boat at night']);
    expect(golden! - plain!).toBeGreaterThan(1);
    expect(night! - plain!).toBeGreaterThan(0.5);
    const [result] = await model
      .reward()
      .score([{ source: 'a boat', instruction: '', target: 'a golden boat at night' }]);
    expect(result!.value).toBeGreaterThan(golden!);
  });

  it('saves a Hugging Face folder that loads back to the same predictions, also by name in a composition', async () => {
    const directory = join(root, 'saved');
    await model.save(directory);
    const prompts = ['a red boat', 'a golden cat at night', 'a purple tree'];
    const loaded = await loadTextReward(directory);
    const [before, after] = [await model.predict(prompts), await loaded.predict(prompts)];
    after.forEach((value, index) => {
      expect(value).toBeCloseTo(before[index]!, 4);
    });
    expect(loaded.objective).toBe('mse');
    await loaded.dispose();
    const composite = await createReward({ distilled: { path: directory, weight: 2 } });
    const [scored] = await composite.score([{ source: 'a cat', instruction: '', target: prompts[1]! }]);
    expect(scored!.value).toBeCloseTo(2 * before[1]!, 3);
    await expect(createReward({ distilled: { path: directory, steps: 3 } })).rejects.toThrow(
      /distilled: unknown option "steps"/,
    );
  });

  it('learns a preference from pairs (Bradley-Terry)', async () => {
    const pairs = things.map((thing) => ({ chosen: `a ${thing} at night`, rejected: `a ${thing}` }));
    const preference = await trainTextReward({ pairs, steps: 80, batchSize: 6 });
    const [day, night] = await preference.predict(['a purple fox', 'a purple fox at night']);
    expect(night!).toBeGreaterThan(day!);
    await preference.dispose();
  });

  it('rejects any corrupted reward_config.json with a RewardError naming it', async () => {
    const directory = join(root, 'fuzzed');
    await model.save(directory);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc.jsonValue().map((value) => new TextEncoder().encode(JSON.stringify(value))),
          fc.constant(new TextEncoder().encode('{"name":"x","objective":"mse","mean":0,"std":0}')),
        ),
        async (bytes) => {
          await writeFile(join(directory, textRewardConfigFile), bytes);
          const error = await loadTextReward(directory).then(
            () => undefined,
            (thrown: unknown) => thrown,
          );
          expect(error).toBeInstanceOf(RewardError);
          expect((error as RewardError).field).toContain(textRewardConfigFile);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('trainTextReward on the word-window text tower', () => {
  it('regresses the same rule, and has no file format', async () => {
    const tower = await trainTextReward({ data, steps: 150, batchSize: 16, architecture: 'word-window' });
    const [plain, golden] = await tower.predict(['a red boat', 'a golden boat']);
    expect(golden! - plain!).toBeGreaterThan(1);
    await expect(tower.save(join(root, 'tower'))).rejects.toThrow(/architecture: only a 'causal-lm'/);
  });
});

describe('trainTextReward options', () => {
  it('names a bad example or option', async () => {
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
    await expect(trainTextReward({ data, architecture: 'lstm' as never })).rejects.toThrow(/^architecture: /);
  });
});
