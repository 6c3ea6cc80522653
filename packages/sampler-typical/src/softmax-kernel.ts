/*
 * The WebAssembly SIMD kernel for the softmax passes (src/softmax-kernel.wat): the largest logit, the temperature, the
 * exponentials with their sums, and the candidate list, each one pass over a copy of the row in the kernel's memory.
 * In JavaScript the exponential pass alone costs about the whole time budget of a 250,880-token row; with two
 * exponentials per f64x2 instruction, the kernel runs it four to five times faster.
 *
 * The module is compiled and instantiated synchronously on first use (2.6 KB, below the 4 KB that browsers allow
 * to compile synchronously on the main thread). Where WebAssembly or its SIMD extension is missing, or the module
 * fails to load, every caller keeps its JavaScript path, which gives the same results to within a few units in the
 * last place of the exponentials.
 */

import { reportBadRow } from './logits-row';
import { SOFTMAX_KERNEL_BASE64 } from './softmax-kernel-bytes';

/** A WebAssembly memory, as far as it is used here. */
interface KernelMemory {
  buffer: ArrayBuffer;
}

/** The part of the WebAssembly JavaScript API used here (the package compiles without the DOM typings). */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number }) => KernelMemory;
}

/** The kernel module's exports (see softmax-kernel.wat). */
interface KernelExports {
  weightedShift: { value: number };
  largest(row: number, blocks: number): number;
  exponentials(row: number, quads: number, max: number, weights: number, temperature: number): number;
  collect(row: number, blocks: number, floor: number, ids: number, values: number): number;
  scale(row: number, quads: number, temperature: number): void;
}

const PAGE_BYTES = 65536;
// The row's address: the kernel's table of 2^(j/64) comes first.
const ROW = 512;
// Rows are padded with -Infinity to a whole number of the largest-logit loop's 16-float blocks.
const BLOCK = 16;

/**
 * One row at a time in the kernel's memory: {@link SoftmaxKernel.loadRow} copies a row in, and the other methods
 * work on that copy. The memory is sized for the longest row seen and reused by every later call.
 *
 * A longer row gets a new, larger memory and a new instance of the compiled module, never `memory.grow`: growing
 * detaches the memory's old ArrayBuffer, and the first ArrayBuffer detached in a process makes V8 check every typed
 * array access for detachment from then on, in all of the process's code (a plain loop over a Float32Array ran 1.7
 * times slower after a single grow, measured on Node 20).
 */
export class SoftmaxKernel {
  private readonly api: WebAssemblyApi;
  private readonly module: object;
  private kernel: KernelExports;
  private memory: KernelMemory;
  private row: Float32Array = new Float32Array(0);
  /** The caller's row last loaded, to name a bad entry in errors. */
  private source: Float32Array = new Float32Array(0);
  private length = 0;
  private loads = 0;
  private padded = -1;
  private buffer: ArrayBuffer | undefined;
  private ids: Int32Array = new Int32Array(0);
  private values: Float32Array = new Float32Array(0);
  private weights: Float64Array = new Float64Array(0);

  constructor(api: WebAssemblyApi, module: object) {
    this.api = api;
    this.module = module;
    this.memory = new api.Memory({ initial: 1 });
    this.kernel = this.instantiate();
  }

  private instantiate(): KernelExports {
    return new this.api.Instance(this.module, { kernel: { memory: this.memory } }).exports as KernelExports;
  }

  /**
   * Copies `logits` into the kernel and returns its largest logit, with the checks of `summariseRow`: a row that is
   * empty, holds NaN or +Infinity, or has no finite logit is reported here with the index of the first bad entry.
   */
  loadRow(logits: Float32Array): number {
    const length = logits.length;
    if (length === 0) reportBadRow(logits);
    this.layOut(length);
    this.row.set(logits);
    this.row.fill(Number.NEGATIVE_INFINITY, length);
    this.length = length;
    this.source = logits;
    this.loads++;
    const max = this.kernel.largest(ROW, this.padded / BLOCK);
    // max - max is NaN for +Infinity, and the kernel returns NaN for a row holding NaN.
    if (max === Number.NEGATIVE_INFINITY || max - max !== 0) reportBadRow(logits);
    return max;
  }

  /**
   * Divides the loaded row by `temperature` in place, with the float32 rounding of `applyTemperature` (quotient in
   * float64, then float32). The largest logit of the result is the old one divided the same way, as the rounding is
   * monotone; a quotient beyond float32 becomes +Infinity, which that largest logit shows.
   */
  scaleRow(temperature: number): void {
    this.kernel.scale(ROW, this.padded / 4, temperature);
  }

  /**
   * The loaded row as the kernel holds it (after {@link SoftmaxKernel.scaleRow}, the scaled row): a view into the
   * kernel's memory, valid until the next {@link SoftmaxKernel.loadRow}.
   */
  loadedRow(): Float32Array {
    return this.row.subarray(0, this.length);
  }

  /** How many rows have been loaded so far: a caller holding results about one row can tell that it was replaced. */
  get loadCount(): number {
    return this.loads;
  }

  /** Z = sum e^t and sum e^t t over the loaded row, with t = logit - max (as `exponentialSums` of softmax.ts). */
  exponentialSums(max: number): { normalizer: number; weightedShift: number } {
    const kernel = this.kernel;
    const normalizer = this.checked(kernel.exponentials(ROW, this.padded / 4, max, 0, 0));
    return { normalizer, weightedShift: kernel.weightedShift.value };
  }

