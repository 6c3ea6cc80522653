/**
 * @packageDocumentation
 * A BeautifulPrompt-style prompt beautifier: train a causal LM on simple/beautiful prompt pairs through
 * @diffchat/sft, and beautify prompts with it, batched, with their log-probabilities; repair the attention-weight
 * syntax of its outputs and drop repeated modifiers. Ships the embedded default's pairs (the prompt world) and the
 * recipe of its small default model.
 */
export { BEAUTIFIER_TEMPLATE, type Beautifier, beautifierTemplate, loadBeautifier } from './beautifier-model';
export {
  BEAUTIFUL_PROMPT_SAMPLING,
  type BeautifiedCandidate,
  type BeautifyOptions,
  type BeautifyResult,
  type BeautifySampler,
  beautify,
  resolveBeautifier,
} from './beautify';
export { cleanPrompt } from './clean-prompt';
export {
  DEFAULT_BEAUTIFIER_MODEL_CONFIG,
  DEFAULT_BEAUTIFIER_RECIPE,
  DEFAULT_BEAUTIFIER_TRAINING,
  DEFAULT_BEAUTIFY_OPTIONS,
  type DefaultRecipe,
  defaultBeautifierDirectory,
  defaultRecipeSchema,
  heldOutPrompts,
  RECIPE_FILE,
  readRecipe,
  type TrainDefaultBeautifierOptions,
  trainDefaultBeautifier,
} from './default-beautifier';
export {
  type DefaultPairsOptions,
  dressPrompt,
  generateDefaultPairs,
  generateSimplePrompts,
  type PairLayout,
  type PairVocabulary,
} from './default-pairs';
export { dressAfterSource, dressingTail } from './dress-prompt';
export {
  checkPromptPairs,
  loadPromptPairs,
  type PromptPairFormat,
  type ReadPromptPairsOptions,
  readPromptPairs,
} from './prompt-pairs';
export type { Random } from './random-pick';
export { removeRepeatedModifiers, repeatsModifier } from './repeated-modifiers';
export {
  type BeautifierStage,
  DEFAULT_BEAUTIFIER_GENERATION,
  type StageOptions,
  type TokenizerTraining,
  type TrainBeautifierOptions,
  type TrainBeautifierResult,
  trainBeautifier,
} from './train-beautifier';
export { hasBrokenWeightSyntax, repairWeightSyntax } from './weight-syntax';
