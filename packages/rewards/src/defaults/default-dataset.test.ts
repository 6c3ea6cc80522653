import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distinctCaptions, renderExamples } from './default-dataset';
import { pixelAesthetics } from './pixel-aesthetics';

let cacheDirectory = '';
beforeAll(async () => {
  cacheDirectory = await mkdtemp(join(tmpdir(), 'rewards-renders-'));
});
afterAll(async () => {
  await rm(cacheDirectory, { recursive: true, force: true });
});

describe('renderExamples', () => {
  it('reads back from its cache exactly what it rendered, and renders afresh for other prompts', async () => {
    const captions = await distinctCaptions(6, 3);
    const options = { seed: 9, renderSize: 24, imageSize: 24, cacheDirectory };
    const rendered = await renderExamples(captions, options);
    expect(await readdir(cacheDirectory)).toHaveLength(1);
    const cached = await renderExamples(captions, options);
    const uncached = await renderExamples(captions, { seed: 9, renderSize: 24, imageSize: 24 });
    cached.forEach((example, index) => {
      expect(example.caption).toBe(captions[index]);
      expect(example.image.pixels).toEqual(uncached[index]!.image.pixels);
      expect(example.image.pixels).toEqual(rendered[index]!.image.pixels);
      expect(example.pixelValues).toEqual(uncached[index]!.pixelValues);
      expect(example.aesthetic).toBe(pixelAesthetics(uncached[index]!.image).score);
    });
    await renderExamples(captions.slice(1), options);
    expect(await readdir(cacheDirectory)).toHaveLength(2);
  }, 60_000);

  it('draws distinct captions outside the excluded set', async () => {
    const first = await distinctCaptions(50, 1);
    const second = await distinctCaptions(50, 2, new Set(first));
    expect(new Set(first).size).toBe(50);
    expect(second.some((caption) => first.includes(caption))).toBe(false);
  });
});
