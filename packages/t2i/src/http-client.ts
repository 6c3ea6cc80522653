import pRetry from 'p-retry';
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
}

/** Longest server message kept in an error, in characters. */
const messageLimit = 500;

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

  constructor(
    readonly backend: string,
    options: HttpBackendOptions,
  ) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 300_000;
    this.retries = options.retries ?? 2;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.headers = options.headers ?? {};
  }

  /** POSTs `body` as JSON (or GETs when body is undefined) and parses the JSON answer. */
  async json(url: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    const response = await this.request(url, body, signal, async (answer) => {
      const text = await answer.text();
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new TextToImageError(
          { backend: this.backend, url, status: answer.status, serverMessage: text.slice(0, messageLimit) },
          'answered with malformed JSON',
        );
      }
    });
    return response;
  }

  /** GETs a binary body. */
  bytes(url: string, signal?: AbortSignal): Promise<Uint8Array> {
    return this.request(url, undefined, signal, async (answer) => new Uint8Array(await answer.arrayBuffer()));
  }

  private request<T>(
    url: string,
    body: unknown,
    signal: AbortSignal | undefined,
    read: (response: Response) => Promise<T>,
  ): Promise<T> {
    const attempt = async (): Promise<T> => {
      const timeout = AbortSignal.timeout(this.timeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      try {
        const response = await this.fetch(url, {
          method: body === undefined ? 'GET' : 'POST',
          headers: body === undefined ? this.headers : { 'content-type': 'application/json', ...this.headers },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: combined,
        });
        if (!response.ok) {
          const text = await response.text();
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
        return await read(response);
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
