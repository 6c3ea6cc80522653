import { RewardError } from './errors';

/** Inputs a reward needs beyond the three prompts; callers render images only when some reward needs `'image'`. */
export type RewardNeed = 'image' | 'original';

/** Decoded pixels: `pixels` holds `width * height * 3` bytes, RGB, row-major, top row first. */
export interface RgbImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/** An encoded PNG file, as read from disk or returned by a text-to-image server. */
export interface PngImage {
  png: Uint8Array;
}

/** An image rendered from a record's target prompt. */
export type RewardImage = RgbImage | PngImage;

/** One thing to score: an edit of `source` by `instruction` into `target`. */
export interface RewardRecord {
  /** The prompt before the edit. */
  source: string;
  /** The user's instruction; may be empty (plain beautification). */
  instruction: string;
  /** The prompt being scored. */
  target: string;
  /** Images rendered from `target` (several seeds are averaged by image rewards); required by `needs: ['image']`. */
  images?: RewardImage[];
  /** The user's own plain text, for rewards that score against it; required by `needs: ['original']`. */
  original?: string;
}

/**
 * A reward's verdict on one record. `Details` is the shape of `details` when the reward declares it (a composition's
 * is `CompositeDetails`); by default any record of values.
 */
export interface RewardResult<Details extends object = Record<string, unknown>> {
  /** A finite number; higher is better. */
  value: number;
  /** Whatever explains the value (missing keywords, per-component values...), for logs and reports. */
  details: Details;
}

/** A named, batched, asynchronous scorer of records; `Details` types its results' `details`. */
export interface Reward<Details extends object = Record<string, unknown>> {
  readonly name: string;
  /** What each record must carry besides its prompts. */
  readonly needs: readonly RewardNeed[];
  /** Scores a batch; the i-th result belongs to the i-th record. */
  score(records: readonly RewardRecord[]): Promise<RewardResult<Details>[]>;
}

/** What {@link defineReward} turns into a checked {@link Reward}; `Details` is inferred from what `score` returns. */
export interface RewardDefinition<Details extends object = Record<string, unknown>> {
  name: string;
  needs?: readonly RewardNeed[];
  /** Receives records that are already validated; may return synchronously. */
  score(records: readonly RewardRecord[]): Promise<RewardResult<Details>[]> | RewardResult<Details>[];
}

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function checkPrompt(value: unknown, field: string, allowEmpty: boolean): void {
  if (typeof value !== 'string') throw new RewardError(field, `expected a string, got ${describe(value)}`);
  if (!allowEmpty && value.trim() === '') throw new RewardError(field, 'the prompt is empty');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/**
 * Checks one image: PNG bytes with the PNG signature, or RGB pixels whose byte count is `width * height * 3`.
 *
 * @throws {@link RewardError} naming `field` (e.g. `records[2].images[0].pixels`) and what is wrong.
 */
export function validateImage(image: unknown, field: string): asserts image is RewardImage {
  if (typeof image !== 'object' || image === null) {
    throw new RewardError(field, `expected { width, height, pixels } or { png }, got ${describe(image)}`);
  }
  if ('png' in image) {
    const { png } = image as PngImage;
    if (!(png instanceof Uint8Array)) throw new RewardError(`${field}.png`, 'expected a Uint8Array of PNG bytes');
    if (png.length < pngSignature.length || pngSignature.some((byte, index) => png[index] !== byte)) {
      throw new RewardError(`${field}.png`, 'not a PNG file (the 8-byte PNG signature is missing)');
    }
    return;
  }
  const { width, height, pixels } = image as Partial<RgbImage>;
  for (const [name, size] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0) {
      throw new RewardError(`${field}.${name}`, `expected a positive integer, got ${String(size)}`);
    }
  }
  if (!(pixels instanceof Uint8Array)) {
    throw new RewardError(`${field}.pixels`, 'expected a Uint8Array of RGB bytes (or give { png } instead)');
  }
  const expected = width! * height! * 3;
  if (pixels.length !== expected) {
    const channels = pixels.length / (width! * height!);
    const hint = Number.isInteger(channels) ? ` (that is ${channels} channels per pixel; rewards take 3, RGB)` : '';
    throw new RewardError(
      `${field}.pixels`,
      `expected ${width}x${height}x3 = ${expected} bytes, got ${pixels.length}${hint}`,
    );
  }
}

/**
 * Checks a batch before scoring: prompts are strings, source and target are not empty, and what `needs` asks for is
 * there and well formed. Errors name the record and field, e.g. `records[2].images[0].pixels`.
 *
 * @throws {@link RewardError} on the first problem found.
 */
export function validateRecords(
  records: unknown,
  needs: readonly RewardNeed[] = [],
): asserts records is RewardRecord[] {
  if (!Array.isArray(records))
    throw new RewardError('records', `expected an array of records, got ${describe(records)}`);
  records.forEach((record: unknown, index) => {
    const field = `records[${index}]`;
    if (typeof record !== 'object' || record === null) {
      throw new RewardError(field, `expected { source, instruction, target }, got ${describe(record)}`);
    }
    const { source, instruction, target, images, original } = record as Partial<RewardRecord>;
    checkPrompt(source, `${field}.source`, false);
    checkPrompt(instruction ?? '', `${field}.instruction`, true);
    checkPrompt(target, `${field}.target`, false);
    if (needs.includes('original') || original !== undefined) checkPrompt(original, `${field}.original`, false);
    if (needs.includes('image') || images !== undefined) {
      if (!Array.isArray(images) || images.length === 0) {
        throw new RewardError(`${field}.images`, 'this reward needs at least one image rendered from the target');
      }
      images.forEach((image, imageIndex) => {
        validateImage(image, `${field}.images[${imageIndex}]`);
      });
    }
  });
}

/** Checks a reward's output: one result per record, each value a finite number. */
export function checkResults(results: unknown, count: number, rewardName: string): asserts results is RewardResult[] {
  if (!Array.isArray(results) || results.length !== count) {
    throw new RewardError(
      rewardName,
      `reward "${rewardName}" returned ${Array.isArray(results) ? results.length : describe(results)} results for ${count} records`,
    );
  }
  results.forEach((result: Partial<RewardResult> | undefined, index) => {
    const value = result?.value;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new RewardError(
        `records[${index}]`,
        `reward "${rewardName}" produced ${String(value)}, not a finite number`,
      );
    }
  });
}

/**
 * Builds a {@link Reward} from a scoring function, adding the checks every reward owes its callers: the batch is
 * validated against `needs` before scoring, and every value must come back finite.
 */
export function defineReward<Details extends object = Record<string, unknown>>(
  definition: RewardDefinition<Details>,
): Reward<Details> {
  if (typeof definition?.name !== 'string' || definition.name.trim() === '') {
    throw new RewardError('name', 'a reward needs a non-empty name');
  }
  if (typeof definition.score !== 'function') throw new RewardError(`${definition.name}.score`, 'expected a function');
  const needs = Object.freeze([...(definition.needs ?? [])]);
  const { name } = definition;
  return {
    name,
    needs,
    async score(records) {
      validateRecords(records, needs);
      const results = await definition.score(records);
      checkResults(results, records.length, name);
      return results;
    },
  };
}
