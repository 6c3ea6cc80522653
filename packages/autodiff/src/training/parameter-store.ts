import { elementCount } from '../shape';
import { type Initializer, zeros } from './initializers';
import { deriveSeed, SeededRandom } from './seeded-random';

/** One named trainable tensor: float32 values in row-major order, `data.length` = product of `shape`. */
export interface Parameter {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** A tensor given by shape and float32 values, as read from safetensors or returned by a graph. */
export interface TensorValues {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Options of {@link ParameterStore}. */
export interface ParameterStoreOptions {
  /** Seed of the random initialisers that have no seed of their own, default 0. */
  seed?: number;
}

/**
 * Named parameters in insertion order. Each parameter's random initial values come from a stream derived from the
 * store's seed and the parameter's name, so they do not depend on which other parameters exist or in what order they
 * were added.
 */
export class ParameterStore implements Iterable<Parameter> {
  /** Seed of the per-parameter initialisation streams. */
  readonly seed: number;
  private readonly parameters = new Map<string, Parameter>();

  constructor(options: ParameterStoreOptions = {}) {
    this.seed = options.seed ?? 0;
    if (!Number.isFinite(this.seed))
      throw new RangeError(`ParameterStore: seed must be a finite number, got ${this.seed}`);
  }

  /**
   * Adds a parameter and returns it.
   * @param shape dimensions, each a non-negative integer (`[]` for a scalar).
   * @param init an initialiser (default {@link zeros}) or the exact values to copy.
   * @throws Error when the name is taken or empty, the shape is invalid, or the initial values have the wrong length.
   */
  add(name: string, shape: readonly number[], init: Initializer = zeros): Parameter {
    if (typeof name !== 'string' || name.length === 0)
      throw new Error('ParameterStore.add: name must be a non-empty string');
    if (this.parameters.has(name)) throw new Error(`ParameterStore.add: parameter "${name}" already exists`);
    checkShape(`parameter "${name}"`, shape);
    const count = elementCount(shape);
    let data: Float32Array;
    if (init instanceof Float32Array) {
      data = init.slice();
    } else {
      data = init(shape, { name, random: new SeededRandom(deriveSeed(this.seed, name)) });
    }
    if (data.length !== count) {
      throw new Error(
        `ParameterStore.add: parameter "${name}" has shape [${shape.join(', ')}] (${count} elements) but its initial values have ${data.length}`,
      );
    }
    const parameter: Parameter = { name, shape: Object.freeze([...shape]), data };
    this.parameters.set(name, parameter);
    return parameter;
  }

  /**
   * The parameter called `name`.
   * @throws Error naming the missing parameter and the ones the store holds.
   */
  get(name: string): Parameter {
    const parameter = this.parameters.get(name);
    if (parameter === undefined) {
      const held = [...this.parameters.keys()];
      const listed = held.length > 12 ? `${held.slice(0, 12).join(', ')}, ...` : held.join(', ');
      throw new Error(`parameter "${name}" is not in the store (it holds ${held.length}: ${listed || 'none'})`);
    }
    return parameter;
  }

  /** Whether a parameter called `name` exists. */
  has(name: string): boolean {
    return this.parameters.has(name);
  }

  /** Parameter names in insertion order. */
  names(): string[] {
    return [...this.parameters.keys()];
  }

  /** Number of parameters. */
  get size(): number {
    return this.parameters.size;
  }

  /** Parameters in insertion order. */
  [Symbol.iterator](): Iterator<Parameter> {
    return this.parameters.values();
  }

  /** Sum of every parameter's element count. */
  totalElements(): number {
    let total = 0;
    for (const parameter of this.parameters.values()) total += parameter.data.length;
    return total;
  }

  /** A deep copy: same names, shapes, order and seed, values in new arrays. */
  clone(): ParameterStore {
    const copy = new ParameterStore({ seed: this.seed });
    for (const parameter of this.parameters.values()) copy.add(parameter.name, parameter.shape, parameter.data);
    return copy;
  }

  /**
   * Copies values into existing parameters (the arrays keep their identity, so graphs fed from them see the change),
   * e.g. weights read with `readSafetensors`.
   * @param options.strict when true (default), every parameter must be given and no unknown name may appear.
   * @throws Error naming the parameter whose shape differs, the unknown name, or (strict) the missing parameters.
   */
  assign(values: ReadonlyMap<string, TensorValues> | Iterable<Parameter>, options: { strict?: boolean } = {}): void {
    const strict = options.strict ?? true;
    const entries: [string, TensorValues][] =
      values instanceof Map ? [...values.entries()] : [...(values as Iterable<Parameter>)].map((p) => [p.name, p]);
    for (const [name, tensor] of entries) {
      const parameter = this.parameters.get(name);
      if (parameter === undefined) {
        if (strict) this.get(name);
        continue;
      }
      if (!sameShape(parameter.shape, tensor.shape) || tensor.data.length !== parameter.data.length) {
        throw new Error(
          `ParameterStore.assign: parameter "${name}" has shape [${parameter.shape.join(', ')}] but the value has shape [${tensor.shape.join(', ')}] (${tensor.data.length} elements)`,
        );
      }
    }
    if (strict) {
      const given = new Set(entries.map(([name]) => name));
      const missing = this.names().filter((name) => !given.has(name));
      if (missing.length > 0) throw new Error(`ParameterStore.assign: no value for parameter(s) ${missing.join(', ')}`);
    }
    for (const [name, tensor] of entries) this.parameters.get(name)?.data.set(tensor.data);
  }
}

/** Whether two shapes are equal dimension by dimension. */
export function sameShape(left: readonly number[], right: readonly number[]): boolean {
  return left.length === right.length && left.every((dimension, axis) => dimension === right[axis]);
}

function checkShape(what: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || !shape.every((dimension) => Number.isSafeInteger(dimension) && dimension >= 0)) {
    throw new Error(`${what}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
}
