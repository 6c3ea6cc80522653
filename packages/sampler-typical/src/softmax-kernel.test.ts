import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileKernel } from '../scripts/compile-kernel';
import { seededRandom } from '../test/statistics';
import { SamplerInputError } from './errors';
import {
  float32AtLeast,
  forceJavaScriptSoftmax,
  loadSoftmaxKernel,
  type SoftmaxKernel,
  softmaxKernel,
} from './softmax-kernel';
import { SOFTMAX_KERNEL_BASE64 } from './softmax-kernel-bytes';
import { applyTemperature } from './temperature';

const kernel = loadSoftmaxKernel() as SoftmaxKernel;
// The engine's own WebAssembly object (the package's TypeScript setup declares no value for it).
const engine = (
  globalThis as { WebAssembly?: { validate: unknown; Module: unknown; Instance: unknown; Memory: unknown } }
).WebAssembly!;

/** e^(logit - max) for every token of a row, read back from the kernel. */
function kernelExponentials(row: Float32Array): { max: number; normalizer: number; weights: Float64Array } {
  const max = kernel.loadRow(row);
  const normalizer = kernel.fillExponentials(max);
  return { max, normalizer, weights: kernel.exponentialWeights().slice() };
}

/** Z and sum e^t t with Math.exp, summed in float64 in id order. */
function referenceSums(row: Float32Array, max: number): { normalizer: number; weightedShift: number } {
  let normalizer = 0;
  let weightedShift = 0;
  for (const logit of row) {
    if (logit === Number.NEGATIVE_INFINITY) continue;
    const weight = Math.exp(logit - max);
    normalizer += weight;
    weightedShift += weight * (logit - max);
  }
  return { normalizer, weightedShift };
}

describe('softmax kernel: the committed bytes', () => {
  it('are the compiled softmax-kernel.wat', async () => {
    const committed = Uint8Array.from(atob(SOFTMAX_KERNEL_BASE64), (character) => character.charCodeAt(0));
    expect(Buffer.from(committed).equals(Buffer.from(await compileKernel()))).toBe(true);
  });

  it('stay small enough for synchronous compilation on a browser main thread (4 KB)', () => {
    expect(atob(SOFTMAX_KERNEL_BASE64).length).toBeLessThanOrEqual(4096);
  });
});

describe('softmax kernel: loading', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    forceJavaScriptSoftmax(false);
  });

  it('loads in Node 20 and is shared', () => {
    expect(kernel).toBeDefined();
    expect(softmaxKernel()).toBe(softmaxKernel());
  });

  it('is not used where WebAssembly, SIMD or synchronous compilation is missing, or while JavaScript is forced', () => {
    vi.stubGlobal('WebAssembly', undefined);
    expect(loadSoftmaxKernel()).toBeUndefined();
    vi.stubGlobal('WebAssembly', {
      validate: () => false,
      Module: engine.Module,
      Instance: engine.Instance,
      Memory: engine.Memory,
    });
    expect(loadSoftmaxKernel()).toBeUndefined();
    vi.stubGlobal('WebAssembly', {
      validate: engine.validate,
      Instance: engine.Instance,
      Memory: engine.Memory,
      Module: () => {
        throw new RangeError('WebAssembly.Module(): buffer size is larger than 4 KB');
      },
    });
    expect(loadSoftmaxKernel()).toBeUndefined();
    vi.unstubAllGlobals();
    forceJavaScriptSoftmax(true);
    expect(softmaxKernel()).toBeUndefined();
    forceJavaScriptSoftmax(false);
    expect(softmaxKernel()).toBeDefined();
  });
});

