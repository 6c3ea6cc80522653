import { trainingGraph } from './grad';
import type { SymbolicTensor } from './graph';
import { type CompiledGraph, type CompileOptions, compileGraph, type Feed, type OutputValue } from './session';
import type { ParameterStore } from './training/index';

/** Options of {@link compileTrainingStep}; `allowSpinning` is false unless given. */
export interface TrainingStepOptions extends CompileOptions {
  /** Extra outputs computed in the same run. */
  metrics?: Readonly<Record<string, SymbolicTensor>>;
}

/** What one {@link TrainingStep.run} returns. */
export interface TrainingStepResult {
  /** The loss. */
  loss: number;
  /** The metrics, by name. */
  metrics: Record<string, OutputValue>;
  /**
   * d loss / d parameter, by parameter name. The arrays are reused by the next run (written in place, which
   * is much cheaper than fresh outputs): copy them to keep them.
   */
  gradients: Map<string, Float32Array>;
}

/**
 * Forward and backward of a model as one ONNX Runtime run: parameters are fed from a {@link ParameterStore},
 * gradients are written into buffers allocated once.
 */
export class TrainingStep {
  private constructor(
    readonly compiled: CompiledGraph,
    private readonly store: ParameterStore,
    private readonly gradientNames: ReadonlyMap<string, string>,
    private readonly metricNames: readonly string[],
    private readonly gradients: Map<string, Float32Array>,
  ) {}

  /** @internal */
  static async create(loss: SymbolicTensor, store: ParameterStore, options: TrainingStepOptions = {}) {
    const graph = loss.graph;
    const parameters = graph.parameters();
    for (const parameter of parameters) {
      const stored = store.has(parameter.name) ? store.get(parameter.name) : undefined;
      if (!stored) throw new Error(`graph ${graph.name}: parameter ${parameter.name} is not in the store`);
      if (parameter.dataType !== 'float32' || stored.shape.join(',') !== parameter.shape.join(',')) {
        throw new Error(
          `graph ${graph.name}: parameter ${parameter.describe()} does not match the store's [${stored.shape.join(', ')}]`,
        );
      }
    }
    const { metrics, ...compileOptions } = options;
    const gradientNames = trainingGraph(loss, { parameters, metrics: metrics ?? {} });
    // A training step is one long run, so threads that sleep between operators lose little, while spinning ones
    // halved its speed on a machine shared with other work (README, Benchmark).
    const compiled = await compileGraph(graph, { allowSpinning: false, ...compileOptions });
    const gradients = new Map(
      parameters.map((parameter) => [parameter.name, new Float32Array(store.get(parameter.name).data.length)]),
    );
    return new TrainingStep(compiled, store, gradientNames, Object.keys(metrics ?? {}), gradients);
  }

  /** Runs forward and backward on one batch (`feeds` holds the data inputs only). */
  async run(feeds: Readonly<Record<string, Feed>>): Promise<TrainingStepResult> {
    const allFeeds: Record<string, Feed> = { ...feeds };
    const into: Record<string, OutputValue> = {};
    for (const [parameter, output] of this.gradientNames) {
      const stored = this.store.get(parameter);
      allFeeds[parameter] = { data: stored.data, shape: stored.shape };
      into[output] = { data: this.gradients.get(parameter)!, shape: stored.shape };
    }
    const outputs = await this.compiled.run(allFeeds, { into });
    const metrics: Record<string, OutputValue> = {};
    for (const name of this.metricNames) metrics[name] = outputs[name]!;
    return { loss: Number(outputs.loss!.data[0]), metrics, gradients: this.gradients };
  }
}

/**
 * Differentiates `loss` with respect to every parameter of its graph and compiles the training graph (loss,
 * metrics, gradients) for repeated steps; the graph's parameters must be in `store` with the same shapes.
 */
export function compileTrainingStep(
  loss: SymbolicTensor,
  store: ParameterStore,
  options: TrainingStepOptions = {},
): Promise<TrainingStep> {
  return TrainingStep.create(loss, store, options);
}
