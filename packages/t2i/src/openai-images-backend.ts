import pLimit, { type LimitFunction } from 'p-limit';
import { decodeBase64Png } from './decode-images';
import { type HttpBackendOptions, HttpClient, joinUrl } from './http-client';
import { checkPngSize } from './png-size-limits';
import type { GeneratedImage, GenerateOptions, GenerateRequest, TextToImage } from './text-to-image';
import { TextToImageError } from './text-to-image-error';

/** Settings of an OpenAI-compatible images backend. */
export interface OpenAiImagesOptions extends HttpBackendOptions {
  /** API root including the version, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:8080/v1`. */
  url: string;
  /** `model` field (omitted when unset: the server's default). */
  model?: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** More request fields (`quality`, `style`, `seed` for servers that take one, ...), merged over the built ones. */
  extra?: Record<string, unknown>;
}

/**
 * OpenAI-compatible `POST /images/generations` with `response_format: b64_json`. The API has no seed, negative prompt,
 * steps or guidance, so those request fields are ignored and the reported seed is -1 (unknown).
 */
export class OpenAiImagesTextToImage implements TextToImage {
  readonly id: string;
  private readonly client: HttpClient;
  /** Image URLs may point at another host (a CDN): fetch them without the API key and extra headers. */
  private readonly downloads: HttpClient;
  private readonly limit: LimitFunction;

  constructor(private readonly options: OpenAiImagesOptions) {
    this.id = `openai:${options.url}${options.model ? `#${options.model}` : ''}`;
    const headers = { ...options.headers };
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
    this.client = new HttpClient('openai', { ...options, headers });
    this.downloads = new HttpClient('openai', { ...options, headers: {} });
    this.limit = pLimit(options.concurrency ?? 1);
  }

  generate(request: GenerateRequest, options: GenerateOptions = {}): Promise<GeneratedImage[]> {
    return this.limit(() => this.render(request, options.signal));
  }

  private async render(request: GenerateRequest, signal: AbortSignal | undefined): Promise<GeneratedImage[]> {
    const url = joinUrl(this.options.url, '/images/generations');
    const count = request.n ?? 1;
    const body: Record<string, unknown> = {
      prompt: request.prompt,
      n: count,
      size: `${request.width ?? 1024}x${request.height ?? 1024}`,
      response_format: 'b64_json',
      ...(this.options.model ? { model: this.options.model } : {}),
      ...this.options.extra,
    };
    const answer = await this.client.json(url, body, signal);
    const context = { backend: 'openai', url };
    const data = (answer as { data?: unknown } | null)?.data;
    if (!Array.isArray(data)) throw new TextToImageError(context, 'answer has no "data" list');
    if (data.length < count) {
      throw new TextToImageError(context, `answer has ${data.length} images, ${count} were asked for`);
    }
    const created = (answer as { created?: unknown }).created;
    return Promise.all(
      data.slice(0, count).map(async (item: unknown, index) => {
        const entry = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
        const image =
          typeof entry.b64_json === 'string'
            ? decodeBase64Png(
                entry.b64_json,
                { ...context, field: `data[${index}].b64_json` },
                this.options.imageSizeLimits,
              )
            : await this.download(entry.url, `data[${index}]`, signal);
        return {
          ...image,
          seed: -1,
          metadata: {
            backend: 'openai',
            model: this.options.model,
            created,
            revisedPrompt: entry.revised_prompt,
          },
        };
      }),
    );
  }

  /** Servers that ignore `response_format` answer with URLs; fetch those. */
  private async download(
    imageUrl: unknown,
    field: string,
    signal: AbortSignal | undefined,
  ): Promise<{ png: Uint8Array; width: number; height: number }> {
    const context = { backend: 'openai', url: joinUrl(this.options.url, '/images/generations') };
    if (typeof imageUrl !== 'string')
      throw new TextToImageError(context, `answer ${field} has neither b64_json nor url`);
    const png = await this.downloads.bytes(imageUrl, signal);
    const size = checkPngSize(png, this.options.imageSizeLimits, {
      backend: 'openai',
      url: imageUrl,
      field: `${field}.url`,
    });
    return { png, ...size };
  }
}
