/**
 * @packageDocumentation
 * `@diffchat/rewards/aesthetic`: the LAION improved aesthetic predictor (an MLP on L2-normalised CLIP image
 * embeddings, weights from safetensors) as a reward. Needs onnxruntime-node, sharp, @diffchat/lm and
 * @diffchat/autodiff (for safetensors).
 */

/** The predictor and its weights. */
export {
  AestheticPredictor,
  type AffineLayer,
  aestheticLayerIndices,
  aestheticPredictorFromTensors,
  loadAestheticPredictor,
} from './aesthetic-predictor';
/** The aesthetic reward. */
export {
  type AestheticRewardOptions,
  aestheticFromConfig,
  aestheticReward,
  aestheticWeightsFile,
} from './aesthetic-reward';
