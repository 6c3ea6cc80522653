/** The prompt world: vocabulary data and seeded generators of prompts, beautified prompts and edit triplets. */
export { beautifyPrompt } from './beautify';
export { applyEdit, EDIT_TYPES, type EditOperation } from './edit-operation';
export {
  generateScene,
  generateSimplePrompt,
  generateSubject,
  type SceneShape,
  SIMPLE_SCENE_SHAPE,
} from './generate-scene';
export { type LexicalItem, lexicalItems, tokenize, type VerbKind } from './lexicon';
export { type ParsedPrompt, parsePrompt } from './parse-prompt';
export type { Random } from './random-choice';
export { parseInstruction, parseInstructions, rewriteWithInstruction } from './rewriter';
export {
  cloneScene,
  joinList,
  renderContent,
  renderPrompt,
  renderSubject,
  type Scene,
  type Subject,
  worldObject,
} from './scene';
export { generateEditOperation, generateTriplet, phraseInstruction, type WorldTriplet } from './triplet';
export * from './vocabulary';
