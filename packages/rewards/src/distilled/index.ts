/**
 * @packageDocumentation
 * `@diffchat/rewards/distilled`: text-only rewards distilled from image rewards, for render-free PPO. Needs
 * onnxruntime-node, @diffchat/lm and @diffchat/autodiff.
 */

/** Sizes of the causal LM of a distilled reward. */
export type { CausalLmSizes } from './causal-lm-regressor';
/** Training, saving, loading and using a distilled text reward. */
export {
  distilledFromConfig,
  loadTextReward,
  type PreferencePair,
  type ScoredPrompt,
  TextReward,
  type TrainTextRewardOptions,
  textRewardConfigFile,
  trainTextReward,
} from './text-reward';
