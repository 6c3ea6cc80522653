import type { SeededRandom, SymbolicTensor } from '@diffchat/autodiff';
import type { ArchitectureDefinition, ModelConfigBase } from '../architecture-definition';
import { getArchitecture, registerArchitecture, supportedModelTypes } from '../architecture-registry';
import { dense, type KeyValue, type WeightLayout } from './transformer-layers';

/**
 * Gives the graph value of a weight by its Hugging Face name: a trainable parameter, a frozen initializer or a
 * fed input, as the graph being built decides.
 */
export type WeightSource = (name: string) => SymbolicTensor;

/**
 * Computes one projection `x W + b` of the forward pass ([..., in] -> [..., out]) from the weight's and the
 * bias's Hugging Face names and the weight's storage layout. The forward calls it for every attention and MLP
 * projection, so a graph can add to them (LoRA adapters: `dense(x, W) + s * dropout(x) A^T B^T`); the default
 * is {@link denseProjection}.
 */
export type Projection = (
  x: SymbolicTensor,
  weightName: string,
  biasName: string | null,
  layout: WeightLayout,
) => SymbolicTensor;

/** The plain projection: {@link dense} over the named weight and bias as the weight source gives them. */
export function denseProjection(weights: WeightSource): Projection {
  return (x, weightName, biasName, layout) =>
    dense(x, weights(weightName), biasName === null ? null : weights(biasName), layout);
}

/** The inputs of one forward pass, with the names Hugging Face's decoder exports use. */
export interface ForwardInputs {
  /** int64 [batch, seq]: the new tokens. */
  inputIds: SymbolicTensor;
  /** int64 [batch, past + seq]: 1 where a position may be attended (0 = padding). */
  attentionMask: SymbolicTensor;
  /** int64 [batch, seq]: absolute positions of the new tokens (architectures with learned positions). */
  positionIds?: SymbolicTensor;
  /** Cached keys and values per layer, [batch, heads, past, headSize]; absent for a full forward. */
  past?: readonly KeyValue[];
  /** Return only the new positions' keys and values as presents (a preallocated cache); default false. */
  separateCache?: boolean;
  /** The attention and MLP projections; default {@link denseProjection} of the weight source. */
  project?: Projection;
}

/** What one forward pass computes. */
export interface ForwardOutputs {
  /** [batch, seq, width]: the final hidden states, after the last LayerNorm (input of the heads). */
  hidden: SymbolicTensor;
  /** Keys and values of every layer over past + new positions, [batch, heads, past + seq, headSize]. */
  presents: KeyValue[];
}

/**
 * A causal LM architecture on the autodiff builder: the config/tensor definition plus one forward function
 * from which the training, scoring and decoding graphs are all made.
 */
export interface CausalLanguageModelDefinition<Config extends ModelConfigBase = ModelConfigBase> {
  /** Config schema, tensor names and shapes (registered in the architecture registry by model_type). */
  architecture: ArchitectureDefinition<Config>;
  /** Whether the graphs take `position_ids` (learned positions); ALiBi models do not. */
  usesPositionIds: boolean;
  /** The transformer, embedding to final LayerNorm. */
  forward(config: Config, weights: WeightSource, inputs: ForwardInputs): ForwardOutputs;
  /** Name and layout of the output projection (the embedding itself for tied models). */
  outputProjection(config: Config): { name: string; layout: WeightLayout };
  /** Random initial values of one tensor for training from scratch. */
  initialValues(config: Config, name: string, shape: readonly number[], random: SeededRandom): Float32Array;
}

const definitions = new Map<string, CausalLanguageModelDefinition>();

/**
 * Registers a causal LM by its `model_type`; its architecture goes into the architecture registry too (unless
 * already there), so config.json files of that type load. `{ replace: true }` replaces an existing one.
 */
export function registerCausalLanguageModel<Config extends ModelConfigBase>(
  definition: CausalLanguageModelDefinition<Config>,
  options: { replace?: boolean } = {},
): void {
  const modelType = definition.architecture.modelType;
  if (definitions.has(modelType) && !options.replace) {
    throw new Error(`causal LM "${modelType}" is already registered; pass { replace: true } to replace it`);
  }
  if (!supportedModelTypes().includes(modelType)) registerArchitecture(definition.architecture);
  else if (options.replace && getArchitecture(modelType) !== definition.architecture) {
    registerArchitecture(definition.architecture, { replace: true });
  }
  definitions.set(modelType, definition as unknown as CausalLanguageModelDefinition);
}

/** The causal LM registered for a `model_type`; the error lists the registered ones. */
export function getCausalLanguageModel(modelType: string): CausalLanguageModelDefinition {
  const definition = definitions.get(modelType);
  if (definition === undefined) {
    throw new Error(
      `no causal LM graph is registered for model_type "${modelType}"; registered: ${[...definitions.keys()].sort().join(', ')}`,
    );
  }
  return definition;
}
