import { FakeServer } from './fake-server';
import { testPng } from './test-png';

/** Settings of the fake OpenAI images server. */
export interface FakeOpenAiImagesOptions {
  /** Require `Authorization: Bearer <apiKey>`; otherwise answer 401 as the API does. */
  apiKey?: string;
  /** Answer with `url` entries instead of `b64_json`, as servers that ignore `response_format` do. */
  answerWithUrls?: boolean;
}

/**
 * Fake OpenAI-compatible images API under `/v1`: `POST /v1/images/generations` answers `{created, data: [{b64_json,
 * revised_prompt}]}` with real PNGs of the requested `size`.
 */
export class FakeOpenAiImagesServer extends FakeServer {
  private readonly files = new Map<string, Uint8Array>();

  constructor(options: FakeOpenAiImagesOptions = {}) {
    super();
    this.route('POST', '/v1/images/generations', (request) => {
      if (options.apiKey && request.headers.authorization !== `Bearer ${options.apiKey}`) {
        return {
          status: 401,
          json: {
            error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' },
          },
        };
      }
      const body = request.body as Record<string, unknown> | undefined;
      if (typeof body?.prompt !== 'string' || body.prompt === '') {
        return {
          status: 400,
          json: { error: { message: "Missing required parameter: 'prompt'.", type: 'invalid_request_error' } },
        };
      }
      const match = /^(\d+)x(\d+)$/.exec(String(body.size ?? '1024x1024'));
      if (!match) {
        return {
          status: 400,
          json: { error: { message: `Invalid size ${String(body.size)}`, type: 'invalid_request_error' } },
        };
      }
      const [width, height] = [Number(match[1]), Number(match[2])];
      const count = Number(body.n ?? 1);
      const data = Array.from({ length: count }, (_, index) => {
        const png = testPng(width, height, index + 1);
        if (options.answerWithUrls) {
          const name = `${this.files.size}.png`;
          this.files.set(name, png);
          return { url: `${this.url}/files/${name}` };
        }
        return { b64_json: Buffer.from(png).toString('base64'), revised_prompt: `${body.prompt}, revised` };
      });
      return { json: { created: 1_700_000_000, data } };
    });
    this.route('GET', '/files/', (_request, url) => {
      const file = this.files.get(url.pathname.slice('/files/'.length));
      return file ? { bytes: file } : { status: 404, json: { error: 'no such file' } };
    });
  }
}