describe('softmax kernel: exponentials', () => {
  it('is exact where the answer is one or zero, and zero for -Infinity', () => {
    const row = Float32Array.from([0, -0, -746, -800, -3e38, Number.NEGATIVE_INFINITY, -745.5]);
    const { weights } = kernelExponentials(row);
    expect(Array.from(weights)).toEqual([1, 1, 0, 0, 0, 0, 0]);
  });

  it('agrees with Math.exp to within 1e-15 relative error on a dense grid of float32 differences', () => {
    // Row 0 holds the max (0), so every weight is e^logit.
    const row = Float32Array.from({ length: 200_001 }, (_, step) => -step / 2000);
    const { weights } = kernelExponentials(row);
    let worst = 0;
    for (let index = 0; index < row.length; index++) {
      const expected = Math.exp(row[index]!);
      worst = Math.max(worst, Math.abs(weights[index]! - expected) / expected);
    }
    expect(worst).toBeLessThan(1e-15);
  });

  it('agrees with Math.exp over the normal range, and to within a few subnormal steps below it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -745, max: 0, noNaN: true }), { minLength: 1, maxLength: 64 }),
        (values) => {
          const row = Float32Array.from([0, ...values]);
          const { weights } = kernelExponentials(row);
          for (let index = 0; index < row.length; index++) {
            const expected = Math.exp(row[index]!);
            const tolerance = Math.max(1e-15 * expected, 4 * 2 ** -1074);
            expect(Math.abs(weights[index]! - expected)).toBeLessThanOrEqual(tolerance);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is monotone in the logit', () => {
    const random = seededRandom(11);
    const row = Float32Array.from({ length: 20_000 }, () => -740 * random());
    row[0] = 0;
    const { weights } = kernelExponentials(row);
    const order = Array.from(row.keys()).sort((a, b) => row[a]! - row[b]!);
    for (let rank = 1; rank < order.length; rank++) {
      expect(weights[order[rank - 1]!]!).toBeLessThanOrEqual(weights[order[rank]!]! * (1 + 2e-15));
    }
  });
});

describe('softmax kernel: sums and candidates', () => {
  it('computes Z and sum e^t t like a float64 Math.exp reference, on rows of growing and shrinking length', () => {
    const random = seededRandom(3);
    for (const length of [1, 15, 17, 250_880, 3, 50_257, 1_000]) {
      const row = Float32Array.from({ length }, () =>
        random() < 0.05 ? Number.NEGATIVE_INFINITY : 20 * random() - 15,
      );
      row[length >> 1] = 4;
      const max = kernel.loadRow(row);
      expect(max).toBe(row.reduce((a, b) => Math.max(a, b)));
      const expected = referenceSums(row, max);
      const sums = kernel.exponentialSums(max);
      // Summation order differs (two lanes), so the sums agree to rounding, not bit for bit.
      expect(Math.abs(sums.normalizer - expected.normalizer)).toBeLessThanOrEqual(1e-13 * expected.normalizer);
      expect(Math.abs(sums.weightedShift - expected.weightedShift)).toBeLessThanOrEqual(
        1e-12 * Math.max(1, Math.abs(expected.weightedShift)),
      );
      expect(kernel.normalizer(max)).toBe(sums.normalizer);
    }
  });

  it('never detaches a buffer it handed out: a longer row gets a new memory instead of growing the old one', () => {
    // Growing a WebAssembly memory detaches its old buffer, after which V8 checks every typed-array access in the
    // process for detachment.
    kernel.fillExponentials(kernel.loadRow(Float32Array.from([0, -1, -2])));
    const before = kernel.exponentialWeights();
    kernel.fillExponentials(kernel.loadRow(new Float32Array(300_000)));
    // A detached view would read as empty; this one still holds the first row's weights.
    expect(before.length).toBe(3);
    [1, Math.exp(-1), Math.exp(-2)].forEach((expected, index) => {
      expect(Math.abs(before[index]! - expected)).toBeLessThanOrEqual(1e-15 * expected);
    });
    expect(kernel.exponentialWeights().length).toBe(300_000);
  });

  it('lists exactly the tokens at or above the floor, in id order, for floors between float32 values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.float({ min: -20, max: 20, noNaN: true }), fc.constant(Number.NEGATIVE_INFINITY)), {
          minLength: 1,
          maxLength: 100,
        }),
        fc.integer({ min: 0, max: 99 }),
        fc.constantFrom(-1e-12, 0, 1e-12),
        (values, pick, offset) => {
          const row = Float32Array.from(values);
          row[0] = 1;
          kernel.loadRow(row);
          // A floor next to one of the row's own values, or below every finite logit.
          const picked = row[pick % row.length]!;
          const floor = picked === Number.NEGATIVE_INFINITY ? -Number.MAX_VALUE : picked + offset;
          const candidates = new Int32Array(row.length);
          const candidateLogits = new Float32Array(row.length);
          const count = kernel.collectCandidates(floor, candidates, candidateLogits);
          const expected = Array.from(row.keys()).filter((index) => row[index]! >= floor);
          expect(Array.from(candidates.subarray(0, count))).toEqual(expected);
          expect(Array.from(candidateLogits.subarray(0, count))).toEqual(expected.map((index) => row[index]));
        },
      ),
    );
  });

  it('reports bad rows with the index of the first bad entry', () => {
    const bad = (values: number[]) => () => kernel.exponentialSums(kernel.loadRow(Float32Array.from(values)));
    expect(bad([0, 1, Number.NaN, 2])).toThrow(/logits\[2\]: logits must be finite or -Infinity, got NaN/);
    expect(bad([0, Number.POSITIVE_INFINITY])).toThrow(/logits\[1\].*Infinity/);
    expect(bad([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY])).toThrow(/every logit is -Infinity/);
    expect(bad([])).toThrow(SamplerInputError);
  });

  it('reports a NaN logit when loading the row, wherever it lies in the blocks of 16', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.nat(), (length, at) => {
        const values = Array.from({ length }, (_, index) => (index % 3 === 0 ? Number.NEGATIVE_INFINITY : index));
        values[at % length] = Number.NaN;
        expect(() => kernel.loadRow(Float32Array.from(values))).toThrow(
          new RegExp(`logits\\[${at % length}\\]: logits must be finite or -Infinity, got NaN`),
        );
      }),
    );
  });
});

