/**
 * A failed render, with the backend's name, the URL it called and what the server said. `retryable` marks failures
 * that another attempt may fix: network errors, timeouts, HTTP 5xx and 429.
 */
export class TextToImageError extends Error {
  override readonly name: string = 'TextToImageError';
  /** Backend name, e.g. `a1111`. */
  readonly backend: string;
  /** The URL of the failed request. */
  readonly url: string;
  /** HTTP status, when the server answered. */
  readonly status: number | undefined;
  /** The server's own message (its JSON `error`/`detail`/`message`, or the start of its body). */
  readonly serverMessage: string | undefined;
  readonly retryable: boolean;

  constructor(
    details: { backend: string; url: string; status?: number; serverMessage?: string; retryable?: boolean },
    problem: string,
    options?: { cause?: unknown },
  ) {
    const status = details.status === undefined ? '' : ` HTTP ${details.status}`;
    const server = details.serverMessage ? `: ${details.serverMessage}` : '';
    super(`${details.backend} backend at ${details.url}:${status} ${problem}${server}`, options);
    this.backend = details.backend;
    this.url = details.url;
    this.status = details.status;
    this.serverMessage = details.serverMessage;
    this.retryable = details.retryable ?? false;
  }
}
