/**
 * @packageDocumentation
 * `@diffchat/rewards/distilled`: text-only rewards distilled from image rewards, for render-free PPO. Needs
 * onnxruntime-node, @diffchat/lm and @diffchat/autodiff.
 */

/** Training and using a distilled text reward. */
export {
  type PreferencePair,
  type ScoredPrompt,
  TextReward,
  type TrainTextRewardOptions,
  trainTextReward,
} from './text-reward';
