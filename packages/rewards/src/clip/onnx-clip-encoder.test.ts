import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startFakeHub } from '@diffchat/lm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RewardError } from '../errors';
import { clipImagePreprocessing } from './image-preprocessing';
import { loadClipEncoder } from './onnx-clip-encoder';
import {
  referenceImageEmbedding,
  referenceTextEmbedding,
  type TinyClipWeights,
  tinyClipWeights,
  tinyVocabulary,
  writeTinyClip,
} from './tiny-clip.test-support';

const vocabulary = tinyVocabulary();
const weights: TinyClipWeights = tinyClipWeights(3);
let root = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rewards-clip-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function folder(name: string, options: Parameters<typeof writeTinyClip>[2] = {}): Promise<string> {
  const directory = join(root, name);
  await writeTinyClip(directory, weights, options);
  return directory;
}

/** A 2x2 RGB image and its pixel_values worked out by hand (no resize or crop at 2x2). */
function image(seed: number): { image: { width: number; height: number; pixels: Uint8Array }; values: number[] } {
  const pixels = Uint8Array.from({ length: 12 }, (_, index) => (seed * 37 + index * 19) % 256);
  const values: number[] = [];
  for (let channel = 0; channel < 3; channel++) {
    for (let pixel = 0; pixel < 4; pixel++) {
      values.push(
        (pixels[pixel * 3 + channel]! / 255 - clipImagePreprocessing.mean[channel]!) /
          clipImagePreprocessing.std[channel]!,
      );
    }
  }
  return { image: { width: 2, height: 2, pixels }, values };
}

const close = (vector: Float32Array) => [...vector].map((value) => expect.closeTo(value, 5));

