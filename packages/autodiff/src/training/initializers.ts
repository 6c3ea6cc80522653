import { elementCount } from '../shape';
import { SeededRandom } from './seeded-random';

/** What an initialiser is told about the parameter it fills. */
export interface InitializerContext {
  /** The parameter's name, for error messages. */
  readonly name: string;
  /** A generator seeded from the store's seed and the parameter's name; used unless the initialiser has its own seed. */
  readonly random: SeededRandom;
}

/** Fills a new parameter: gets its shape, returns its values (length = product of the shape). */
export type InitializerFunction = (shape: readonly number[], context: InitializerContext) => Float32Array;

/** An initialiser function, or the exact values to copy (length = product of the shape). */
export type Initializer = InitializerFunction | Float32Array;

/** All zeros. */
export const zeros: InitializerFunction = (shape) => new Float32Array(elementCount(shape));

/** All ones (LayerNorm scales). */
export const ones: InitializerFunction = (shape) => new Float32Array(elementCount(shape)).fill(1);

/** Every element set to `value`. */
export function constant(value: number): InitializerFunction {
  return (shape) => new Float32Array(elementCount(shape)).fill(value);
}

/** Options shared by the random initialisers. */
export interface RandomInitializerOptions {
  /** Own seed for this parameter; without it the store's per-parameter stream is used. */
  seed?: number;
}

/** Options of {@link normal}. */
export interface NormalOptions extends RandomInitializerOptions {
  /** Mean, default 0. */
  mean?: number;
  /** Standard deviation, default 1 (GPT-2 uses 0.02). */
  std?: number;
}

/** Normal values N(mean, std^2). */
export function normal(options: NormalOptions = {}): InitializerFunction {
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  checkFinite('normal', 'mean', mean);
  checkNonNegative('normal', 'std', std);
  return (shape, context) => pickRandom(options, context).fillNormal(new Float32Array(elementCount(shape)), mean, std);
}

/** Options of {@link uniform}. */
export interface UniformOptions extends RandomInitializerOptions {
  /** Lower bound (inclusive), default -1. */
  low?: number;
  /** Upper bound (exclusive), default 1. */
  high?: number;
}

/** Uniform values in [low, high). */
export function uniform(options: UniformOptions = {}): InitializerFunction {
  const low = options.low ?? -1;
  const high = options.high ?? 1;
  checkFinite('uniform', 'low', low);
  checkFinite('uniform', 'high', high);
  if (!(low <= high)) throw new RangeError(`uniform: low (${low}) must not exceed high (${high})`);
  return (shape, context) => pickRandom(options, context).fillUniform(new Float32Array(elementCount(shape)), low, high);
}

/** Fan sizes of a weight, overriding the ones read from its shape. */
export interface FanOptions {
  /** Inputs per output unit; default from the shape (see {@link fans}). */
  fanIn?: number;
  /** Outputs per input unit; default from the shape (see {@link fans}). */
  fanOut?: number;
}

/**
 * Fan-in and fan-out read from a weight's shape in the layout ONNX MatMul uses, `x (.., in) @ W (in, out)`:
 * fan-in is the product of every dimension but the last, fan-out the last one. A vector `[n]` has both equal to n and a
 * scalar both 1. A `[out, in]` weight (Gemm with transB, PyTorch's Linear) needs `fanIn` / `fanOut` passed explicitly.
 */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  const fanOut = shape[shape.length - 1]!;
  return { fanIn: elementCount(shape) / Math.max(fanOut, 1), fanOut };
}

/** Options of {@link xavierUniform}. */
export interface XavierOptions extends RandomInitializerOptions, FanOptions {
  /** Multiplier of the bound, default 1. */
  gain?: number;
}

/** Glorot/Xavier uniform: U(-a, a) with a = gain * sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform(options: XavierOptions = {}): InitializerFunction {
  const gain = options.gain ?? 1;
  checkNonNegative('xavierUniform', 'gain', gain);
  return (shape, context) => {
    const { fanIn, fanOut } = resolveFans('xavierUniform', shape, options, context);
    const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
    return pickRandom(options, context).fillUniform(new Float32Array(elementCount(shape)), -bound, bound);
  };
}

/** Nonlinearities whose gain {@link kaiming} knows. */
export type Nonlinearity = 'linear' | 'relu' | 'leakyRelu' | 'tanh' | 'sigmoid';

/** Options of {@link kaiming}. */
export interface KaimingOptions extends RandomInitializerOptions, FanOptions {
  /** Which fan keeps the variance: 'fanIn' (forward pass, default) or 'fanOut' (backward pass). */
  mode?: 'fanIn' | 'fanOut';
  /** Nonlinearity after the layer, giving the gain: relu sqrt(2) (default), linear/sigmoid 1, tanh 5/3, leakyRelu sqrt(2 / (1 + slope^2)). */
  nonlinearity?: Nonlinearity;
  /** Negative slope of leakyRelu, default 0.01. */
  negativeSlope?: number;
  /** 'normal' (default): N(0, (gain / sqrt(fan))^2); 'uniform': U(-a, a) with a = gain * sqrt(3 / fan). */
  distribution?: 'normal' | 'uniform';
}

/** He/Kaiming initialisation for layers followed by the given nonlinearity. */
export function kaiming(options: KaimingOptions = {}): InitializerFunction {
  const gain = nonlinearityGain(options.nonlinearity ?? 'relu', options.negativeSlope ?? 0.01);
  const mode = options.mode ?? 'fanIn';
  const distribution = options.distribution ?? 'normal';
  return (shape, context) => {
    const resolved = resolveFans('kaiming', shape, options, context);
    const fan = mode === 'fanIn' ? resolved.fanIn : resolved.fanOut;
    const random = pickRandom(options, context);
    const target = new Float32Array(elementCount(shape));
    if (distribution === 'uniform') {
      const bound = gain * Math.sqrt(3 / fan);
      return random.fillUniform(target, -bound, bound);
    }
    return random.fillNormal(target, 0, gain / Math.sqrt(fan));
  };
}

function nonlinearityGain(nonlinearity: Nonlinearity, negativeSlope: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'sigmoid':
      return 1;
    case 'relu':
      return Math.SQRT2;
    case 'tanh':
      return 5 / 3;
    case 'leakyRelu':
      return Math.sqrt(2 / (1 + negativeSlope * negativeSlope));
    default:
      throw new RangeError(`kaiming: unknown nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

function resolveFans(
  initializer: string,
  shape: readonly number[],
  options: FanOptions,
  context: InitializerContext,
): { fanIn: number; fanOut: number } {
  const fromShape = fans(shape);
  const fanIn = options.fanIn ?? fromShape.fanIn;
  const fanOut = options.fanOut ?? fromShape.fanOut;
  if (!(fanIn > 0 && fanOut > 0)) {
    throw new RangeError(
      `${initializer} for parameter "${context.name}": fans must be positive, got fanIn ${fanIn}, fanOut ${fanOut} from shape [${shape.join(', ')}]`,
    );
  }
  return { fanIn, fanOut };
}

function pickRandom(options: RandomInitializerOptions, context: InitializerContext): SeededRandom {
  return options.seed === undefined ? context.random : new SeededRandom(options.seed);
}

function checkFinite(initializer: string, field: string, value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`${initializer}: ${field} must be a finite number, got ${value}`);
}

function checkNonNegative(initializer: string, field: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new RangeError(`${initializer}: ${field} must be a finite number >= 0, got ${value}`);
  }
}
