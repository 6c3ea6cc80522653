import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ImageTooLargeError } from './png-size-limits';
import { renderCacheKey, withRenderCache } from './render-cache';
import { testPng, testPngHeader } from './testing/index';
import type { GeneratedImage, GenerateRequest, TextToImage } from './text-to-image';

/** Renders seed-coloured squares and counts how many images it drew. */
function countingBackend(id = 'fake:1'): TextToImage & { rendered: number; calls: number } {
  const backend = {
    id,
    rendered: 0,
    calls: 0,
    async generate(request: GenerateRequest): Promise<GeneratedImage[]> {
      backend.calls++;
      const seed = request.seed ?? 99;
      return Array.from({ length: request.n ?? 1 }, (_, index) => {
        backend.rendered++;
        return {
          png: testPng(request.width ?? 8, request.height ?? 8, seed + index),
          width: request.width ?? 8,
          height: request.height ?? 8,
          seed: seed + index,
          metadata: { model: 'fake', unknownWords: ['zorp'] },
        };
      });
    },
  };
  return backend;
}

const folder = () => mkdtemp(join(tmpdir(), 'render-cache-'));

describe('withRenderCache', () => {
  it('renders once and serves the same bytes and metadata from disk afterwards', async () => {
    const dir = await folder();
    const backend = countingBackend();
    const request = { prompt: 'a fox', seed: 3, width: 16, height: 12, steps: 4, guidance: 7 };
    const first = await withRenderCache(backend, { dir }).generate(request);
    const again = withRenderCache(backend, { dir });
    const second = await again.generate(request);
    expect(backend.rendered).toBe(1);
    expect(second).toEqual(first);
    expect(again.stats).toEqual({ hits: 1, misses: 0 });
    const key = renderCacheKey(backend.id, request, 0);
    expect((await readdir(join(dir, key.slice(0, 2)))).sort()).toEqual([`${key}.json`, `${key}.png`]);
    expect(new Uint8Array(await readFile(join(dir, key.slice(0, 2), `${key}.png`)))).toEqual(first[0]!.png);
  });

  it('lets a batch fill the entries of later single images', async () => {
    const dir = await folder();
    const backend = countingBackend();
    const cached = withRenderCache(backend, { dir });
    const batch = await cached.generate({ prompt: 'p', seed: 10, n: 3 });
    const single = await cached.generate({ prompt: 'p', seed: 11 });
    expect(single[0]!.png).toEqual(batch[1]!.png);
    expect(backend.calls).toBe(1);
  });

  it('passes unseeded requests through and renders a request in flight once', async () => {
    const dir = await folder();
    const backend = countingBackend();
    const cached = withRenderCache(backend, { dir });
    await cached.generate({ prompt: 'p' });
    await cached.generate({ prompt: 'p' });
    expect(backend.calls).toBe(2);
    await Promise.all([cached.generate({ prompt: 'q', seed: 1 }), cached.generate({ prompt: 'q', seed: 1 })]);
    expect(backend.calls).toBe(3);
  });

  it('keys differ whenever the backend or any parameter differs', () => {
    const request = fc.record({
      prompt: fc.string(),
      negativePrompt: fc.option(fc.string(), { nil: undefined }),
      seed: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
      width: fc.option(fc.integer({ min: 1, max: 2048 }), { nil: undefined }),
      height: fc.option(fc.integer({ min: 1, max: 2048 }), { nil: undefined }),
      steps: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
      guidance: fc.option(fc.double({ min: 0, max: 30, noNaN: true }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.string(), request, fc.string(), request, (idA, a, idB, b) => {
        const normalise = (value: GenerateRequest) => ({ ...value, negativePrompt: value.negativePrompt ?? '' });
        const same = idA === idB && JSON.stringify(normalise(a)) === JSON.stringify(normalise(b));
        expect(renderCacheKey(idA, a, 0) === renderCacheKey(idB, b, 0)).toBe(same);
      }),
    );
    expect(renderCacheKey('x', { prompt: 'p', seed: 1 }, 1)).toBe(renderCacheKey('x', { prompt: 'p', seed: 2 }, 0));
  });

  it('refuses to store an image that claims 2147483647 x 2147483647 pixels, and stores nothing of its batch', async () => {
    const dir = await folder();
    const backend = countingBackend('huge:1');
    const generate = backend.generate;
    backend.generate = async (request) => {
      const images = await generate(request);
      images[1] = { ...images[1]!, png: testPngHeader(2147483647, 2147483647), width: 2147483647, height: 2147483647 };
      return images;
    };
    const error = await withRenderCache(backend, { dir })
      .generate({ prompt: 'p', seed: 1, n: 2 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImageTooLargeError);
    expect(error).toMatchObject({ backend: 'huge:1', field: 'images[1].png' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('treats an entry over imageSizeLimits as a miss', async () => {
    const dir = await folder();
    const backend = countingBackend();
    const request = { prompt: 'p', seed: 2, width: 16, height: 16 };
    await withRenderCache(backend, { dir }).generate(request);
    await withRenderCache(backend, { dir }).generate(request);
    expect(backend.rendered).toBe(1);
    const narrow = withRenderCache(backend, { dir, imageSizeLimits: { maxWidth: 8, maxHeight: 8 } });
    await expect(narrow.generate(request)).rejects.toThrow(ImageTooLargeError);
    expect(narrow.stats).toEqual({ hits: 0, misses: 1 });
  });

  it('treats damaged entries as misses and repairs them', async () => {
    const dir = await folder();
    const backend = countingBackend();
    const request = { prompt: 'damaged', seed: 5 };
    const original = await withRenderCache(backend, { dir }).generate(request);
    const key = renderCacheKey(backend.id, request, 0);
    const pngPath = join(dir, key.slice(0, 2), `${key}.png`);
    const jsonPath = join(dir, key.slice(0, 2), `${key}.json`);
    const pristinePng = await readFile(pngPath);
    const pristineJson = await readFile(jsonPath);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('png', 'json'),
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc.nat(pristinePng.length - 1).map((cut) => new Uint8Array(pristinePng.subarray(0, cut))),
          fc.constant(new TextEncoder().encode('{"key": 3, "width": "wide"}')),
        ),
        async (which, bytes) => {
          await writeFile(which === 'png' ? pngPath : jsonPath, bytes);
          const before = backend.rendered;
          const images = await withRenderCache(backend, { dir }).generate(request);
          expect(images[0]!.png).toEqual(original[0]!.png);
          expect(backend.rendered).toBe(before + 1);
          expect(await readFile(pngPath)).toEqual(pristinePng);
          expect(await readFile(jsonPath)).toEqual(pristineJson);
        },
      ),
      { numRuns: 40 },
    );
  });
});
