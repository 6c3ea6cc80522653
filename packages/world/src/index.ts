/**
 * @packageDocumentation
 * The prompt world behind DiffChat's embedded default: a curated vocabulary that the sketch renderer draws well,
 * open vocabulary from WordNet (through `@diffchat/lexicon`), scenes with `renderPrompt` and `parsePrompt`, seeded
 * generators of simple prompts, beautified prompts and edit triplets with their ground-truth `EditOperation`, and
 * the rule-based rewriter that stands in for an LLM and edits any prompt.
 */

/** Actions that open-vocabulary subjects are shown doing, with the objects that fit each verb. */
export { ACTION_FRAMES, type ActionFrame, type Agent } from './actions';
/** Beautified prompts. */
export { beautifyPrompt } from './beautify';
/** The words the open vocabulary never draws. */
export { isBlocked } from './blocklist';
/** In-place editing of prompts the world did not write. */
export { editInPlace } from './edit-in-place';
/** Typed edits of scenes. */
export { applyEdit, EDIT_TYPES, type EditOperation } from './edit-operation';
/** Seeded scene and prompt generators. */
export {
  generateScene,
  generateSimplePrompt,
  generateSubject,
  type SceneShape,
  SIMPLE_SCENE_SHAPE,
  type VocabularyOptions,
} from './generate-scene';
/** The phrase reader shared by the parser and the rewriter. */
export {
  type LexicalItem,
  lexicalItems,
  type PromptShape,
  type ReadOptions,
  tokenize,
  type VerbKind,
  type Vocabulary,
} from './lexicon';
/** What kind of subject a name is (person, animal, food, thing). */
export { kindOfObject, type SubjectKind } from './object-kind';
/** The open vocabulary drawn from the lexicon. */
export { type LemmaPool, type OpenPools, type OpenSubjectKind, openPools, type ResolvedAction } from './open-pools';
/** Reading prompts into scenes. */
export { type ParsedPrompt, parsePrompt } from './parse-prompt';
/** The random source every generator takes. */
export type { Random } from './random-choice';
/** The rule-based rewriter. */
export { parseInstruction, parseInstructions, rewriteWithInstruction } from './rewriter';
/** Scenes and how they are written. */
export {
  type Action,
  actionPhrase,
  cloneScene,
  isCuratedObject,
  joinList,
  objectNoun,
  renderContent,
  renderPrompt,
  renderSubject,
  type Scene,
  type Subject,
  settingNounPhrase,
  settingPhrase,
  stylePhrase,
  worldObject,
} from './scene';
/** Edit triplets. */
export { generateEditOperation, generateTriplet, phraseInstruction, type WorldTriplet } from './triplet';
/** The curated vocabulary. */
export * from './vocabulary';
