import { TextToImageError } from './text-to-image-error';

/** A server answer larger than the backend allows; names the backend, the URL path, the option and its limit. */
export class ResponseTooLargeError extends TextToImageError {
  override readonly name: string = 'ResponseTooLargeError';
  /** Path of the request's URL, e.g. `/sdapi/v1/txt2img`. */
  readonly path: string;
  /** The limit in bytes. */
  readonly limit: number;
  /** The option that sets the limit: `maxResponseBytes` (JSON answers) or `maxImageBytes` (image downloads). */
  readonly option: 'maxResponseBytes' | 'maxImageBytes';

  constructor(
    context: { backend: string; url: string; status: number },
    limit: { bytes: number; option: 'maxResponseBytes' | 'maxImageBytes' },
    seen: string,
  ) {
    const path = new URL(context.url).pathname;
    super(context, `answer to ${path} is larger than ${limit.option} = ${limit.bytes} bytes (${seen})`);
    this.path = path;
    this.limit = limit.bytes;
    this.option = limit.option;
  }
}

/**
 * Reads a response body, keeping at most `limit` bytes: as soon as more arrive it cancels the stream, so a server
 * that never stops sending costs at most `limit` plus one chunk of memory.
 * @returns the bytes read and whether the body went past `limit` (then `bytes` holds its first `limit` bytes)
 */
export async function readBodyUpTo(
  response: Response,
  limit: number,
): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  if (!response.body) return { bytes: new Uint8Array(), truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (length + value.length > limit) {
      chunks.push(value.subarray(0, limit - length));
      length = limit;
      truncated = true;
      // the rest of the body is not wanted; a failed cancel only means the connection is already gone
      reader.cancel().catch(() => undefined);
      break;
    }
    chunks.push(value);
    length += value.length;
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return { bytes, truncated };
}
