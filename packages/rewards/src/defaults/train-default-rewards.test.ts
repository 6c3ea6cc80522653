import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTokenizer } from '@diffchat/lm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReward } from '../composite-reward';
import { loadDefaultRewards } from './load-default-rewards';
import { trainDefaultRewards } from './train-default-rewards';
import { words } from './word-tokenizer';

let root = '';
let losses: number[] = [];
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rewards-default-'));
  losses = [];
  await trainDefaultRewards({
    outDir: join(root, 'model'),
    pairs: 24,
    steps: 30,
    batchSize: 8,
    renderSize: 32,
    renderCache: false,
    onProgress: ({ contrastive }) => losses.push(contrastive),
  });
}, 120_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('trainDefaultRewards', () => {
  it('writes a folder in the real models layout that the real loaders read', async () => {
    const defaults = await loadDefaultRewards(join(root, 'model'));
    const config = JSON.parse(await readFile(join(root, 'model', 'config.json'), 'utf8')) as { logit_scale: number };
    expect(defaults.encoder.logitScale).toBeCloseTo(config.logit_scale, 6);
    expect(defaults.encoder.preprocessing.cropSize).toBe(32);
    const [text] = await defaults.encoder.embedTexts(['a red fox in a forest']);
    expect(Math.hypot(...text!)).toBeCloseTo(1, 5);
    expect(defaults.predictor.embeddingSize).toBe(text!.length);
  });

  it('lowers the contrastive loss below chance on its small training set', () => {
    // Chance is ln 15 (each caption against the batch's 16 renders, its partner render left out); ln 8 is stricter.
    expect(losses.at(-1)!).toBeLessThan(Math.log(8));
  });

  it('trains the convolution stem with two blocks and setting-grouped batches into a loadable model', async () => {
    const contrastive: number[] = [];
    const directory = join(root, 'convolution');
    await trainDefaultRewards({
      outDir: directory,
      pairs: 24,
      steps: 30,
      batchSize: 8,
      renderSize: 32,
      renderCache: false,
      settingsPerBatch: 2,
      architecture: { stem: 'convolution', stemChannels: 4, visionLayers: 2 },
      onProgress: (progress) => contrastive.push(progress.contrastive),
    });
    const config = JSON.parse(await readFile(join(directory, 'config.json'), 'utf8')) as { stem: string };
    expect(config.stem).toBe('convolution');
    const defaults = await loadDefaultRewards(directory);
    const pixels = new Uint8Array(32 * 32 * 3).fill(120);
    const [image] = await defaults.encoder.embedImages([{ width: 32, height: 32, pixels }]);
    expect(Math.hypot(...image!)).toBeCloseTo(1, 5);
    // Chance for 8 captions against the 16 renders of the batch (mixed renders, partner left out) is ln 15.
    expect(contrastive.at(-1)!).toBeLessThan(Math.log(15));
  }, 120_000);

  it('writes a word tokenizer: one token per known word between start and end', async () => {
    const tokenizer = await loadTokenizer(join(root, 'model'));
    const ids = tokenizer.encode('A red fox');
    expect(ids).toHaveLength(words('A red fox').length + 2);
    expect(tokenizer.idToToken(ids[0]!)).toBe('<|startoftext|>');
    expect(tokenizer.idToToken(ids.at(-1)!)).toBe('<|endoftext|>');
  });

  it('serves the registry: rewards by name on the default folder', async () => {
    const reward = await createReward({
      aesthetic: { model: join(root, 'model') },
      pickscore: { model: join(root, 'model'), weight: 0.1 },
    });
    const pixels = new Uint8Array(40 * 40 * 3).fill(90);
    const [result] = await reward.score([
      { source: 'a fox', instruction: '', target: 'a red fox', images: [{ width: 40, height: 40, pixels }] },
    ]);
    expect(Number.isFinite(result!.value)).toBe(true);
    expect(Object.keys(result!.details.components as object).sort()).toEqual(['aesthetic', 'pickscore']);
  });
});
