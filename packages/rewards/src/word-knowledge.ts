import { loadLexicon, type NounClass, SETTING_CLASSES, THING_CLASSES } from '@diffchat/lexicon';
import model from 'wink-eng-lite-web-model';
import winkNLP from 'wink-nlp';
import { places } from './lexicon';

/**
 * What content integrity asks of the WordNet lexicon, in its terms. The lexicon loads on the first call (about a
 * tenth of a second), so importing the package stays cheap.
 */

/** The classes of a noun's senses, most frequent first; empty for words WordNet does not know as nouns. */
export function nounClasses(lemma: string): readonly NounClass[] {
  return loadLexicon().noun(lemma)?.classes ?? [];
}

/**
 * Where a noun can be the setting of a scene: `first` when its most frequent sense is a place ("library", "beach"),
 * `some` when only a later sense is ("diner": an eater first, a restaurant third), else `none`.
 */
export function settingReading(lemma: string): 'first' | 'some' | 'none' {
  if (places.has(lemma)) return 'first';
  const classes = nounClasses(lemma);
  if (classes.length === 0) return 'none';
  if (SETTING_CLASSES.has(classes[0]!)) return 'first';
  return classes.some((name) => SETTING_CLASSES.has(name)) ? 'some' : 'none';
}

/** Whether a noun's most frequent sense is something a picture shows as its subject (a person, an animal, a tool...). */
export function isThing(lemma: string): boolean {
  const first = nounClasses(lemma)[0];
  return first !== undefined && THING_CLASSES.has(first);
}

// Art readings that prompts use as subjects rather than media ("a statue of a lion", "a gem").
const notMedia: ReadonlySet<string> = new Set([
  'art',
  'statue',
  'gem',
  'dance',
  'still',
  'miniature',
  'nude',
  'warhorse',
  'grotesque',
  'carving',
  'longshot',
]);

/** Whether a noun names an art medium, movement or kind of picture ("watercolor", "cubism", "photograph"). */
export function isMedium(lemma: string): boolean {
  return nounClasses(lemma)[0] === 'art' && !notMedia.has(lemma);
}

/** Whether a word names a colour in WordNet ("teal", "coral", "ochre"), beyond the curated colour list. */
export function isColourWord(lemma: string): boolean {
  return nounClasses(lemma)[0] === 'colour';
}

/** Whether a word names a substance or fabric things are made of ("granite", "linen", "brass"). */
export function isMaterialWord(lemma: string): boolean {
  return nounClasses(lemma)[0] === 'material';
}

/** Attributes an adjective gives a value of ("old" -> age), from WordNet. */
export function adjectiveAttributes(lemma: string): readonly string[] {
  return loadLexicon().adjective(lemma)?.attributes ?? [];
}

/** Whether two adjectives are opposites in WordNet (either direction: "old"/"young", "elderly"/"young"). */
export function areAntonyms(first: string, second: string): boolean {
  const lexicon = loadLexicon();
  return (
    (lexicon.adjective(first)?.antonyms.includes(second) ?? false) ||
    (lexicon.adjective(second)?.antonyms.includes(first) ?? false)
  );
}

/**
 * Whether an "-ing" word after a noun is the verb of that noun ("a fisherman smoking a pipe", "a woman reading")
 * rather than a noun of its own ("an office building", "an oil painting"): WordNet reads it first as an act and
 * knows its verb.
 */
export function isGerund(word: string): boolean {
  const lexicon = loadLexicon();
  if (lexicon.verb(word) === undefined) return false;
  const classes = lexicon.noun(word)?.classes;
  return classes === undefined || classes[0] === 'other';
}

/** Words (2 or more) of the WordNet multi-word noun starting at `start` ("golden retriever"), or 0. */
export function collocationAt(words: readonly string[], start: number): number {
  return loadLexicon().collocationAt(words, start);
}

// A second pipeline with sentence sentiment, made on first use: only single adjectives are scored.
let sentimentPipeline: ReturnType<typeof winkNLP> | undefined;
const sentiments = new Map<string, number>();

/** The sentiment of a single word from wink-nlp's lexicon, in [-1, 1]; 0 for neutral or unknown words. */
export function wordSentiment(word: string): number {
  let score = sentiments.get(word);
  if (score === undefined) {
    sentimentPipeline ??= winkNLP(model, ['sbd', 'negation', 'sentiment']);
    score = sentimentPipeline.readDoc(word).out(sentimentPipeline.its.sentiment) as unknown as number;
    sentiments.set(word, score);
  }
  return score;
}

/**
 * Whether a noun reading of `value` shares a class with `other`'s, and how early: the sum of the two sense
 * positions of the first class they share ("tiger" and "lion" are both animals at their second and first sense),
 * or Infinity when they share none. `other` readings are ignored.
 */
export function classDistance(value: string, other: string): number {
  const first = nounClasses(value);
  const second = nounClasses(other);
  let best = Number.POSITIVE_INFINITY;
  first.forEach((name, index) => {
    const at = second.indexOf(name);
    if (name !== 'other' && at >= 0) best = Math.min(best, index + at);
  });
  return best;
}
