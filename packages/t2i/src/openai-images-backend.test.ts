import { loadImage } from '@napi-rs/canvas';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenAiImagesTextToImage } from './openai-images-backend';
import { type FakeOpenAiImagesOptions, FakeOpenAiImagesServer } from './testing/index';

let server: FakeOpenAiImagesServer;
afterEach(() => server.close());

async function start(options: FakeOpenAiImagesOptions = {}) {
  server = await new FakeOpenAiImagesServer(options).start();
  return server;
}

describe('OpenAiImagesTextToImage', () => {
  it('asks for b64_json at the requested size and decodes the PNGs', async () => {
    await start({ apiKey: 'sk-test' });
    const backend = new OpenAiImagesTextToImage({ url: `${server.url}/v1`, model: 'dall-e-2', apiKey: 'sk-test' });
    const images = await backend.generate({ prompt: 'a lighthouse', width: 40, height: 24, n: 2, seed: 5 });
    expect(server.requests[0]!.path).toBe('/v1/images/generations');
    expect(server.requests[0]!.body).toEqual({
      prompt: 'a lighthouse',
      n: 2,
      size: '40x24',
      response_format: 'b64_json',
      model: 'dall-e-2',
    });
    expect(images).toHaveLength(2);
    for (const image of images) {
      const decoded = await loadImage(Buffer.from(image.png));
      expect([decoded.width, decoded.height]).toEqual([40, 24]);
      expect(image.seed).toBe(-1);
      expect(image.metadata.revisedPrompt).toBe('a lighthouse, revised');
    }
    expect(backend.id).toBe(`openai:${server.url}/v1#dall-e-2`);
  });

  it('downloads url answers without sending the API key along', async () => {
    await start({ answerWithUrls: true, apiKey: 'sk-test' });
    const images = await new OpenAiImagesTextToImage({ url: `${server.url}/v1`, apiKey: 'sk-test' }).generate({
      prompt: 'x',
      width: 16,
      height: 16,
    });
    expect([images[0]!.width, images[0]!.height]).toEqual([16, 16]);
    const downloads = server.requestsTo('GET /files/');
    expect(downloads).toHaveLength(1);
    expect(downloads[0]!.headers.authorization).toBeUndefined();
  });

  it('refuses b64_json and downloaded images over imageSizeLimits, naming the field', async () => {
    for (const answerWithUrls of [false, true]) {
      if (answerWithUrls) await server.close();
      await start({ answerWithUrls });
      const backend = new OpenAiImagesTextToImage({ url: `${server.url}/v1`, imageSizeLimits: { maxHeight: 15 } });
      await expect(backend.generate({ prompt: 'x', width: 16, height: 16 })).rejects.toMatchObject({
        name: 'ImageTooLargeError',
        backend: 'openai',
        field: answerWithUrls ? 'data[0].url' : 'data[0].b64_json',
        height: 16,
      });
    }
  });

  it('rethrows the API error message without retrying a 401', async () => {
    await start({ apiKey: 'sk-right' });
    const backend = new OpenAiImagesTextToImage({ url: `${server.url}/v1`, apiKey: 'sk-wrong', retries: 3 });
    await expect(backend.generate({ prompt: 'x' })).rejects.toThrow(
      `openai backend at ${server.url}/v1/images/generations: HTTP 401 request failed: Incorrect API key provided`,
    );
    expect(server.requests).toHaveLength(1);
  });

  it('retries 5xx and 429, fails on malformed JSON, times out and cancels', async () => {
    await start();
    const backend = new OpenAiImagesTextToImage({
      url: `${server.url}/v1`,
      retries: 2,
      retryDelayMs: 1,
      timeoutMs: 30_000,
    });
    server.failNext('POST /v1', { kind: 'status', status: 429, body: { error: { message: 'Rate limit' } } });
    server.failNext('POST /v1', { kind: 'status', status: 502, body: 'Bad Gateway' });
    expect(await backend.generate({ prompt: 'x', width: 8, height: 8 })).toHaveLength(1);
    expect(server.requests).toHaveLength(3);

    server.failNext('POST /v1', { kind: 'malformed-json' });
    await expect(backend.generate({ prompt: 'x' })).rejects.toThrow(/openai backend .* malformed JSON/);
    server.failNext('POST /v1', { kind: 'status', status: 200, body: { data: [{ other: 1 }] } });
    await expect(backend.generate({ prompt: 'x' })).rejects.toThrow(/data\[0\] has neither b64_json nor url/);
    server.failNext('POST /v1', { kind: 'hang' }, 3);
    const impatient = new OpenAiImagesTextToImage({ url: `${server.url}/v1`, retries: 0, timeoutMs: 300 });
    await expect(impatient.generate({ prompt: 'x' })).rejects.toThrow(/timed out after 300 ms/);

    server.failNext('POST /v1', { kind: 'hang' });
    const controller = new AbortController();
    const slow = new OpenAiImagesTextToImage({ url: `${server.url}/v1` });
    const pending = slow.generate({ prompt: 'x' }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
