/**
 * A small seeded generator (xoshiro128**, seeded through splitmix32) whose whole state is four uint32 words, so a
 * training run can save it as JSON and continue the same stream after a restore.
 */
export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** @param seed any finite number; its integer part seeds the stream (the same seed gives the same stream). */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`SeededRandom: seed must be a finite number, got ${seed}`);
    // split the seed into two 32-bit halves so seeds above 2^32 still give distinct streams
    let mix = (Math.trunc(seed) >>> 0) ^ Math.imul(Math.floor(Math.trunc(seed) / 4294967296) >>> 0, 0x9e3779b9);
    const next = (): number => {
      mix = (mix + 0x9e3779b9) | 0;
      let z = mix;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    // xoshiro's all-zero state is a fixed point; splitmix32 never yields four zeros, but guard anyway
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /**
   * Rebuilds a generator from {@link SeededRandom.state}, continuing exactly where the saved one stopped.
   * @throws RangeError when the state is not four uint32 words, not all zero.
   */
  static fromState(state: readonly number[]): SeededRandom {
    if (
      !Array.isArray(state) ||
      state.length !== 4 ||
      !state.every((word) => Number.isInteger(word) && word >= 0 && word <= 0xffffffff) ||
      state.every((word) => word === 0)
    ) {
      throw new RangeError(
        `SeededRandom.fromState: expected four uint32 words, not all zero, got ${JSON.stringify(state)}`,
      );
    }
    const random = new SeededRandom(0);
    [random.s0, random.s1, random.s2, random.s3] = state as [number, number, number, number];
    return random;
  }

  /** The generator's state as four uint32 words (JSON-safe). */
  state(): [number, number, number, number] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  /** Next uniformly distributed uint32. */
  nextUint32(): number {
    const result = Math.imul(rotateLeft(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotateLeft(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 32 random bits. */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Fills `target` with uniform values in [low, high). */
  fillUniform(target: Float32Array, low: number, high: number): Float32Array {
    const width = high - low;
    for (let index = 0; index < target.length; index++) target[index] = low + width * this.nextFloat();
    return target;
  }

  /** Fills `target` with normal values N(mean, std^2) by the Box-Muller transform (both outputs of each pair used). */
  fillNormal(target: Float32Array, mean: number, std: number): Float32Array {
    for (let index = 0; index < target.length; index += 2) {
      // 1 - u lies in (0, 1], so the logarithm is finite
      const radius = Math.sqrt(-2 * Math.log(1 - this.nextFloat()));
      const angle = 2 * Math.PI * this.nextFloat();
      target[index] = mean + std * radius * Math.cos(angle);
      if (index + 1 < target.length) target[index + 1] = mean + std * radius * Math.sin(angle);
    }
    return target;
  }
}

function rotateLeft(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

/**
 * A seed for one named stream derived from a base seed and a label (FNV-1a of the label mixed with the seed), so
 * each parameter's initial values depend on the store's seed and its own name, not on the order parameters were added.
 */
export function deriveSeed(seed: number, label: string): number {
  let hash = 0x811c9dc5 ^ (Math.trunc(seed) >>> 0);
  for (let index = 0; index < label.length; index++) {
    hash ^= label.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= Math.floor(Math.trunc(seed) / 4294967296) >>> 0;
  hash = Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d);
  return (hash ^ (hash >>> 12)) >>> 0;
}
