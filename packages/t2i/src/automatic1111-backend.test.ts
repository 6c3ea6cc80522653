import { loadImage } from '@napi-rs/canvas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Automatic1111TextToImage } from './automatic1111-backend';
import { ImageTooLargeError } from './png-size-limits';
import { FakeAutomatic1111Server, testPngHeader } from './testing/index';
import { TextToImageError } from './text-to-image-error';

let server: FakeAutomatic1111Server;
beforeEach(async () => {
  server = await new FakeAutomatic1111Server().start();
});
afterEach(() => server.close());

const backend = (options = {}) => new Automatic1111TextToImage({ url: server.url, retryDelayMs: 1, ...options });

describe('Automatic1111TextToImage', () => {
  it('sends the txt2img fields and returns decodable PNGs with the seeds from info', async () => {
    const images = await backend({ sampler: 'DPM++ 2M' }).generate({
      prompt: 'a red fox',
      negativePrompt: 'blurry',
      seed: 40,
      steps: 12,
      guidance: 6.5,
      width: 64,
      height: 48,
      n: 3,
    });
    expect(server.requests[0]!.body).toEqual({
      prompt: 'a red fox',
      negative_prompt: 'blurry',
      seed: 40,
      steps: 12,
      cfg_scale: 6.5,
      width: 64,
      height: 48,
      batch_size: 3,
      n_iter: 1,
      sampler_name: 'DPM++ 2M',
    });
    expect(images.map((image) => image.seed)).toEqual([40, 41, 42]);
    for (const image of images) {
      const decoded = await loadImage(Buffer.from(image.png));
      expect([decoded.width, decoded.height]).toEqual([64, 48]);
      expect([image.width, image.height]).toEqual([64, 48]);
      expect(image.metadata).toMatchObject({ backend: 'a1111', sampler: 'DPM++ 2M', model: 'v1-5-pruned-emaonly' });
    }
  });

  it('reports the seed the server chose for -1 and skips a leading grid image', async () => {
    await server.close();
    server = await new FakeAutomatic1111Server({ randomSeed: 777, grid: true }).start();
    const images = await backend().generate({ prompt: 'a cat', width: 32, height: 32, n: 2 });
    expect((server.requests[0]!.body as { seed: number }).seed).toBe(-1);
    expect(images.map((image) => image.seed)).toEqual([777, 778]);
    expect(images.map((image) => image.width)).toEqual([32, 32]);
  });

  it('merges extra fields over the built ones', async () => {
    await backend({ extra: { scheduler: 'Karras', steps: 5 } }).generate({
      prompt: 'x',
      steps: 30,
      width: 8,
      height: 8,
    });
    expect(server.requests[0]!.body).toMatchObject({ scheduler: 'Karras', steps: 5 });
  });

  it('rethrows server errors with the backend, URL and message, retrying only 5xx', async () => {
    server.failNext('POST /sdapi', {
      kind: 'status',
      status: 500,
      body: { error: 'OutOfMemoryError', errors: 'CUDA' },
    });
    const images = await backend({ retries: 1 }).generate({ prompt: 'x', width: 8, height: 8 });
    expect(images).toHaveLength(1);
    const invalid = backend({ retries: 3 }).generate({ prompt: undefined as unknown as string });
    await expect(invalid).rejects.toThrow(`a1111 backend at ${server.url}/sdapi/v1/txt2img: HTTP 422 request failed`);
    expect(server.requestsTo('POST /sdapi')).toHaveLength(3);
  });

  it('fails clearly on malformed JSON, a missing image list, a bad info string and non-PNG images', async () => {
    server.failNext('POST /sdapi', { kind: 'malformed-json' });
    await expect(backend().generate({ prompt: 'x' })).rejects.toThrow(/malformed JSON/);
    const answers = [
      { body: { info: '{}' }, message: /no "images" list/ },
      { body: { images: ['iVBORw0K'], info: 'not json' }, message: /"info" is not a JSON object/ },
      { body: { images: [Buffer.from('GIF89a').toString('base64')], info: '{}' }, message: /images\[0\] is not a PNG/ },
      { body: { images: [], info: '{}' }, message: /0 images, 1 were asked for/ },
    ];
    for (const { body, message } of answers) {
      server.failNext('POST /sdapi', { kind: 'status', status: 200, body });
      const error = await backend()
        .generate({ prompt: 'x' })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TextToImageError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('refuses an image whose header claims 2147483647 x 2147483647 pixels, or more than imageSizeLimits', async () => {
    const huge = Buffer.from(testPngHeader(2147483647, 2147483647)).toString('base64');
    server.failNext('POST /sdapi', { kind: 'status', status: 200, body: { images: [huge], info: '{}' } });
    const error = await backend()
      .generate({ prompt: 'x' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImageTooLargeError);
    expect(error).toMatchObject({ backend: 'a1111', field: 'images[0]', width: 2147483647 });
    const small = backend({ imageSizeLimits: { maxWidth: 31 } }).generate({ prompt: 'x', width: 32, height: 32 });
    await expect(small).rejects.toThrow('images[0] declares 32 x 32 pixels, over the limit of 31 x 16384');
  });

  it('drops an answer over maxResponseBytes, naming the backend and path', async () => {
    server.failNext('POST /sdapi', { kind: 'endless', stopAfterBytes: 10 * 2 ** 20 });
    const error = await backend({ maxResponseBytes: 2 ** 20 })
      .generate({ prompt: 'x' })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'ResponseTooLargeError', backend: 'a1111', path: '/sdapi/v1/txt2img' });
    expect(await server.streamed[0]!.ended).toBe('client-closed');
  });

  it('times out a hanging server and cancels on abort', async () => {
    server.failNext('POST /sdapi', { kind: 'hang' }, 3);
    await expect(backend({ timeoutMs: 300, retries: 0 }).generate({ prompt: 'x' })).rejects.toThrow(/timed out/);
    const controller = new AbortController();
    const pending = backend().generate({ prompt: 'x' }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('runs at most `concurrency` requests at once', async () => {
    let inFlight = 0;
    let most = 0;
    const fetcher: typeof fetch = async (input, init) => {
      inFlight++;
      most = Math.max(most, inFlight);
      try {
        return await fetch(input, init);
      } finally {
        inFlight--;
      }
    };
    const limited = backend({ fetch: fetcher, concurrency: 2 });
    await Promise.all(
      Array.from({ length: 6 }, (_, seed) => limited.generate({ prompt: 'x', seed, width: 8, height: 8 })),
    );
    expect(most).toBe(2);
    expect(server.requests).toHaveLength(6);
  });
});
