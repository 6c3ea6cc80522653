import { type DecayPredicate, pairGradients, SlottedOptimizer } from './optimizer';
import type { ParameterStore } from './parameter-store';

/** Options of {@link AdamW}; the defaults are PyTorch's `torch.optim.AdamW` defaults. */
export interface AdamWOptions {
  /** Decay rate of the first-moment average, default 0.9. */
  beta1?: number;
  /** Decay rate of the second-moment average, default 0.999 (GPT-style LMs often use 0.95). */
  beta2?: number;
  /** Added to the bias-corrected root second moment, default 1e-8. */
  epsilon?: number;
  /** Decoupled weight decay per unit learning rate, default 0.01. */
  weightDecay?: number;
  /** Which parameters are decayed, default all; pass {@link decayMatricesOnly} to spare biases and LayerNorm. */
  decay?: DecayPredicate;
}

/**
 * Adam with decoupled weight decay (Loshchilov & Hutter), per parameter with gradient g at its step t:
 *   theta <- theta * (1 - lr * weightDecay)                  (decay, for parameters the predicate selects)
 *   m <- beta1 m + (1 - beta1) g,   v <- beta2 v + (1 - beta2) g^2
 *   theta <- theta - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + epsilon)
 * Moments are stored in float32 beside each parameter; arithmetic within a step is in float64.
 */
export class AdamW extends SlottedOptimizer {
  readonly kind = 'adamw';
  /** Resolved hyperparameters. */
  readonly options: Readonly<Required<AdamWOptions>>;

  constructor(options: AdamWOptions = {}) {
    super('AdamW', ['firstMoment', 'secondMoment']);
    this.options = {
      beta1: options.beta1 ?? 0.9,
      beta2: options.beta2 ?? 0.999,
      epsilon: options.epsilon ?? 1e-8,
      weightDecay: options.weightDecay ?? 0.01,
      decay: options.decay ?? (() => true),
    };
    const { beta1, beta2, epsilon, weightDecay } = this.options;
    if (!(beta1 >= 0 && beta1 < 1)) throw new RangeError(`AdamW: beta1 must be in [0, 1), got ${beta1}`);
    if (!(beta2 >= 0 && beta2 < 1)) throw new RangeError(`AdamW: beta2 must be in [0, 1), got ${beta2}`);
    if (!(epsilon > 0 && Number.isFinite(epsilon))) throw new RangeError(`AdamW: epsilon must be > 0, got ${epsilon}`);
    if (!(weightDecay >= 0 && Number.isFinite(weightDecay))) {
      throw new RangeError(`AdamW: weightDecay must be a finite number >= 0, got ${weightDecay}`);
    }
  }

  step(store: ParameterStore, gradients: ReadonlyMap<string, Float32Array>, learningRate: number): void {
    const { beta1, beta2, epsilon, weightDecay, decay } = this.options;
    for (const [parameter, gradient] of pairGradients('AdamW', store, gradients, learningRate)) {
      const { data } = parameter;
      const first = this.slot('firstMoment', parameter);
      const second = this.slot('secondMoment', parameter);
      const t = this.nextStep(parameter);
      const stepSize = learningRate / (1 - beta1 ** t);
      const inverseSqrtCorrection = 1 / Math.sqrt(1 - beta2 ** t);
      const keep = decay(parameter) ? 1 - learningRate * weightDecay : 1;
      const oneMinusBeta1 = 1 - beta1;
      const oneMinusBeta2 = 1 - beta2;
      for (let index = 0; index < data.length; index++) {
        const g = gradient[index]!;
        const m = beta1 * first[index]! + oneMinusBeta1 * g;
        const v = beta2 * second[index]! + oneMinusBeta2 * g * g;
        first[index] = m;
        second[index] = v;
        data[index] = data[index]! * keep - (stepSize * m) / (Math.sqrt(v) * inverseSqrtCorrection + epsilon);
      }
    }
  }

  protected override checkImported(
    stepCounts: ReadonlyMap<string, number>,
    buffers: ReadonlyMap<string, ReadonlyMap<string, Float32Array>>,
  ): void {
    const first = buffers.get('firstMoment')!;
    const second = buffers.get('secondMoment')!;
    for (const name of stepCounts.keys()) {
      const length = first.get(name)?.length;
      if (length === undefined || second.get(name)?.length !== length) {
        throw new Error(`AdamW.importState: parameter "${name}" needs firstMoment and secondMoment of equal length`);
      }
    }
  }
}
