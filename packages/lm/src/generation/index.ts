export {
  DecoderSession,
  type DecoderSessionOptions,
  type DecoderStepInputs,
  type DecoderStepOutputs,
  type KeyValueCache,
  positionIdsFromMask,
} from './decoder-session';
export {
  type FinishReason,
  type GeneratedSequence,
  type GeneratedToken,
  type GenerateOptions,
  type GenerationModel,
  generateSequences,
  type Prompts,
  streamTokens,
} from './generate';