describe('OnnxClipEncoder', () => {
  it('embeds texts as the hand-summed token embeddings, L2-normalised, with padding masked out', async () => {
    const encoder = await loadClipEncoder(await folder('split'));
    const [first, second] = await encoder.embedTexts(['Ab c', 'z']);
    // <|startoftext|>, a, b</w>, c</w>, <|endoftext|>; the 72 pad tokens are masked.
    const ids = [0, vocabulary.a!, vocabulary['b</w>']!, vocabulary['c</w>']!, 1];
    expect([...first!]).toEqual(close(referenceTextEmbedding(weights, ids)));
    expect([...second!]).toEqual(close(referenceTextEmbedding(weights, [0, vocabulary['z</w>']!, 1])));
    expect(Math.hypot(...first!)).toBeCloseTo(1, 6);
    expect(encoder.logitScale).toBe(42);
  });

  it('truncates long texts to 77 tokens keeping the end token last', async () => {
    const encoder = await loadClipEncoder(await folder('truncate'));
    const long = Array.from({ length: 100 }, () => 'q').join(' ');
    const [embedding] = await encoder.embedTexts([long]);
    const ids = [0, ...new Array<number>(75).fill(vocabulary['q</w>']!), 1];
    expect([...embedding!]).toEqual(close(referenceTextEmbedding(weights, ids)));
  });

  it('feeds int32 ids when the model declares int32', async () => {
    const encoder = await loadClipEncoder(await folder('int32', { idType: 'int32' }));
    const [embedding] = await encoder.embedTexts(['ab']);
    expect([...embedding!]).toEqual(
      close(referenceTextEmbedding(weights, [0, vocabulary.a!, vocabulary['b</w>']!, 1])),
    );
  });

  it('embeds images as the projection of the hand-preprocessed pixels', async () => {
    const encoder = await loadClipEncoder(await folder('images'));
    const [one, two] = [image(1), image(2)];
    const embeddings = await encoder.embedImages([one.image, two.image]);
    expect([...embeddings[0]!]).toEqual(close(referenceImageEmbedding(weights, one.values)));
    expect([...embeddings[1]!]).toEqual(close(referenceImageEmbedding(weights, two.values)));
  });

  it('gives the same embeddings batched as one by one', async () => {
    const directory = await folder('batching');
    const batched = await loadClipEncoder(directory, { batchSize: 3 });
    const single = await loadClipEncoder(directory, { batchSize: 1 });
    const images = [1, 2, 3, 4, 5, 6, 7].map((seed) => image(seed).image);
    const texts = ['a', 'bc', 'def', 'g h', 'ij', 'k', 'lmn'];
    const [left, right] = [await batched.embedImages(images), await single.embedImages(images)];
    left.forEach((embedding, index) => {
      expect([...embedding]).toEqual(close(right[index]!));
    });
    const [textLeft, textRight] = [await batched.embedTexts(texts), await single.embedTexts(texts)];
    textLeft.forEach((embedding, index) => {
      expect([...embedding]).toEqual(close(textRight[index]!));
    });
  });

  it('reads the joint onnx/model.onnx and its logit scale', async () => {
    const encoder = await loadClipEncoder(await folder('joint', { layout: 'joint' }));
    const [text] = await encoder.embedTexts(['ab']);
    expect([...text!]).toEqual(close(referenceTextEmbedding(weights, [0, vocabulary.a!, vocabulary['b</w>']!, 1])));
    const sample = image(4);
    const [embedding] = await encoder.embedImages([sample.image]);
    expect([...embedding!]).toEqual(close(referenceImageEmbedding(weights, sample.values)));
    expect(encoder.logitScale).toBeCloseTo(42, 3);
  });

  it('names the missing model file and the missing tokenizer', async () => {
    const directory = await folder('missing');
    await rm(join(directory, 'onnx', 'vision_model.onnx'));
    await expect(loadClipEncoder(directory)).rejects.toThrow(/onnx\/vision_model\.onnx: missing/);
    await rm(join(directory, 'tokenizer.json'));
    await expect(loadClipEncoder(directory)).rejects.toThrow(/tokenizer\.json: missing/);
  });

  it('reports a model whose embeddings are NaN, naming the file', async () => {
    const broken = { ...weights, imageProjection: weights.imageProjection.map(() => Number.NaN) };
    const directory = join(root, 'nan');
    await writeTinyClip(directory, broken);
    const encoder = await loadClipEncoder(directory);
    const error = await encoder.embedImages([image(1).image]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RewardError);
    expect(String(error)).toMatch(/vision_model\.onnx: image_embeds of input 0 is not finite/);
  });

  it('rejects an image with the wrong number of channels, naming it', async () => {
    const encoder = await loadClipEncoder(await folder('channels'));
    await expect(encoder.embedImages([{ width: 2, height: 2, pixels: new Uint8Array(8) }])).rejects.toThrow(
      /images\[0\]\.pixels: expected 2x2x3 = 12 bytes, got 8 \(that is 2 channels/,
    );
  });

  it('loads by repository id from a hub on 127.0.0.1', async () => {
    const directory = await folder('hub');
    const files: Record<string, Uint8Array> = {};
    const walk = async (path: string): Promise<void> => {
      for (const entry of await readdir(path, { withFileTypes: true })) {
        const full = join(path, entry.name);
        if (entry.isDirectory()) await walk(full);
        else files[relative(directory, full)] = await readFile(full);
      }
    };
    await walk(directory);
    const hub = await startFakeHub({ 'tiny/clip': { revisions: { main: files } } });
    try {
      const cacheDir = join(root, 'hub-cache');
      const encoder = await loadClipEncoder('tiny/clip', { hub: { hubUrl: hub.url, cacheDir } });
      const [embedding] = await encoder.embedTexts(['ab']);
      expect([...embedding!]).toEqual(
        close(referenceTextEmbedding(weights, [0, vocabulary.a!, vocabulary['b</w>']!, 1])),
      );
      expect(encoder.directory).toContain(cacheDir);
    } finally {
      await hub.close();
    }
  });
});
