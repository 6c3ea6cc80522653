import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyStableDiffusion } from '../test/tiny-stable-diffusion';
import { ModelFolderError } from './clip-tokenizer';
import { OnnxStableDiffusion } from './onnx-stable-diffusion';
import { readPngSize } from './png-header';

let folder: string;
let pipeline: OnnxStableDiffusion;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'tiny-sd-'));
  await writeTinyStableDiffusion(folder);
  pipeline = await OnnxStableDiffusion.load({ folder, intraOpNumThreads: 1 });
});
afterAll(() => pipeline.release());

async function rgba(png: Uint8Array): Promise<Uint8ClampedArray> {
  const image = await loadImage(Buffer.from(png));
  const canvas = createCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  return context.getImageData(0, 0, image.width, image.height).data;
}

const request = { prompt: 'a red fox in a forest', seed: 7, width: 64, height: 48, steps: 4 };

describe('OnnxStableDiffusion', () => {
  it('runs the whole pipeline into PNGs of the requested size', async () => {
    const images = await pipeline.generate({ ...request, n: 2 });
    expect(images).toHaveLength(2);
    expect(images.map((image) => image.seed)).toEqual([7, 8]);
    for (const image of images) {
      const decoded = await loadImage(Buffer.from(image.png));
      expect([decoded.width, decoded.height]).toEqual([64, 48]);
      expect([image.width, image.height]).toEqual([64, 48]);
    }
    const timings = pipeline.lastTimings!;
    expect(timings.steps).toBe(4);
    expect(timings.unetMs).toBeLessThanOrEqual(timings.loopMs);
  });

  it('is deterministic per seed and renders each image of a batch as its own seed would', async () => {
    const [first] = await pipeline.generate(request);
    const [again] = await pipeline.generate(request);
    expect(again!.png).toEqual(first!.png);
    const [other] = await pipeline.generate({ ...request, seed: 8 });
    expect(other!.png).not.toEqual(first!.png);
    const batch = await pipeline.generate({ ...request, n: 2 });
    // batched rows may take other kernels; allow one level of rounding
    const single = await rgba(other!.png);
    const batched = await rgba(batch[1]!.png);
    let largest = 0;
    for (let index = 0; index < single.length; index++)
      largest = Math.max(largest, Math.abs(single[index]! - batched[index]!));
    expect(largest).toBeLessThanOrEqual(1);
  });

  it('follows the prompt, and the negative prompt only under guidance', async () => {
    const [base] = await pipeline.generate(request);
    const [otherPrompt] = await pipeline.generate({ ...request, prompt: 'a blue sky at night' });
    expect(otherPrompt!.png).not.toEqual(base!.png);
    const [negative] = await pipeline.generate({ ...request, negativePrompt: 'forest' });
    expect(negative!.png).not.toEqual(base!.png);
    const [unguided] = await pipeline.generate({ ...request, guidance: 1 });
    const [unguidedNegative] = await pipeline.generate({ ...request, guidance: 1, negativePrompt: 'forest' });
    expect(unguidedNegative!.png).toEqual(unguided!.png);
  });

  it('runs with DDIM and with a float32 timestep input', async () => {
    const floatFolder = await mkdtemp(join(tmpdir(), 'tiny-sd-float-'));
    await writeTinyStableDiffusion(floatFolder, { timestepType: 'float32' });
    const ddim = await OnnxStableDiffusion.load({ folder: floatFolder, scheduler: 'ddim', intraOpNumThreads: 1 });
    const [image] = await ddim.generate({ ...request, width: 16, height: 24 });
    expect(readPngSize(image!.png)).toEqual({ width: 16, height: 24 });
    expect(image!.metadata.scheduler).toBe('ddim');
    await ddim.release();
  });

  it('stops between steps when cancelled', async () => {
    const controller = new AbortController();
    const pending = pipeline.generate({ ...request, steps: 50 }, { signal: controller.signal });
    // every ONNX Runtime run yields to the event loop, so this lands while the pipeline is running
    setTimeout(() => controller.abort(), 0);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    const aborted = new AbortController();
    aborted.abort();
    await expect(pipeline.generate(request, { signal: aborted.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('refuses sizes that are not multiples of 8', async () => {
    await expect(pipeline.generate({ ...request, width: 30 })).rejects.toThrow(/multiples of 8, got 30x48/);
  });

  it('names the missing or broken file of a model folder', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'tiny-sd-broken-'));
    await writeTinyStableDiffusion(broken);
    await writeFile(join(broken, 'scheduler', 'scheduler_config.json'), '{"beta_schedule": 4}');
    await expect(OnnxStableDiffusion.load({ folder: broken })).rejects.toThrow(
      `${join(broken, 'scheduler', 'scheduler_config.json')}: field "beta_schedule"`,
    );
    await rm(join(broken, 'scheduler'), { recursive: true });
    await writeFile(join(broken, 'unet', 'model.onnx'), 'not a model');
    await expect(OnnxStableDiffusion.load({ folder: broken })).rejects.toThrow(ModelFolderError);
    await expect(OnnxStableDiffusion.load({ folder: broken })).rejects.toThrow(join(broken, 'unet', 'model.onnx'));
  });
});