describe('softmax kernel: temperature', () => {
  it('divides the loaded row exactly as applyTemperature does, subnormal, huge and -Infinity logits included', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.float({ noNaN: true, noDefaultInfinity: true }),
            fc.float({ min: Math.fround(-1e-37), max: Math.fround(1e-37), noNaN: true }),
            fc.constant(Number.NEGATIVE_INFINITY),
          ),
          { minLength: 1, maxLength: 70 },
        ),
        fc.oneof(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.constantFrom(0.9, 0.7, 1e-30, 1e30)),
        (values, temperature) => {
          const row = Float32Array.from([1, ...values]);
          kernel.loadRow(row);
          kernel.scaleRow(temperature);
          // A quotient beyond float32 is +Infinity here; applyTemperature rejects the row instead.
          const expected = Array.from(row, (logit) => Math.fround(logit / temperature));
          expect(Array.from(kernel.loadedRow())).toEqual(expected);
          if (!expected.includes(Number.POSITIVE_INFINITY)) {
            expect(Array.from(kernel.loadedRow())).toEqual(Array.from(applyTemperature(row, temperature)));
          }
          // The same division inside the normaliser's pass, whose sum is the one of the row before the division.
          const max = kernel.loadRow(row);
          const normalizer = kernel.normalizer(max);
          expect(kernel.normalizerThenScale(max, temperature)).toBe(normalizer);
          expect(Array.from(kernel.loadedRow())).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('float32AtLeast', () => {
  /** The float32 `steps` steps away from `value` (a float32) in bit order, through a DataView. */
  const float32Step = (value: number, steps: number) => {
    const view = new DataView(new ArrayBuffer(4));
    view.setFloat32(0, value);
    const bits = view.getInt32(0);
    // Negative floats grow toward zero as their bit pattern shrinks; -0 and +0 are the same value here.
    view.setInt32(0, value < 0 || Object.is(value, -0) ? bits - steps : bits + steps);
    return view.getFloat32(0);
  };

  it('rounds up to float32 by hand-checked examples', () => {
    expect(float32AtLeast(1)).toBe(1);
    expect(float32AtLeast(1 + 2 ** -30)).toBe(1 + 2 ** -23);
    expect(float32AtLeast(-1 - 2 ** -30)).toBe(-1);
    expect(float32AtLeast(1e-50)).toBe(2 ** -149);
    expect(float32AtLeast(-1e-50)).toBe(-0);
    expect(float32AtLeast(-Number.MAX_VALUE)).toBe(-3.4028234663852886e38);
    expect(float32AtLeast(3.5e38)).toBe(Number.POSITIVE_INFINITY);
  });

  it('splits the float32 values around any double exactly as the double does', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        const floor = float32AtLeast(value);
        expect(Math.fround(floor)).toBe(floor);
        const near = Math.fround(value);
        if (!Number.isFinite(near)) return;
        for (let steps = -2; steps <= 2; steps++) {
          const x = float32Step(near, steps);
          expect(x >= floor).toBe(x >= value);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
