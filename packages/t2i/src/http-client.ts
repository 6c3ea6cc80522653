import pRetry from 'p-retry';
import type { ImageSizeLimits } from './png-size-limits';
import { ResponseTooLargeError, readBodyUpTo } from './response-size-limit';
import { TextToImageError } from './text-to-image-error';

/** Transport settings shared by the HTTP backends. */
export interface HttpBackendOptions {
  /** The fetch to use (default: the global one); inject one for tests, proxies or auth. */
  fetch?: typeof fetch;
  /** Per-request timeout in milliseconds (default 300000: a large image can take minutes on a slow GPU). */
  timeoutMs?: number;
  /** Retries after a network error, timeout, HTTP 5xx or 429 (default 2). Other 4xx answers are never retried. */
  retries?: number;
  /** First back-off delay in milliseconds, doubled after each retry (default 1000). */
  retryDelayMs?: number;
  /** Most `generate` calls in flight at once on this backend (default 1: image servers work one job at a time). */
  concurrency?: number;
  /** Extra headers on every request (e.g. `Authorization`). */
  headers?: Record<string, string>;
  /**
   * Largest JSON answer in bytes (default 64 MiB: a batch of base64 PNGs, which grow by a third in base64). Checked
   * against Content-Length and while reading; a larger answer is dropped with a {@link ResponseTooLargeError}.
   */
  maxResponseBytes?: number;
  /** Largest downloaded image in bytes (default 32 MiB, beyond any PNG an SD-class model renders), as above. */
  maxImageBytes?: number;
  /** Largest image size accepted, read from each PNG's header before it is returned (defaults: 16384², 2^28 px). */
  imageSizeLimits?: ImageSizeLimits;
}

/** Longest server message kept in an error, in characters. */
const messageLimit = 500;

/** Most bytes of an error answer read: enough for any server message, and the message is cut to 500 anyway. */
const errorBodyLimit = 64 * 1024;

/** A size limit on answers and the option that sets it, for the error message. */
interface BodyLimit {
  bytes: number;
  option: 'maxResponseBytes' | 'maxImageBytes';
}

/**
 * Requests against one server with timeouts, cancellation and retries; every failure becomes a TextToImageError
 * naming the backend, the URL and the server's message. Cancellation rethrows the signal's reason untouched.
 */
export class HttpClient {
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly headers: Record<string, string>;
  private readonly jsonLimit: BodyLimit;
  private readonly imageLimit: BodyLimit;

  constructor(
    readonly backend: string,
    options: HttpBackendOptions,
  ) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 300_000;
    this.retries = options.retries ?? 2;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.headers = options.headers ?? {};
    this.jsonLimit = { bytes: options.maxResponseBytes ?? 64 * 2 ** 20, option: 'maxResponseBytes' };
    this.imageLimit = { bytes: options.maxImageBytes ?? 32 * 2 ** 20, option: 'maxImageBytes' };
  }

  /** POSTs `body` as JSON (or GETs when body is undefined) and parses the JSON answer, of at most maxResponseBytes. */
  async json(url: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    const answer = await this.request(url, body, signal, this.jsonLimit);
    const text = new TextDecoder().decode(answer.bytes);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new TextToImageError(
        { backend: this.backend, url, status: answer.status, serverMessage: text.slice(0, messageLimit) },
        'answered with malformed JSON',
      );
    }
  }

  /** GETs a binary body of at most maxImageBytes. */
  async bytes(url: string, signal?: AbortSignal): Promise<Uint8Array> {
    return (await this.request(url, undefined, signal, this.imageLimit)).bytes;
  }

  private request(
    url: string,
    body: unknown,
    signal: AbortSignal | undefined,
    limit: BodyLimit,
  ): Promise<{ bytes: Uint8Array; status: number }> {
    const attempt = async (): Promise<{ bytes: Uint8Array; status: number }> => {
      const timeout = AbortSignal.timeout(this.timeoutMs);
      // aborted when an answer is too large, so that the connection is dropped instead of drained
      const drop = new AbortController();
      const combined = AbortSignal.any(signal ? [signal, timeout, drop.signal] : [timeout, drop.signal]);
      try {
        const response = await this.fetch(url, {
          method: body === undefined ? 'GET' : 'POST',
          headers: body === undefined ? this.headers : { 'content-type': 'application/json', ...this.headers },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: combined,
        });
        if (!response.ok) {
          const { bytes, truncated } = await readBodyUpTo(response, errorBodyLimit);
          if (truncated) drop.abort();
          const text = new TextDecoder().decode(bytes);
          throw new TextToImageError(
            {
              backend: this.backend,
              url,
              status: response.status,
              serverMessage: serverMessage(text),
              retryable: response.status >= 500 || response.status === 429,
            },
            'request failed',
          );
        }
        const context = { backend: this.backend, url, status: response.status };
        const declared = response.headers.get('content-length');
        if (declared !== null && Number(declared) > limit.bytes) {
          drop.abort();
          throw new ResponseTooLargeError(context, limit, `Content-Length ${declared}`);
        }
        const { bytes, truncated } = await readBodyUpTo(response, limit.bytes);
        if (truncated) {
          drop.abort();
          throw new ResponseTooLargeError(context, limit, `stopped reading at ${limit.bytes} bytes`);
        }
        return { bytes, status: response.status };
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (error instanceof TextToImageError) throw error;
        if (timeout.aborted) {
          throw new TextToImageError(
            { backend: this.backend, url, retryable: true },
            `timed out after ${this.timeoutMs} ms`,
            { cause: error },
          );
        }
        const cause = (error as { cause?: { message?: string } }).cause?.message;
        throw new TextToImageError(
          { backend: this.backend, url, retryable: true },
          `network error: ${(error as Error).message}${cause ? ` (${cause})` : ''}`,
          { cause: error },
        );
      }
    };
    return pRetry(attempt, {
      retries: this.retries,
      minTimeout: this.retryDelayMs,
      factor: 2,
      randomize: false,
      signal,
      shouldRetry: ({ error }) => error instanceof TextToImageError && error.retryable,
    });
  }
}

/** The message a server put in its error body: JSON `error`, `error.message`, `detail` or `message`, else the text. */
export function serverMessage(text: string): string {
  try {
    const json = JSON.parse(text) as unknown;
    if (typeof json === 'object' && json !== null) {
      const record = json as Record<string, unknown>;
      const error = record.error;
      const parts: string[] = [];
      if (typeof error === 'string') parts.push(error);
      else if (typeof error === 'object' && error !== null) {
        const message = (error as Record<string, unknown>).message;
        if (typeof message === 'string') parts.push(message);
      }
      for (const key of ['detail', 'message', 'errors']) {
        const value = record[key];
        if (typeof value === 'string' && value && !parts.includes(value)) parts.push(value);
      }
      if (parts.length > 0) return parts.join(' — ').slice(0, messageLimit);
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.trim().slice(0, messageLimit);
}

/** Joins a base URL and a path without doubling or dropping slashes. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