  /**
   * Lists the tokens of the loaded row whose logit is at least `floor` (-Infinity never is, as floor >=
   * -Number.MAX_VALUE) into `candidates` and their logits into `candidateLogits`, in ascending id order, and returns
   * how many there are.
   */
  collectCandidates(floor: number, candidates: Int32Array, candidateLogits: Float32Array): number {
    const padded = this.padded;
    const count = this.kernel.collect(ROW, padded / BLOCK, float32AtLeast(floor), ROW + 4 * padded, ROW + 8 * padded);
    candidates.set(this.ids.subarray(0, count));
    candidateLogits.set(this.values.subarray(0, count));
    return count;
  }

  /** Z = sum exp(logit - max) over the loaded row. */
  normalizer(max: number): number {
    return this.checked(this.kernel.exponentials(ROW, this.padded / 4, max, 0, 0));
  }

  /**
   * {@link SoftmaxKernel.normalizer} of the loaded row, then {@link SoftmaxKernel.scaleRow} by `temperature`, in one
   * pass.
   */
  normalizerThenScale(max: number, temperature: number): number {
    return this.checked(this.kernel.exponentials(ROW, this.padded / 4, max, 0, temperature));
  }

  /**
   * Writes exp(logit - max) for every token of the loaded row into the kernel's memory and returns Z, their sum; the
   * weights are then in {@link SoftmaxKernel.exponentialWeights} until the next call.
   */
  fillExponentials(max: number): number {
    return this.checked(this.kernel.exponentials(ROW, this.padded / 4, max, ROW + 4 * this.padded, 0));
  }

  /** The weights written by the last {@link SoftmaxKernel.fillExponentials}, one per token of the loaded row. */
  exponentialWeights(): Float64Array {
    return this.weights.subarray(0, this.length);
  }

  /** A sum over the loaded row, after reporting the NaN logit that made it NaN. */
  private checked(sum: number): number {
    if (Number.isNaN(sum)) reportBadRow(this.source);
    return sum;
  }

  /**
   * Makes room for a row of `length` (the table, then 4 bytes per float of the row and 8 for the candidates or the
   * weights) and lays out the views.
   */
  private layOut(length: number): void {
    const padded = Math.ceil(length / BLOCK) * BLOCK;
    const pages = Math.ceil((ROW + 12 * padded) / PAGE_BYTES);
    if (pages > this.memory.buffer.byteLength / PAGE_BYTES) {
      this.memory = new this.api.Memory({ initial: pages });
      this.kernel = this.instantiate();
    }
    const buffer = this.memory.buffer;
    if (padded === this.padded && buffer === this.buffer) return;
    this.buffer = buffer;
    this.padded = padded;
    this.row = new Float32Array(buffer, ROW, padded);
    this.ids = new Int32Array(buffer, ROW + 4 * padded, padded);
    this.values = new Float32Array(buffer, ROW + 8 * padded, padded);
    this.weights = new Float64Array(buffer, ROW + 4 * padded, padded);
  }
}

const float32Scratch = new Float32Array(1);
const float32Bits = new Int32Array(float32Scratch.buffer);

/**
 * The smallest float32 at or above `value`: for every float32 x, x >= value exactly when x >= float32AtLeast(value),
 * which lets the kernel compare float32 logits with a floor computed in double precision.
 */
export function float32AtLeast(value: number): number {
  const rounded = Math.fround(value);
  if (rounded >= value) return rounded;
  if (rounded === Number.NEGATIVE_INFINITY) return -3.4028234663852886e38;
  if (rounded === 0) return 2 ** -149;
  // One step up: the bit pattern of a float32 grows with its magnitude.
  float32Scratch[0] = rounded;
  float32Bits[0] += rounded > 0 ? 1 : -1;
  return float32Scratch[0];
}

/** undefined until the first use; null when the kernel cannot run here. */
let loaded: SoftmaxKernel | null | undefined;
let javaScriptOnly = false;

/**
 * The kernel, instantiated on first use, or undefined where WebAssembly SIMD is unavailable (or while the
 * JavaScript path is forced): callers then take their JavaScript path.
 */
export function softmaxKernel(): SoftmaxKernel | undefined {
  if (javaScriptOnly) return undefined;
  if (loaded === undefined) loaded = loadSoftmaxKernel() ?? null;
  return loaded ?? undefined;
}

/**
 * Forces the JavaScript path (`true`) or restores the kernel where it can run (`false`). Not part of the public API:
 * the tests run every softmax pass both ways against the same references.
 */
export function forceJavaScriptSoftmax(force: boolean): void {
  javaScriptOnly = force;
}

/**
 * Compiles and instantiates the kernel (a new instance on every call; {@link softmaxKernel} keeps one), or returns
 * undefined where WebAssembly, its SIMD extension or synchronous compilation is unavailable.
 */
export function loadSoftmaxKernel(): SoftmaxKernel | undefined {
  const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (api === undefined || typeof atob !== 'function') return undefined;
  const text = atob(SOFTMAX_KERNEL_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let index = 0; index < text.length; index++) bytes[index] = text.charCodeAt(index);
  // validate is false where the engine lacks SIMD: the JavaScript path takes over.
  if (!api.validate(bytes)) return undefined;
  try {
    return new SoftmaxKernel(api, new api.Module(bytes));
  } catch {
    // A content security policy without 'wasm-unsafe-eval', or a main thread that refuses synchronous compilation.
    return undefined;
  }
}
