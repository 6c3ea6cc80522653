export {
  DecoderSession,
  type DecoderSessionOptions,
  type DecoderStepInputs,
  type DecoderStepOutputs,
  type KeyValueCache,
  positionIdsFromMask,
} from './decoder-session';
export {
  DEFAULT_MAX_LENGTH,
  type FinishReason,
  type GeneratedSequence,
  type GeneratedToken,
  type GenerateOptions,
  type GenerationModel,
  generateSequences,
  type Prompts,
  streamTokens,
} from './generate';
export { GenerationError } from './generation-error';
