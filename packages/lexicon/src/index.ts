/**
 * @packageDocumentation
 * WordNet-derived word knowledge for prompts: what a noun names (a thing, a setting, a time of day, the weather, a
 * style...), the attributes and antonyms of adjectives, verbs that take objects, and multi-word nouns. Built from
 * WordNet 3.1 into a compact index at build time and read lazily on first use.
 */
export {
  type AdjectiveEntry,
  type AdjectiveFilter,
  type Lexicon,
  LexiconError,
  loadLexicon,
  type NounEntry,
  type NounFilter,
  parseLexiconIndex,
  type VerbEntry,
} from './lexicon';
export { baseFormCandidates, type PartOfSpeech } from './morphology';
export { decodeNounClasses, NOUN_CLASS_CODES, type NounClass, SETTING_CLASSES, THING_CLASSES } from './noun-class';
