/**
 * @packageDocumentation
 * `@diffchat/rewards/pickscore`: PickScore (`exp(logit_scale) * cos`) and its softmax preference over images of one
 * prompt, on any image-text encoder. Needs onnxruntime-node, sharp and @diffchat/lm for ONNX models.
 */

/** PickScore as a reward, its preference probabilities and its config factory. */
export { type PickScoreOptions, pickScoreFromConfig, pickScorePreferences, pickScoreReward } from './pickscore-reward';
