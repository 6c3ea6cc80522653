import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@diffchat/core';
import { checkPngSize, type ImageSizeLimits } from './png-size-limits';
import type { GeneratedImage, GenerateOptions, GenerateRequest, TextToImage } from './text-to-image';

/** Settings of {@link withRenderCache}. */
export interface RenderCacheOptions {
  /** Cache folder; created when missing. Safe to share between processes. */
  dir: string;
  /**
   * Largest image stored or served (defaults: 16384 x 16384, 2^28 pixels), read from the PNG header: a larger one
   * from the backend is refused with an `ImageTooLargeError`, a larger one on disk is a miss.
   */
  imageSizeLimits?: ImageSizeLimits;
}

/** A backend wrapped by {@link withRenderCache}, with counters of images served from disk and rendered. */
export interface CachedTextToImage extends TextToImage {
  readonly stats: { hits: number; misses: number };
}

/** Bump when the key or file layout changes, so old entries are never misread. */
const cacheVersion = 1;

/**
 * The cache key of image `index` of a request: sha256 (hex) of the backend id and every parameter that changes the
 * pixels, with the per-image seed (seed + index). `n` is not part of it, so a batch of 4 fills the entries that later
 * single-image requests read.
 */
export function renderCacheKey(backendId: string, request: GenerateRequest, index: number): string {
  const canonical = JSON.stringify([
    cacheVersion,
    backendId,
    request.prompt,
    request.negativePrompt ?? '',
    request.seed === undefined ? null : request.seed + index,
    request.width ?? null,
    request.height ?? null,
    request.steps ?? null,
    request.guidance ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

interface CacheEntry {
  key: string;
  backend: string;
  prompt: string;
  seed: number;
  width: number;
  height: number;
  /** PNG length in bytes: a cut-short file is a miss. */
  bytes: number;
  metadata: Record<string, unknown>;
}

/**
 * Wraps a backend with a content-addressed render cache on disk: `<dir>/<key[0..2]>/<key>.png` plus `<key>.json`
 * (seed, size, the backend's metadata), both written atomically, the JSON last so that its presence means the entry
 * is complete. Requests without a seed are random by definition and pass through uncached. Identical requests that
 * arrive while one is rendering wait for it instead of rendering again.
 */
export function withRenderCache(backend: TextToImage, options: RenderCacheOptions): CachedTextToImage {
  const stats = { hits: 0, misses: 0 };
  const inFlight = new Map<string, Promise<GeneratedImage[]>>();
  const paths = (key: string) => {
    const folder = join(options.dir, key.slice(0, 2));
    return { folder, png: join(folder, `${key}.png`), json: join(folder, `${key}.json`) };
  };

  // synchronous reads: a hit is two small files, and on Node 20 the promise API took about five times as long per
  // file as readFileSync; blocking for a fraction of a millisecond is harmless next to any render
  const read = (key: string): GeneratedImage | undefined => {
    const { png: pngPath, json: jsonPath } = paths(key);
    try {
      const entry = JSON.parse(readFileSync(jsonPath, 'utf8')) as CacheEntry;
      const png = new Uint8Array(readFileSync(pngPath));
      // a damaged, foreign or oversized entry is a miss (checkPngSize throws); rendering again overwrites it
      const size = checkPngSize(png, options.imageSizeLimits, { backend: backend.id, url: pngPath, field: 'png' });
      const complete = png.length === entry.bytes && endsWithPngTrailer(png);
      if (entry.key !== key || !complete || size.width !== entry.width || size.height !== entry.height)
        return undefined;
      return { png, width: entry.width, height: entry.height, seed: entry.seed, metadata: entry.metadata ?? {} };
    } catch {
      return undefined;
    }
  };

  const write = async (key: string, image: GeneratedImage, request: GenerateRequest): Promise<void> => {
    const { folder, png, json } = paths(key);
    await mkdir(folder, { recursive: true });
    await writeFileAtomic(png, image.png);
    const entry: CacheEntry = {
      key,
      backend: backend.id,
      prompt: request.prompt,
      seed: image.seed,
      width: image.width,
      height: image.height,
      bytes: image.png.length,
      metadata: image.metadata,
    };
    await writeFileAtomic(json, `${JSON.stringify(entry)}\n`);
  };

  const generate = async (request: GenerateRequest, callOptions?: GenerateOptions): Promise<GeneratedImage[]> => {
    if (request.seed === undefined) {
      stats.misses += request.n ?? 1;
      return backend.generate(request, callOptions);
    }
    const keys = Array.from({ length: request.n ?? 1 }, (_, index) => renderCacheKey(backend.id, request, index));
    const found = keys.map(read);
    if (found.every((image) => image !== undefined)) {
      stats.hits += keys.length;
      return found as GeneratedImage[];
    }
    const batchKey = keys.join(':');
    const pending = inFlight.get(batchKey);
    if (pending) return pending;
    const rendering = (async () => {
      const images = await backend.generate(request, callOptions);
      stats.misses += images.length;
      // the whole batch is refused before any of it is stored
      images.forEach((image, index) => {
        const context = { backend: backend.id, url: options.dir, field: `images[${index}].png` };
        checkPngSize(image.png, options.imageSizeLimits, context);
      });
      await Promise.all(images.slice(0, keys.length).map((image, index) => write(keys[index]!, image, request)));
      return images;
    })();
    inFlight.set(batchKey, rendering);
    try {
      return await rendering;
    } finally {
      inFlight.delete(batchKey);
    }
  };

  return { id: backend.id, stats, generate };
}

/** The IEND chunk every complete PNG ends with: length 0, type "IEND", CRC. */
const pngTrailer = [0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];

function endsWithPngTrailer(png: Uint8Array): boolean {
  const start = png.length - pngTrailer.length;
  return start >= 0 && pngTrailer.every((byte, index) => png[start + index] === byte);
}
