import { type DecayPredicate, pairGradients, SlottedOptimizer } from './optimizer';
import type { ParameterStore } from './parameter-store';

/** Options of {@link Sgd}; the defaults are PyTorch's `torch.optim.SGD` defaults. */
export interface SgdOptions {
  /** Momentum factor mu, default 0 (plain gradient descent). */
  momentum?: number;
  /** Fraction of the gradient held back from the momentum buffer after the first step, default 0. */
  dampening?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0), default false. */
  nesterov?: boolean;
  /** L2 penalty added to the gradient (coupled weight decay), default 0. */
  weightDecay?: number;
  /** Which parameters are decayed, default all. */
  decay?: DecayPredicate;
}

/**
 * Stochastic gradient descent with momentum, per parameter with gradient g:
 *   d <- g + weightDecay * theta
 *   b <- d on a parameter's first step, else mu b + (1 - dampening) d
 *   theta <- theta - lr * (nesterov ? d + mu b : b)          (theta <- theta - lr * d without momentum)
 * Momentum buffers are float32; arithmetic within a step is in float64.
 */
export class Sgd extends SlottedOptimizer {
  readonly kind = 'sgd';
  /** Resolved hyperparameters. */
  readonly options: Readonly<Required<SgdOptions>>;

  constructor(options: SgdOptions = {}) {
    super('Sgd', ['momentum']);
    this.options = {
      momentum: options.momentum ?? 0,
      dampening: options.dampening ?? 0,
      nesterov: options.nesterov ?? false,
      weightDecay: options.weightDecay ?? 0,
      decay: options.decay ?? (() => true),
    };
    const { momentum, dampening, nesterov, weightDecay } = this.options;
    if (!(momentum >= 0 && momentum < 1)) throw new RangeError(`Sgd: momentum must be in [0, 1), got ${momentum}`);
    if (!(dampening >= 0 && dampening <= 1)) throw new RangeError(`Sgd: dampening must be in [0, 1], got ${dampening}`);
    if (!(weightDecay >= 0 && Number.isFinite(weightDecay))) {
      throw new RangeError(`Sgd: weightDecay must be a finite number >= 0, got ${weightDecay}`);
    }
    if (nesterov && (momentum === 0 || dampening !== 0)) {
      throw new RangeError('Sgd: nesterov needs momentum > 0 and dampening 0');
    }
  }

  step(store: ParameterStore, gradients: ReadonlyMap<string, Float32Array>, learningRate: number): void {
    const { momentum, dampening, nesterov, weightDecay, decay } = this.options;
    for (const [parameter, gradient] of pairGradients('Sgd', store, gradients, learningRate)) {
      const { data } = parameter;
      const t = this.nextStep(parameter);
      const lambda = decay(parameter) ? weightDecay : 0;
      if (momentum === 0) {
        for (let index = 0; index < data.length; index++) {
          const theta = data[index]!;
          data[index] = theta - learningRate * (gradient[index]! + lambda * theta);
        }
        continue;
      }
      const buffer = this.slot('momentum', parameter);
      // the first step copies the gradient into the buffer undamped, as PyTorch does
      const carried = t === 1 ? 0 : momentum;
      const taken = t === 1 ? 1 : 1 - dampening;
      for (let index = 0; index < data.length; index++) {
        const theta = data[index]!;
        const d = gradient[index]! + lambda * theta;
        const b = carried * buffer[index]! + taken * d;
        buffer[index] = b;
        data[index] = theta - learningRate * (nesterov ? d + momentum * b : b);
      }
    }
  }
}
