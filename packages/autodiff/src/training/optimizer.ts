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
