/**
 * @packageDocumentation
 * `@diffchat/rewards/defaults`: the embedded default reward models — a small CLIP-style dual encoder, an aesthetic
 * head and a preference term trained here on sketch renderings — written in the layout of the real models. Needs
 * onnxruntime-node, sharp, @diffchat/lm, @diffchat/autodiff and (to train) @diffchat/t2i and @diffchat/world.
 */

/** Rendering the training and evaluation data. */
export { distinctCaptions, type RenderedExample, renderExamples } from './default-dataset';
/** The dual encoder's architecture. */
export {
  addDualEncoderParameters,
  type DualEncoderConfig,
  defaultDualEncoderConfig,
  dualEncoderShapes,
  textTower,
  visionTower,
  type WeightSource,
} from './dual-encoder';
/** Loading the trained models and their rewards. */
export { type DefaultRewards, defaultRewardsDirectory, loadDefaultRewards } from './load-default-rewards';
/** The pixel-level aesthetic measure the head learns. */
export { type PixelAesthetics, pixelAesthetics } from './pixel-aesthetics';
/** Training. */
export {
  defaultRewardFiles,
  type TrainDefaultRewardsOptions,
  type TrainDefaultRewardsResult,
  trainDefaultRewards,
} from './train-default-rewards';
/** The word-level tokenizer in tokenizer.json format. */
export { buildWordTokenizer, words } from './word-tokenizer';
