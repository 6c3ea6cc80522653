import { loadImage } from '@napi-rs/canvas';
import { afterEach, describe, expect, it } from 'vitest';
import { ComfyUiTextToImage } from './comfyui-backend';
import { type ComfyWorkflow, ComfyWorkflowError } from './comfyui-workflow';
import { readPngSize } from './png-header';
import { type FakeComfyUiOptions, FakeComfyUiServer } from './testing/index';

let server: FakeComfyUiServer;
afterEach(() => server.close());

async function start(options: FakeComfyUiOptions = {}) {
  server = await new FakeComfyUiServer(options).start();
  return server;
}

type Queued = { prompt: ComfyWorkflow; client_id: string };

describe('ComfyUiTextToImage', () => {
  it('queues the default workflow once per image, follows the websocket and fetches /view', async () => {
    await start();
    const progress: number[] = [];
    const backend = new ComfyUiTextToImage({
      url: server.url,
      checkpoint: 'sd15.safetensors',
      onProgress: (event) => progress.push(event.value),
    });
    const images = await backend.generate({
      prompt: 'a castle',
      negativePrompt: 'ugly',
      seed: 9,
      steps: 3,
      guidance: 5,
      width: 48,
      height: 32,
      n: 2,
    });
    const queued = server.requestsTo('POST /prompt').map((request) => request.body as Queued);
    expect(queued).toHaveLength(2);
    const first = queued[0]!.prompt;
    expect(first['6']!.inputs.text).toBe('a castle');
    expect(first['7']!.inputs.text).toBe('ugly');
    expect(first['3']!.inputs).toMatchObject({ seed: 9, steps: 3, cfg: 5 });
    expect(first['5']!.inputs).toMatchObject({ width: 48, height: 32, batch_size: 1 });
    expect(first['4']!.inputs.ckpt_name).toBe('sd15.safetensors');
    expect(queued[1]!.prompt['3']!.inputs.seed).toBe(10);
    expect(typeof queued[0]!.client_id).toBe('string');
    expect(images.map((image) => image.seed)).toEqual([9, 10]);
    for (const image of images) {
      const decoded = await loadImage(Buffer.from(image.png));
      expect([decoded.width, decoded.height]).toEqual([48, 32]);
    }
    expect(progress).toEqual([1, 2, 3, 1, 2, 3]);
    // with the socket there is no polling: one history read per image, for its outputs
    expect(server.requestsTo('GET /history')).toHaveLength(2);
    expect(server.requestsTo('GET /view')).toHaveLength(2);
  });

  it('polls /history when the websocket is refused', async () => {
    await start({ webSocket: false, executionDelayMs: 30 });
    const backend = new ComfyUiTextToImage({ url: server.url, pollIntervalMs: 10 });
    const images = await backend.generate({ prompt: 'x', seed: 1, width: 16, height: 16 });
    expect(images[0]!.width).toBe(16);
    expect(server.requestsTo('GET /history').length).toBeGreaterThan(1);
  });

  it('falls back to polling when the websocket closes mid-wait', async () => {
    await start({ dropWebSocket: true, executionDelayMs: 20 });
    const backend = new ComfyUiTextToImage({ url: server.url, pollIntervalMs: 5 });
    const images = await backend.generate({ prompt: 'x', seed: 2, width: 24, height: 16 });
    expect(readPngSize(images[0]!.png)).toEqual({ width: 24, height: 16 });
    expect(server.requestsTo('GET /history').length).toBeGreaterThan(1);
  });

  it('fills a user workflow through its mapping', async () => {
    await start();
    const workflow: ComfyWorkflow = {
      '10': { class_type: 'CLIPTextEncode', inputs: { text: 'placeholder', clip: ['11', 1] } },
      '11': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'xl.safetensors' } },
      '12': { class_type: 'KSamplerAdvanced', inputs: { noise_seed: 0, steps: 20 } },
      '13': { class_type: 'SaveImage', inputs: { filename_prefix: 'mine' } },
    };
    const backend = new ComfyUiTextToImage({
      url: server.url,
      workflow,
      mapping: { prompt: '10.text', seed: '12.noise_seed', steps: '12.steps' },
    });
    const images = await backend.generate({ prompt: 'a boat', seed: 3, steps: 7 });
    const sent = (server.requestsTo('POST /prompt')[0]!.body as Queued).prompt;
    expect(sent['10']!.inputs.text).toBe('a boat');
    expect(sent['12']!.inputs).toEqual({ noise_seed: 3, steps: 7 });
    expect(workflow['10']!.inputs.text).toBe('placeholder');
    expect(images[0]!.metadata.node).toBe('13');
  });

  it('refuses a mapping that points at a missing node or input', () => {
    const workflow: ComfyWorkflow = { '1': { class_type: 'CLIPTextEncode', inputs: { text: '' } } };
    expect(
      () => new ComfyUiTextToImage({ url: 'http://127.0.0.1:1', workflow, mapping: { prompt: '2.text' } }),
    ).toThrow(ComfyWorkflowError);
    expect(
      () => new ComfyUiTextToImage({ url: 'http://127.0.0.1:1', workflow, mapping: { prompt: '1.words' } }),
    ).toThrow('mapping.prompt: node "1" (CLIPTextEncode) of the workflow has no input "words"');
  });

  it('reports execution errors from the socket and from the history', async () => {
    for (const webSocket of [true, false]) {
      await start({ executionError: 'mat1 and mat2 shapes cannot be multiplied', webSocket });
      const backend = new ComfyUiTextToImage({ url: server.url, pollIntervalMs: 5 });
      await expect(backend.generate({ prompt: 'x' })).rejects.toThrow(
        /comfyui backend at .*\/history\/.*: prompt .* failed: mat1 and mat2 shapes cannot be multiplied/,
      );
      await server.close();
    }
    server = await new FakeComfyUiServer().start();
  });

  it('rethrows a refused workflow with the server message', async () => {
    await start();
    server.failNext('POST /prompt', {
      kind: 'status',
      status: 400,
      body: { error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation' } },
    });
    await expect(new ComfyUiTextToImage({ url: server.url }).generate({ prompt: 'x' })).rejects.toThrow(
      `comfyui backend at ${server.url}/prompt: HTTP 400 request failed: Prompt outputs failed validation`,
    );
    server.failNext('POST /prompt', { kind: 'malformed-json' });
    await expect(new ComfyUiTextToImage({ url: server.url }).generate({ prompt: 'x' })).rejects.toThrow(
      /malformed JSON/,
    );
  });

  it('drops a /view image over maxImageBytes and refuses one that claims too many pixels', async () => {
    await start();
    const limit = 2 ** 20;
    server.failNext('GET /view', { kind: 'endless', stopAfterBytes: 10 * limit, contentType: 'image/png' });
    const backend = new ComfyUiTextToImage({ url: server.url, maxImageBytes: limit, retryDelayMs: 1 });
    await expect(backend.generate({ prompt: 'x' })).rejects.toMatchObject({
      name: 'ResponseTooLargeError',
      backend: 'comfyui',
      path: '/view',
      option: 'maxImageBytes',
      limit,
    });
    expect(await server.streamed[0]!.ended).toBe('client-closed');
    expect(server.streamed[0]!.bytesSent).toBeLessThan(10 * limit);
    const narrow = new ComfyUiTextToImage({ url: server.url, imageSizeLimits: { maxPixels: 100 } });
    await expect(narrow.generate({ prompt: 'x', width: 16, height: 16 })).rejects.toMatchObject({
      name: 'ImageTooLargeError',
      backend: 'comfyui',
      field: 'answer',
      width: 16,
      height: 16,
    });
  });

  it('retries a failing /view, gives up waiting after the generation timeout and cancels', async () => {
    await start();
    server.failNext('GET /view', { kind: 'status', status: 500, body: 'boom' });
    const images = await new ComfyUiTextToImage({ url: server.url, retryDelayMs: 1 }).generate({ prompt: 'x' });
    expect(images).toHaveLength(1);
    expect(server.requestsTo('GET /view')).toHaveLength(2);
    await server.close();

    await start({ hangExecution: true });
    const waiting = new ComfyUiTextToImage({ url: server.url, generationTimeoutMs: 300 });
    await expect(waiting.generate({ prompt: 'x' })).rejects.toThrow(/timed out after 300 ms waiting/);

    while (server.deleted.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    await server.close();

    // without the socket the backend polls /history only once the prompt is queued: abort then
    await start({ hangExecution: true, webSocket: false });
    const controller = new AbortController();
    const polling = new ComfyUiTextToImage({ url: server.url, pollIntervalMs: 5 });
    const pending = polling.generate({ prompt: 'x' }, { signal: controller.signal });
    while (server.requestsTo('GET /history').length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    while (server.deleted.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    const queued = server.requestsTo('POST /prompt').map((request) => request.body);
    expect(queued).toHaveLength(1);
    expect(server.deleted).toHaveLength(1);
  });
});
