/**
 * Speed of the renderers and the cache: `pnpm --filter @diffchat/t2i bench`.
 * Prints sketch renders per second at 256x256 (one core), the cost of a render-cache hit, and for the ONNX Stable
 * Diffusion pipeline on tiny random graphs the share of each denoising step spent outside ONNX Runtime (guidance,
 * scheduler, tensor copies) and the seconds per image. Last line: `sketch_img_s=<n> cache_hit_us=<n>`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OnnxStableDiffusion } from '../src/onnx-stable-diffusion';
import { withRenderCache } from '../src/render-cache';
import { renderSketch } from '../src/sketch/index';
import { testPng } from '../src/testing/index';
import type { GeneratedImage, TextToImage } from '../src/text-to-image';
import { writeTinyStableDiffusion } from '../test/tiny-stable-diffusion';

const prompts = [
  'a red fox in a forest',
  'three birds over the sea at sunset, watercolour',
  'a small house in the mountains at night, snow, highly detailed',
  'a cat on a sofa in a room, oil painting, soft lighting',
  'a city street in the rain, neon, cinematic',
  'a rocket in space with planets, pixel art',
];

function measureSketch(seconds: number): number {
  for (const prompt of prompts) renderSketch(prompt, { width: 256, height: 256, seed: 0 });
  let renders = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    renderSketch(prompts[renders % prompts.length]!, { width: 256, height: 256, seed: renders });
    renders++;
  }
  return renders / ((performance.now() - start) / 1000);
}

async function measureCacheHit(hits: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-cache-'));
  const png = testPng(256, 256, 1);
  const backend: TextToImage = {
    id: 'bench',
    async generate(): Promise<GeneratedImage[]> {
      return [{ png, width: 256, height: 256, seed: 1, metadata: {} }];
    },
  };
  const cached = withRenderCache(backend, { dir });
  const request = { prompt: 'a red fox in a forest', seed: 1, width: 256, height: 256 };
  await cached.generate(request);
  for (let index = 0; index < 100; index++) await cached.generate(request);
  const start = performance.now();
  for (let index = 0; index < hits; index++) await cached.generate(request);
  const perHit = ((performance.now() - start) * 1000) / hits;
  await rm(dir, { recursive: true });
  return perHit;
}

async function measureStableDiffusion(size: number, steps: number, repeats: number) {
  const folder = await mkdtemp(join(tmpdir(), 'bench-sd-'));
  await writeTinyStableDiffusion(folder, { hidden: 64 });
  const pipeline = await OnnxStableDiffusion.load({ folder, intraOpNumThreads: 1 });
  await pipeline.generate({ prompt: 'warm-up', seed: 0, width: size, height: size, steps: 2 });
  let outside = 0;
  let loop = 0;
  const start = performance.now();
  for (let index = 0; index < repeats; index++) {
    await pipeline.generate({
      prompt: prompts[index % prompts.length]!,
      seed: index,
      width: size,
      height: size,
      steps,
    });
    const timings = pipeline.lastTimings!;
    outside += timings.loopMs - timings.unetMs;
    loop += timings.loopMs;
  }
  const secondsPerImage = (performance.now() - start) / 1000 / repeats;
  await pipeline.release();
  await rm(folder, { recursive: true });
  return {
    overheadShare: outside / loop,
    secondsPerImage,
    stepMs: loop / repeats / steps,
    outsideMs: outside / repeats / steps,
  };
}

const sketchPerSecond = measureSketch(3);
console.log(`sketch renders/s at 256x256: ${sketchPerSecond.toFixed(1)}`);
const cacheHitMicroseconds = await measureCacheHit(2000);
console.log(`render cache hit (256x256 PNG): ${cacheHitMicroseconds.toFixed(1)} us`);
for (const [size, steps, repeats] of [
  [64, 20, 10],
  [512, 25, 2],
] as const) {
  const result = await measureStableDiffusion(size, steps, repeats);
  console.log(
    `onnx-sd tiny graphs ${size}x${size}, ${steps} steps (CFG, Euler): ${result.secondsPerImage.toFixed(3)} s/image, ` +
      `${result.stepMs.toFixed(2)} ms/step, outside ORT ${result.outsideMs.toFixed(2)} ms/step = ` +
      `${(result.overheadShare * 100).toFixed(1)}% of a step`,
  );
}
console.log(`sketch_img_s=${sketchPerSecond.toFixed(1)} cache_hit_us=${cacheHitMicroseconds.toFixed(1)}`);
