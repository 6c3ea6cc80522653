import { createHash } from 'node:crypto';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';
import { z } from 'zod';
import { ConfigError } from './errors';
import { validate } from './validation';

/**
 * Everything needed to continue a stream bit-for-bit, as plain JSON (store it in a checkpoint).
 * `words` are the four signed 32-bit words of the xoroshiro128+ state; `key` identifies the stream
 * and is what `fork` derives child streams from.
 */
export const rngStateSchema = z.strictObject({
  algorithm: z.literal('xoroshiro128plus'),
  key: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits'),
  words: z.tuple([z.int32(), z.int32(), z.int32(), z.int32()]),
});

/** Saved state of an {@link Rng}; see {@link rngStateSchema}. */
export type RngState = z.output<typeof rngStateSchema>;

/** A seed: a safe integer or any string (`42` and `'42'` give the same stream). */
export type RngSeed = number | string;

/**
 * A seeded, deterministic random number generator with independent child streams and a state
 * that can be saved and restored exactly. Not for cryptography.
 */
export interface Rng {
  /** Identity of this stream (64 hex digits); children are derived from it. */
  readonly key: string;
  /** A float in [0, 1), a multiple of 2^-53. Consumes two 32-bit draws. */
  next(): number;
  /** A uniform 32-bit unsigned integer. */
  uint32(): number;
  /** A uniform integer in [min, max], both ends included; both must be safe integers with min <= max. */
  int(min: number, max: number): number;
  /** A normal draw with the given mean (default 0) and standard deviation (default 1), by Box–Muller. */
  normal(mean?: number, standardDeviation?: number): number;
  /** A uniformly shuffled copy of `items` (Fisher–Yates); the input is not changed. */
  shuffle<Item>(items: readonly Item[]): Item[];
  /** A uniformly chosen element; `items` must not be empty. */
  choice<Item>(items: readonly Item[]): Item;
  /**
   * An element chosen with probability proportional to its weight. Weights: finite, >= 0, one per
   * item, not all zero; items of weight 0 are never chosen.
   */
  weightedChoice<Item>(items: readonly Item[], weights: readonly number[]): Item;
  /**
   * A named child stream: the same parent key and label always give the same stream, whatever has
   * been drawn from the parent, and different labels give independent streams. Does not advance
   * the parent. Use it for fixed roles (`fork('shuffle')`, `fork('dropout')`).
   */
  fork(label: string): Rng;
  /**
   * A fresh independent child stream taken from the parent's current position; advances the
   * parent (by four 32-bit draws), so successive calls give different children.
   */
  split(): Rng;
  /** The full state, as JSON-ready data. */
  state(): RngState;
  /** Continues from a state saved by {@link Rng.state} (of this or any stream). */
  restore(state: RngState): void;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The 128-bit generator state of a stream key: the first 16 bytes of SHA-256(key + "/state") as four int32. */
function wordsOfKey(key: string): RngState['words'] {
  const digest = createHash('sha256').update(`${key}/state`).digest();
  const words: RngState['words'] = [
    digest.readInt32BE(0),
    digest.readInt32BE(4),
    digest.readInt32BE(8),
    digest.readInt32BE(12),
  ];
  // xoroshiro128+ is stuck at zero from the all-zero state; a digest of 128 zero bits has probability 2^-128.
  if (words.every((word) => word === 0)) words[3] = 1;
  return words;
}

/** The root key of a seed, so that integer seeds and their decimal strings coincide. */
export function rngKeyOfSeed(seed: RngSeed): string {
  if (typeof seed === 'number' && !Number.isSafeInteger(seed)) {
    throw new ConfigError(`seed must be a safe integer or a string, got ${seed}`);
  }
  if (typeof seed !== 'number' && typeof seed !== 'string') {
    throw new ConfigError(`seed must be a safe integer or a string, got ${typeof seed}`);
  }
  return sha256Hex(`diffchat-rng/seed/${String(seed)}`);
}

class SeededRng implements Rng {
  #key: string;
  #generator: JumpableRandomGenerator;

