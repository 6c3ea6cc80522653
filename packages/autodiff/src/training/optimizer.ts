import type { Parameter, ParameterStore } from './parameter-store';

/** Everything an optimiser needs to continue bit-for-bit after a restore. */
export interface OptimizerState {
  /** Which optimiser wrote it ('adamw', 'sgd'); restoring into another kind is refused. */
  kind: string;
  /** Updates applied so far, per parameter name (a parameter without a gradient in a step is not counted). */
  stepCounts: Record<string, number>;
  /** Per-parameter buffers, keyed `<slot>/<parameter name>` (e.g. `exp_avg/w`), each as long as its parameter. */
  tensors: Map<string, Float32Array>;
}

/** An optimiser that updates a {@link ParameterStore} in place from gradients. */
export interface Optimizer {
  /** 'adamw' or 'sgd'. */
  readonly kind: string;
  /**
   * One update of every parameter that has a gradient (parameters absent from `gradients` are left unchanged, so
   * frozen parameters need no gradient).
   * @param gradients gradient per parameter name, each as long as its parameter.
   * @param learningRate step size of this update (from a schedule), finite and >= 0.
   * @throws Error naming a gradient that matches no parameter or has the wrong length.
   */
  step(store: ParameterStore, gradients: ReadonlyMap<string, Float32Array>, learningRate: number): void;
  /** A copy of the optimiser's state for `saveTrainingState`. */
  exportState(): OptimizerState;
  /** Replaces the optimiser's state with a copy of `state`. @throws Error when `state` is from another optimiser kind. */
  importState(state: OptimizerState): void;
}

/** Which parameters get weight decay: true to decay. */
export type DecayPredicate = (parameter: Parameter) => boolean;

/**
 * Decay matrices and higher-rank weights only, not biases, LayerNorm scales/shifts or other vectors (the GPT-2 /
 * nanoGPT grouping).
 */
export const decayMatricesOnly: DecayPredicate = (parameter) => parameter.shape.length >= 2;

/** Checks the arguments of one optimiser step and pairs each gradient with its parameter, in store order. */
export function pairGradients(
  optimizer: string,
  store: ParameterStore,
  gradients: ReadonlyMap<string, Float32Array>,
  learningRate: number,
): [Parameter, Float32Array][] {
  if (!(Number.isFinite(learningRate) && learningRate >= 0)) {
    throw new RangeError(`${optimizer}.step: learningRate must be a finite number >= 0, got ${learningRate}`);
  }
  for (const name of gradients.keys()) {
    if (!store.has(name)) throw new Error(`${optimizer}.step: gradient "${name}" matches no parameter in the store`);
  }
  const pairs: [Parameter, Float32Array][] = [];
  for (const parameter of store) {
    const gradient = gradients.get(parameter.name);
    if (gradient === undefined) continue;
    if (gradient.length !== parameter.data.length) {
      throw new Error(
        `${optimizer}.step: gradient "${parameter.name}" has ${gradient.length} elements but the parameter has shape [${parameter.shape.join(', ')}] (${parameter.data.length})`,
      );
    }
    pairs.push([parameter, gradient]);
  }
  return pairs;
}

/** Copies an optimiser's buffers so exported and imported state never alias live arrays. */
export function copyTensors(tensors: ReadonlyMap<string, Float32Array>): Map<string, Float32Array> {
  return new Map([...tensors].map(([key, value]) => [key, value.slice()]));
}

/** Checks an imported state's kind and returns its per-parameter buffers for `slots`, keyed by parameter name. */
export function readSlots(
  optimizer: string,
  state: OptimizerState,
  slots: readonly string[],
): { stepCounts: Map<string, number>; buffers: Map<string, Map<string, Float32Array>> } {
  if (state.kind !== optimizer) {
    throw new Error(`${optimizer}.importState: the state was written by "${state.kind}", not "${optimizer}"`);
  }
  const stepCounts = new Map<string, number>();
  for (const [name, count] of Object.entries(state.stepCounts)) {
    if (!(Number.isSafeInteger(count) && count >= 0)) {
      throw new Error(`${optimizer}.importState: step count of "${name}" must be a non-negative integer, got ${count}`);
    }
    stepCounts.set(name, count);
  }
  const buffers = new Map<string, Map<string, Float32Array>>(slots.map((slot) => [slot, new Map()]));
  for (const [key, value] of state.tensors) {
    const separator = key.indexOf('/');
    const slot = buffers.get(key.slice(0, separator));
    if (separator < 0 || slot === undefined) {
      throw new Error(
        `${optimizer}.importState: unknown state tensor "${key}" (expected ${slots.join(' or ')}/<parameter>)`,
      );
    }
    slot.set(key.slice(separator + 1), value.slice());
  }
  return { stepCounts, buffers };
}

/**
 * The bookkeeping AdamW and SGD share: a step count and named float32 buffers ("slots": moments, momentum) per
 * parameter, created on a parameter's first update, and their export and import for checkpoints. Subclasses
 * write only the update rule.
 */
export abstract class SlottedOptimizer implements Optimizer {
  abstract readonly kind: string;
  private slots: Map<string, Map<string, Float32Array>>;
  private stepCounts = new Map<string, number>();

  /**
   * @param label The optimiser's name in error messages.
   * @param slotNames The buffers kept per parameter, as written in the state (`<slot>/<parameter>`).
   */
  protected constructor(
    private readonly label: string,
    private readonly slotNames: readonly string[],
  ) {
    this.slots = new Map(slotNames.map((slot) => [slot, new Map()]));
  }

  abstract step(store: ParameterStore, gradients: ReadonlyMap<string, Float32Array>, learningRate: number): void;

  /** Counts one more update of `parameter` and returns its number (1 on the first). */
  protected nextStep(parameter: Parameter): number {
    const count = (this.stepCounts.get(parameter.name) ?? 0) + 1;
    this.stepCounts.set(parameter.name, count);
    return count;
  }

  /** The `slot` buffer of `parameter`, zeros on first use; refuses one restored for a parameter of another size. */
  protected slot(slot: string, parameter: Parameter): Float32Array {
    const buffers = this.slots.get(slot)!;
    let buffer = buffers.get(parameter.name);
    if (buffer === undefined) {
      buffer = new Float32Array(parameter.data.length);
      buffers.set(parameter.name, buffer);
    } else if (buffer.length !== parameter.data.length) {
      throw new Error(
        `${this.label}.step: parameter "${parameter.name}" has ${parameter.data.length} elements but its ${slot} ` +
          `buffer has ${buffer.length} (state from another model?)`,
      );
    }
    return buffer;
  }

  exportState(): OptimizerState {
    const tensors = new Map<string, Float32Array>();
    for (const [slot, buffers] of this.slots) {
      for (const [name, value] of buffers) tensors.set(`${slot}/${name}`, value);
    }
    return { kind: this.kind, stepCounts: Object.fromEntries(this.stepCounts), tensors: copyTensors(tensors) };
  }

  importState(state: OptimizerState): void {
    const { stepCounts, buffers } = readSlots(this.kind, state, this.slotNames);
    this.checkImported(stepCounts, buffers);
    this.slots = buffers;
    this.stepCounts = stepCounts;
  }

  /** Extra consistency checks of an imported state, before anything is replaced; none by default. */
  protected checkImported(
    _stepCounts: ReadonlyMap<string, number>,
    _buffers: ReadonlyMap<string, ReadonlyMap<string, Float32Array>>,
  ): void {}
}
