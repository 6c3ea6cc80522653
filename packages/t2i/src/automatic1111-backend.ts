import pLimit, { type LimitFunction } from 'p-limit';
import { decodeBase64Png } from './decode-images';
import { type HttpBackendOptions, HttpClient, joinUrl } from './http-client';
import type { GeneratedImage, GenerateOptions, GenerateRequest, TextToImage } from './text-to-image';
import { TextToImageError } from './text-to-image-error';

/** Settings of an AUTOMATIC1111 / Forge backend. */
export interface Automatic1111Options extends HttpBackendOptions {
  /** Server root, e.g. `http://127.0.0.1:7860`. */
  url: string;
  /** `sampler_name` sent with every request (default `Euler a`, the web UI's default). */
  sampler?: string;
  /** More txt2img fields (e.g. `scheduler`, `override_settings`), merged over the ones built from the request. */
  extra?: Record<string, unknown>;
}

/**
 * AUTOMATIC1111 / Forge web UI through `POST /sdapi/v1/txt2img`. A batch is one request (`batch_size` = n); the seeds
 * actually used come from the `info` JSON string of the answer.
 */
export class Automatic1111TextToImage implements TextToImage {
  readonly id: string;
  private readonly client: HttpClient;
  private readonly limit: LimitFunction;

  constructor(private readonly options: Automatic1111Options) {
    this.id = `a1111:${options.url}${options.sampler ? `#${options.sampler}` : ''}`;
    this.client = new HttpClient('a1111', options);
    this.limit = pLimit(options.concurrency ?? 1);
  }

  generate(request: GenerateRequest, options: GenerateOptions = {}): Promise<GeneratedImage[]> {
    return this.limit(() => this.render(request, options.signal));
  }

  private async render(request: GenerateRequest, signal: AbortSignal | undefined): Promise<GeneratedImage[]> {
    const url = joinUrl(this.options.url, '/sdapi/v1/txt2img');
    const count = request.n ?? 1;
    const body = {
      prompt: request.prompt,
      negative_prompt: request.negativePrompt ?? '',
      seed: request.seed ?? -1,
      steps: request.steps ?? 20,
      cfg_scale: request.guidance ?? 7,
      width: request.width ?? 512,
      height: request.height ?? 512,
      batch_size: count,
      n_iter: 1,
      sampler_name: this.options.sampler ?? 'Euler a',
      ...this.options.extra,
    };
    const answer = await this.client.json(url, body, signal);
    const context = { backend: 'a1111', url };
    if (typeof answer !== 'object' || answer === null || !Array.isArray((answer as { images?: unknown }).images)) {
      throw new TextToImageError(context, 'answer has no "images" list');
    }
    const { images, info: infoText } = answer as { images: unknown[]; info?: unknown };
    const info = parseInfo(infoText, context);
    // with a batch, the web UI may put a grid of all images first; info says where the images proper start
    const first = typeof info.index_of_first_image === 'number' ? info.index_of_first_image : 0;
    const wanted = images.slice(first, first + count);
    if (wanted.length < count) {
      throw new TextToImageError(context, `answer has ${wanted.length} images, ${count} were asked for`);
    }
    const seeds = Array.isArray(info.all_seeds) ? info.all_seeds : [];
    const infotexts = Array.isArray(info.infotexts) ? info.infotexts : [];
    return wanted.map((encoded, index) => {
      const field = `images[${first + index}]`;
      const image = decodeBase64Png(encoded, { ...context, field }, this.options.imageSizeLimits);
      const reported = seeds[index] ?? (typeof info.seed === 'number' ? info.seed + index : undefined);
      return {
        ...image,
        seed: typeof reported === 'number' ? reported : request.seed === undefined ? -1 : request.seed + index,
        metadata: {
          backend: 'a1111',
          sampler: info.sampler_name ?? body.sampler_name,
          model: info.sd_model_name,
          steps: info.steps ?? body.steps,
          guidance: info.cfg_scale ?? body.cfg_scale,
          infotext: infotexts[index],
        },
      };
    });
  }
}

/** `info` is a JSON document inside a string; older builds leave it out. */
function parseInfo(
  infoText: unknown,
  context: { backend: string; url: string },
): Record<string, unknown> & {
  all_seeds?: unknown;
  infotexts?: unknown;
  seed?: unknown;
  index_of_first_image?: unknown;
} {
  if (infoText === undefined || infoText === null || infoText === '') return {};
  if (typeof infoText !== 'string') throw new TextToImageError(context, 'answer field "info" is not a string');
  try {
    const info = JSON.parse(infoText) as unknown;
    if (typeof info === 'object' && info !== null && !Array.isArray(info)) return info as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new TextToImageError(
    { ...context, serverMessage: infoText.slice(0, 200) },
    'answer field "info" is not a JSON object',
  );
}
