import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpClient, joinUrl, serverMessage } from './http-client';
import { ResponseTooLargeError } from './response-size-limit';
import { FakeServer } from './testing/index';
import { TextToImageError } from './text-to-image-error';

class EchoServer extends FakeServer {
  constructor() {
    super();
    this.route('POST', '/echo', (request) => ({ json: { received: request.body } }));
  }
}

let server: EchoServer;
beforeEach(async () => {
  server = await new EchoServer().start();
});
afterEach(() => server.close());

const client = (options = {}) => new HttpClient('test', { retryDelayMs: 1, ...options });

describe('HttpClient', () => {
  it('posts JSON and parses the answer', async () => {
    expect(await client().json(`${server.url}/echo`, { a: 1 })).toEqual({ received: { a: 1 } });
    expect(server.requests[0]!.headers['content-type']).toBe('application/json');
  });

  it('retries 5xx, 429 and dropped connections, then succeeds', async () => {
    server
      .failNext('POST /echo', { kind: 'status', status: 503, body: { error: 'busy' } })
      .failNext('POST /echo', { kind: 'status', status: 429, body: { error: 'slow down' } })
      .failNext('POST /echo', { kind: 'reset' });
    expect(await client({ retries: 3 }).json(`${server.url}/echo`, { a: 2 })).toEqual({ received: { a: 2 } });
    expect(server.requestsTo('POST /echo')).toHaveLength(4);
  });

  it('gives up after the retries with the backend, URL, status and server message', async () => {
    server.failNext('POST /echo', { kind: 'status', status: 500, body: { error: 'CUDA out of memory' } }, 5);
    const failure = client({ retries: 2 }).json(`${server.url}/echo`, {});
    await expect(failure).rejects.toThrow(TextToImageError);
    await expect(failure).rejects.toThrow(
      `test backend at ${server.url}/echo: HTTP 500 request failed: CUDA out of memory`,
    );
    expect(server.requestsTo('POST /echo')).toHaveLength(3);
  });

  it('never retries other 4xx answers', async () => {
    server.failNext('POST /echo', { kind: 'status', status: 422, body: { detail: 'field required' } }, 5);
    const error = await client({ retries: 4 })
      .json(`${server.url}/echo`, {})
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TextToImageError);
    expect((error as TextToImageError).status).toBe(422);
    expect((error as TextToImageError).serverMessage).toBe('field required');
    expect(server.requestsTo('POST /echo')).toHaveLength(1);
  });

  it('reports a malformed JSON answer with its start', async () => {
    server.failNext('POST /echo', { kind: 'malformed-json' });
    await expect(client().json(`${server.url}/echo`, {})).rejects.toThrow(/malformed JSON: \{"images": \["iVBOR/);
  });

  it('times out a hanging server, retrying the timeout', async () => {
    server.failNext('POST /echo', { kind: 'hang' }, 2);
    await expect(client({ timeoutMs: 400, retries: 1 }).json(`${server.url}/echo`, {})).rejects.toThrow(
      /timed out after 400 ms/,
    );
    expect(server.requestsTo('POST /echo')).toHaveLength(2);
  });

  it('rejects with the abort reason when cancelled, without retrying', async () => {
    server.failNext('POST /echo', { kind: 'hang' }, 5);
    const controller = new AbortController();
    const pending = client({ retries: 3 }).json(`${server.url}/echo`, {}, controller.signal);
    while (server.requestsTo('POST /echo').length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(server.requestsTo('POST /echo')).toHaveLength(1);
  });

  it('names the network failure when nothing listens', async () => {
    const closed = server.url;
    await server.close();
    server = await new EchoServer().start();
    await expect(client({ retries: 0 }).json(`${closed}/echo`, {})).rejects.toThrow(/network error: fetch failed/);
  });

  it('uses the injected fetch and headers', async () => {
    const seen: string[] = [];
    const fetcher: typeof fetch = (input, init) => {
      seen.push(String(input));
      return fetch(input, init);
    };
    await client({ fetch: fetcher, headers: { 'x-token': 't' } }).json(`${server.url}/echo`, {});
    expect(seen).toEqual([`${server.url}/echo`]);
    expect(server.requests[0]!.headers['x-token']).toBe('t');
  });
});

describe('HttpClient response size limits', () => {
  const limit = 1024 * 1024;

  it('refuses a JSON answer whose Content-Length is over maxResponseBytes, and drops the connection', async () => {
    server.failNext('POST /echo', { kind: 'declared-length', contentLength: 2 * 1024 ** 3 }, 3);
    const error = await client({ maxResponseBytes: limit })
      .json(`${server.url}/echo`, {})
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error).toMatchObject({ backend: 'test', path: '/echo', limit, option: 'maxResponseBytes' });
    expect((error as Error).message).toBe(
      `test backend at ${server.url}/echo: HTTP 200 answer to /echo is larger than maxResponseBytes = 1048576 ` +
        'bytes (Content-Length 2147483648)',
    );
    expect(await server.streamed[0]!.ended).toBe('client-closed');
    // too large is not a transient failure: no retry
    expect(server.requestsTo('POST /echo')).toHaveLength(1);
  });

  it('stops reading a never-ending chunked answer at the limit, long before the server is done', async () => {
    server.failNext('POST /echo', { kind: 'endless', stopAfterBytes: 10 * limit });
    const error = await client({ maxResponseBytes: limit })
      .json(`${server.url}/echo`, {})
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as Error).message).toContain('answer to /echo is larger than maxResponseBytes = 1048576 bytes');
    expect(await server.streamed[0]!.ended).toBe('client-closed');
    expect(server.streamed[0]!.bytesSent).toBeLessThan(10 * limit);
  });

  it('applies maxImageBytes to downloads, both ways', async () => {
    server
      .failNext('GET /blob', { kind: 'declared-length', contentLength: 40 * 1024 ** 2, contentType: 'image/png' })
      .failNext('GET /blob', { kind: 'endless', stopAfterBytes: 10 * limit, contentType: 'image/png' });
    for (let index = 0; index < 2; index++) {
      const error = await client({ maxImageBytes: limit, retries: 0 })
        .bytes(`${server.url}/blob?filename=a.png`)
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'ResponseTooLargeError', path: '/blob', option: 'maxImageBytes' });
      expect(await server.streamed[index]!.ended).toBe('client-closed');
      expect(server.streamed[index]!.bytesSent).toBeLessThan(10 * limit);
    }
  });

  it('keeps an answer of exactly the limit, and uses 64 MiB for JSON and 32 MiB for images by default', async () => {
    const exact = JSON.stringify({ received: { text: 'x'.repeat(100) } });
    const answer = await client({ maxResponseBytes: Buffer.byteLength(exact) }).json(`${server.url}/echo`, {
      text: 'x'.repeat(100),
    });
    expect(answer).toEqual({ received: { text: 'x'.repeat(100) } });
    server
      .failNext('POST /echo', { kind: 'declared-length', contentLength: 64 * 2 ** 20 + 1 })
      .failNext('GET /blob', { kind: 'declared-length', contentLength: 32 * 2 ** 20 + 1 });
    await expect(client().json(`${server.url}/echo`, {})).rejects.toMatchObject({ limit: 64 * 2 ** 20 });
    await expect(client().bytes(`${server.url}/blob`)).rejects.toMatchObject({ limit: 32 * 2 ** 20 });
  });

  it('reads at most 64 KiB of an error answer and still reports its status', async () => {
    server.failNext('POST /echo', { kind: 'status', status: 422, body: 'x'.repeat(1024 * 1024) });
    const error = await client({ retries: 0 })
      .json(`${server.url}/echo`, {})
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'TextToImageError', status: 422 });
    expect((error as TextToImageError).serverMessage).toBe('x'.repeat(500));
  });
});

describe('serverMessage', () => {
  it('finds the message in the error shapes of A1111, OpenAI and ComfyUI', () => {
    expect(serverMessage('{"error":"OutOfMemoryError","detail":"","body":"","errors":"CUDA out of memory"}')).toBe(
      'OutOfMemoryError — CUDA out of memory',
    );
    expect(serverMessage('{"error":{"message":"Invalid size","type":"invalid_request_error"}}')).toBe('Invalid size');
    expect(serverMessage('{"error":{"type":"invalid_prompt","message":"Cannot execute"},"node_errors":{}}')).toBe(
      'Cannot execute',
    );
    expect(serverMessage('  Internal Server Error\n')).toBe('Internal Server Error');
    expect(serverMessage('x'.repeat(2000))).toHaveLength(500);
  });
});

describe('joinUrl', () => {
  it('joins without doubled or missing slashes', () => {
    expect(joinUrl('http://h:1/', '/a')).toBe('http://h:1/a');
    expect(joinUrl('http://h:1/v1', 'images')).toBe('http://h:1/v1/images');
  });
});
