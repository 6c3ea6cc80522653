/** @packageDocumentation Causal language models on ONNX Runtime: tokenizers, GPT-2 and BLOOM, decoding, checkpoints, hub loading */

export type { ArchitectureDefinition, ModelConfigBase, ModelDimensions, TensorSpec } from './architecture-definition';
export {
  getArchitecture,
  type ParsedModelConfig,
  parseModelConfig,
  registerArchitecture,
  supportedModelTypes,
} from './architecture-registry';
export { type BloomConfig, bloomArchitecture, bloomConfigSchema } from './bloom-architecture';
export { type BpeTokenizerParts, bpeTokenizerFiles } from './bpe-tokenizer-json';
export { type BpeTrainingOptions, DEFAULT_SPECIAL_TOKENS, trainBpeTokenizer } from './bpe-trainer';
export { BYTE_TO_CHARACTER, CHARACTER_TO_BYTE, PRE_TOKENIZE_PATTERN, preTokenize, toByteLevel } from './byte-level';
export { BytePairEncoder, type BytePairEncoderParts } from './byte-pair-encoder';
export { CONFIG_LIMITS } from './config-fields';
export * from './export/index';
export * from './generation/index';
export { type GenerationConfig, generationConfigSchema, parseGenerationConfig } from './generation-config';
export { type Gpt2Config, gpt2Architecture, gpt2ConfigSchema } from './gpt2-architecture';
export {
  hubCacheDirectory,
  loadModelDirectory,
  ModelNotAvailableError,
  type ResolveModelOptions,
  resolveModel,
} from './hub';
export {
  checkWeights,
  MODEL_FILES,
  type ModelDirectory,
  type ModelDirectoryToSave,
  readModelDirectory,
  saveModelDirectory,
  type WeightTensor,
} from './model-directory';
export { ModelFormatError } from './model-format-error';
export {
  checkModelDirectorySize,
  checkParameterMemory,
  impliedParameterCount,
  safetensorsElementCount,
} from './model-size';
export * from './models/index';
export type { SpecialTokenIds, SpecialTokens } from './special-tokens';
export {
  type BatchEncodeOptions,
  type BatchEncoding,
  createTokenizer,
  type DecodeOptions,
  type EncodeOptions,
  loadTokenizer,
  type TextTokenizer,
} from './tokenizer';
export {
  readTokenizerFiles,
  saveTokenizerFiles,
  TOKENIZER_CONFIG_FILE,
  TOKENIZER_FILE,
  type TokenizerFiles,
  validateTokenizerConfig,
  validateTokenizerJson,
} from './tokenizer-files';
