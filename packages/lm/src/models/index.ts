export { alibiSlopes, bloomModel } from './bloom';
export {
  CausalLM,
  type CausalLMParts,
  type CreateModelOptions,
  createModel,
  HEADS_FILE,
  loadModel,
  readHeads,
  type ScoreOptions,
  type SequenceScores,
  type TokenBatch,
} from './causal-lm';
export { gpt2Model } from './gpt2';
export {
  type CausalLanguageModelDefinition,
  denseProjection,
  type ForwardInputs,
  type ForwardOutputs,
  getCausalLanguageModel,
  type Projection,
  registerCausalLanguageModel,
  type WeightSource,
} from './model-definition';
export {
  buildDecodingGraph,
  buildScoringGraph,
  buildTrainingGraph,
  DECODER_NAMES,
  type DecodingGraphOptions,
  HEAD_TENSORS,
  type ModelGraph,
  type ModelWeights,
  type ScoringGraph,
  type ScoringGraphOptions,
  type TrainingGraph,
  type TrainingGraphOptions,
  type WeightOptions,
  type WeightPlacement,
} from './model-graphs';
export {
  type AttentionContext,
  causalSelfAttention,
  cumulativeSum,
  dense,
  type KeyValue,
  keyMaskOf,
  type WeightLayout,
} from './transformer-layers';
