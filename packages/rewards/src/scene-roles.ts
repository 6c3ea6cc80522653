import type { Keyword, TextAnalysis } from './text-analysis';
import {
  adjectiveAttributes,
  areAntonyms,
  isMedium,
  nounClasses,
  settingReading,
  wordSentiment,
} from './word-knowledge';

// The roles keywords play in a source prompt, as the instruction semantics need them: where the scene takes place,
// what it is about, and which attributes clash.

const containerWords: ReadonlySet<string> = new Set([
  'group',
  'bunch',
  'pile',
  'stack',
  'pair',
  'set',
  'collection',
  'row',
  'closeup',
  'close',
  'portrait',
  'photo',
  'picture',
  'painting',
  'drawing',
  'view',
]);

export function headOf(keyword: Keyword): string {
  return keyword.lemmas[keyword.lemmas.length - 1]!;
}

/** The source keywords where the scene takes place ("cafe", "beach", "street market"), in source order. */
export function settingsOf(source: TextAnalysis): Keyword[] {
  return source.keywords.filter((keyword) => {
    if (keyword.category !== 'object') return false;
    const head = headOf(keyword);
    if (settingReading(head) === 'first') return true;
    // "street market": the market is a place through the street; a "barn owl" is no place.
    if (!isLiving(head) && keyword.lemmas.some((lemma) => settingReading(lemma) === 'first')) return true;
    const before = source.tokens[keyword.start - 1]?.value;
    return settingReading(headOf(keyword)) === 'some' && (before === 'in' || before === 'at' || before === 'inside');
  });
}

const livingClasses: ReadonlySet<string> = new Set(['person', 'artist', 'animal', 'plant']);

export function isLiving(lemma: string): boolean {
  return nounClasses(lemma)
    .slice(0, 2)
    .some((name) => livingClasses.has(name));
}

/** How a noun unknown to WordNet may still name a place: by a place noun it ends with ("treehouse": house). */
export function settingReadingOf(lemma: string): 'first' | 'some' | 'none' {
  const reading = settingReading(lemma);
  if (reading !== 'none' || nounClasses(lemma).length > 0) return reading;
  for (let cut = 3; cut <= lemma.length - 3; cut++) {
    if (settingReading(lemma.slice(cut)) === 'first') return 'first';
  }
  return 'none';
}

/** The thing a prompt is about: its first object that is not its setting nor a frame ("a portrait of", "a group of"). */
export function mainSubjectOf(source: TextAnalysis): Keyword | undefined {
  const settings = new Set(settingsOf(source));
  return source.keywords.find((keyword) => {
    if (keyword.category !== 'object' || settings.has(keyword)) return false;
    const framing = containerWords.has(headOf(keyword)) && source.tokens[keyword.end]?.value === 'of';
    return !framing && !isMedium(headOf(keyword));
  });
}

/** Whether two single-word attributes give values of the same thing ("old"/"young": age) or oppose each other. */
export function conflictingAttributes(first: string, second: string): boolean {
  if (first === second) return false;
  if (areAntonyms(first, second)) return true;
  // Moods and characters WordNet does not oppose directly: "sad" and "cheerful", "kind" and "evil".
  if (wordSentiment(first) * wordSentiment(second) < 0) return true;
  const attributes = adjectiveAttributes(first);
  return adjectiveAttributes(second).some((attribute) => attributes.includes(attribute));
}
