import { FakeServer } from './fake-server';
import { testPng } from './test-png';

/** Settings of the fake AUTOMATIC1111 server. */
export interface FakeAutomatic1111Options {
  /** Seed used when a request sends -1 (default 1234). */
  randomSeed?: number;
  /** Put a grid image before the batch, as the web UI does with "return grid" on (default false). */
  grid?: boolean;
}

/**
 * Fake AUTOMATIC1111 web UI: `POST /sdapi/v1/txt2img` answers `{images, parameters, info}` with real PNGs of the
 * requested size, seeds seed..seed + batch_size − 1, and `info` as a JSON string, as the real API does.
 */
export class FakeAutomatic1111Server extends FakeServer {
  constructor(options: FakeAutomatic1111Options = {}) {
    super();
    this.route('POST', '/sdapi/v1/txt2img', (request) => {
      const body = request.body as Record<string, unknown> | undefined;
      if (typeof body?.prompt !== 'string') {
        return {
          status: 422,
          json: { detail: [{ loc: ['body', 'prompt'], msg: 'field required', type: 'value_error.missing' }] },
        };
      }
      const width = Number(body.width ?? 512);
      const height = Number(body.height ?? 512);
      const batch = Number(body.batch_size ?? 1);
      const seed = Number(body.seed ?? -1) === -1 ? (options.randomSeed ?? 1234) : Number(body.seed);
      const seeds = Array.from({ length: batch }, (_, index) => seed + index);
      const images = seeds.map((value) => Buffer.from(testPng(width, height, value)).toString('base64'));
      const grid = options.grid && batch > 1;
      if (grid) images.unshift(Buffer.from(testPng(width * batch, height, 0)).toString('base64'));
      const info = {
        prompt: body.prompt,
        all_prompts: seeds.map(() => body.prompt),
        negative_prompt: body.negative_prompt ?? '',
        seed,
        all_seeds: seeds,
        subseed: 42,
        width,
        height,
        sampler_name: body.sampler_name ?? 'Euler a',
        cfg_scale: body.cfg_scale ?? 7,
        steps: body.steps ?? 20,
        batch_size: batch,
        sd_model_name: 'v1-5-pruned-emaonly',
        sd_model_hash: '6ce0161689',
        index_of_first_image: grid ? 1 : 0,
        infotexts: seeds.map((value) => `${String(body.prompt)}\nSteps: ${body.steps ?? 20}, Seed: ${value}`),
      };
      return { json: { images, parameters: body, info: JSON.stringify(info) } };
    });
  }
}
