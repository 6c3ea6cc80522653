/**
 * @packageDocumentation
 * `@diffchat/rewards/clip`: image-text encoders (CLIP in Hugging Face's ONNX layout on onnxruntime-node, images
 * preprocessed with sharp) and the rewards built on them: CLIPScore and Promptist's relevance. Needs the optional
 * packages onnxruntime-node, sharp and @diffchat/lm.
 */

/** Vector helpers. */
export { dot, l2Normalize, softmax } from '../embeddings';
/** CLIPScore and relevance as rewards, and their config factories. */
export {
  type ClipScoreOptions,
  clipScoreFromConfig,
  clipScoreReward,
  type RelevanceOptions,
  relevanceFromConfig,
  relevanceReward,
} from './clip-rewards';
/** CLIP tokenisation (pad and truncate to 77). */
export { type ClipTextBatch, clipContextLength, tokenizeForClip } from './clip-tokenization';
/** CLIP image preprocessing. */
export { clipImagePreprocessing, type ImagePreprocessing, preprocessImages, resizedSize } from './image-preprocessing';
/** The encoder interface. */
export type { ImageTextEncoder } from './image-text-encoder';
/** Comparing records' images with their texts. */
export {
  embedRecordImages,
  needsFor,
  recordCosines,
  sharedClipEncoder,
  type TextChoice,
  textOf,
} from './image-text-similarity';
/** The ONNX CLIP encoder. */
export { type ClipEncoderOptions, clipModelFiles, loadClipEncoder, OnnxClipEncoder } from './onnx-clip-encoder';
