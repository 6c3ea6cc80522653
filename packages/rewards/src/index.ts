/**
 * @packageDocumentation
 * DiffChat's rewards. This entry is light (no tensor runtime): the {@link Reward} API, the registry and weighted
 * composition, and the content-integrity heuristic (keywords, instruction semantics, keyword corruption for PPO's
 * negative samples). Model-based rewards live behind subpath exports whose heavy dependencies are optional peers.
 */

/** Config-driven weighted composition of rewards. */
export {
  type ClipRange,
  type ComponentConfig,
  type ComponentDetails,
  type CompositeDetails,
  type CreateRewardOptions,
  createReward,
} from './composite-reward';
/** Content-integrity scoring, keyword retention and their result types. */
export {
  type ContentIntegrityInput,
  type ContentIntegrityOptions,
  type ContentIntegrityResult,
  contentIntegrity,
  defaultContentIntegrityThreshold,
  keywordRetention,
} from './content-integrity';
/** Content integrity as a composable reward. */
export { type ContentIntegrityRewardOptions, contentIntegrityReward } from './content-integrity-reward';
/** Keyword corruption for negative samples. */
export {
  type CorruptedPrompt,
  type CorruptKeywordsOptions,
  corruptKeywords,
  type RandomSource,
} from './corrupt-keywords';
/** The default registry and its helpers. */
export { defaultRegistry, knownRewards, registerReward, unregisterReward } from './default-registry';
/** Error types. */
export { MissingDependencyError, RewardError } from './errors';
/** Key information of a source prompt and an instruction. */
export { extractKeyInfo, type KeyInfo, type KeyInfoInput } from './key-info';
/** Keyword extraction. */
export { extractKeywords } from './keywords';
/** Normalisation of component values. */
export { type Normalisation, RunningMoments } from './normalisation';
/** Loading optional peer dependencies with a clear error. */
export { loadOptionalDependency, type ModuleImporter } from './optional-dependency';
/** Reward registries. */
export { type RewardFactory, type RewardFactoryContext, type RewardRegistration, RewardRegistry } from './registry';
/** The Reward API. */
export {
  checkResults,
  defineReward,
  type PngImage,
  type Reward,
  type RewardDefinition,
  type RewardImage,
  type RewardNeed,
  type RewardRecord,
  type RewardResult,
  type RgbImage,
  validateRecords,
} from './reward';