  constructor(key: string, words: RngState['words']) {
    this.#key = key;
    this.#generator = xoroshiro128plusFromState(words);
  }

  get key(): string {
    return this.#key;
  }

  next(): number {
    return uniformFloat64(this.#generator);
  }

  uint32(): number {
    return this.#generator.next() >>> 0;
  }

  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max) {
      throw new RangeError(`int(min, max) needs safe integers with min <= max, got (${min}, ${max})`);
    }
    return uniformInt(this.#generator, min, max);
  }

  normal(mean = 0, standardDeviation = 1): number {
    // 1 - next() lies in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - this.next()));
    return mean + standardDeviation * radius * Math.cos(2 * Math.PI * this.next());
  }

  shuffle<Item>(items: readonly Item[]): Item[] {
    const shuffled = items.slice();
    for (let index = shuffled.length - 1; index > 0; index--) {
      const other = uniformInt(this.#generator, 0, index);
      [shuffled[index], shuffled[other]] = [shuffled[other]!, shuffled[index]!];
    }
    return shuffled;
  }

  choice<Item>(items: readonly Item[]): Item {
    if (items.length === 0) throw new RangeError('choice() needs at least one item');
    return items[uniformInt(this.#generator, 0, items.length - 1)]!;
  }

  weightedChoice<Item>(items: readonly Item[], weights: readonly number[]): Item {
    if (items.length !== weights.length) {
      throw new RangeError(`weightedChoice(): ${items.length} items but ${weights.length} weights`);
    }
    let total = 0;
    for (const [index, weight] of weights.entries()) {
      if (!(Number.isFinite(weight) && weight >= 0)) {
        throw new RangeError(`weightedChoice(): weights[${index}] must be finite and >= 0, got ${weight}`);
      }
      total += weight;
    }
    if (!(total > 0)) throw new RangeError('weightedChoice(): the weights sum to 0');
    const target = this.next() * total;
    let cumulative = 0;
    let last = 0;
    for (const [index, weight] of weights.entries()) {
      if (weight === 0) continue;
      cumulative += weight;
      last = index;
      if (target < cumulative) return items[index]!;
    }
    // Rounding can leave target just at or above the last cumulative sum.
    return items[last]!;
  }

  fork(label: string): Rng {
    const key = sha256Hex(`${this.#key}/fork/${label}`);
    return new SeededRng(key, wordsOfKey(key));
  }

  split(): Rng {
    const draws = [this.uint32(), this.uint32(), this.uint32(), this.uint32()];
    const key = sha256Hex(`${this.#key}/split/${draws.join(',')}`);
    return new SeededRng(key, wordsOfKey(key));
  }

  state(): RngState {
    const [first, second, third, fourth] = this.#generator.getState();
    return { algorithm: 'xoroshiro128plus', key: this.#key, words: [first!, second!, third!, fourth!] };
  }

  restore(state: RngState): void {
    const checked = validate(rngStateSchema, state, 'rng state');
    this.#key = checked.key;
    this.#generator = xoroshiro128plusFromState(checked.words);
  }
}

/**
 * A seeded generator (xoroshiro128+ from pure-rand, its 128-bit state derived from the seed by
 * SHA-256). The same seed gives the same numbers on every platform and version of Node.
 *
 * @example
 * const rng = createRng(42);
 * const order = rng.fork('shuffle').shuffle(records);
 * const noise = rng.fork('init').normal(0, 0.02);
 */
export function createRng(seed: RngSeed): Rng {
  const key = rngKeyOfSeed(seed);
  return new SeededRng(key, wordsOfKey(key));
}

/** A generator that continues from a saved {@link RngState} (checked; a `ValidationError` names the bad field). */
export function rngFromState(state: RngState): Rng {
  const checked = validate(rngStateSchema, state, 'rng state');
  return new SeededRng(checked.key, checked.words);
}
