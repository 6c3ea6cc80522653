import { loadLexicon } from '@diffchat/lexicon';
import { LRUCache } from 'lru-cache';
import model from 'wink-eng-lite-web-model';
import winkNLP, { type PartOfSpeech } from 'wink-nlp';
import {
  boilerplatePhrases,
  canonicalForms,
  colours,
  countWords,
  genericNouns,
  type KeywordCategory,
  materials,
  multiWordStyles,
  phraseAliases,
  places,
  seasons,
  styles,
  timesOfDay,
  weathers,
} from './lexicon';
import { mediumWords } from './media';
import { collocationAt, isColourWord, isGerund, isMedium, nounClasses } from './word-knowledge';

/** One token of a prompt, lower-cased; `lemma` is canonical (see `canonicalForms`). */
export interface AnalysedToken {
  value: string;
  lemma: string;
  pos: PartOfSpeech;
  stopWord: boolean;
  /** A colour word used as a noun for a thing ("an orange", "oranges") rather than a colour. */
  colourNoun: boolean;
  boilerplate: boolean;
  /** The next token is a noun: the word stands before it as a modifier ("a coral dress"). */
  modifiesNoun: boolean;
}

/**
 * A unit of key information: one content word, or a run of nouns ("oil painting", "street lamp"). It is present in
 * another text when every one of its lemmas occurs there, in any order ("city street" ~ "street in the city").
 */
export interface Keyword {
  /** Canonical lemmas joined by one space: the keyword as reported to users. */
  text: string;
  lemmas: readonly string[];
  /** Token span [start, end) in the analysed text. */
  start: number;
  end: number;
  category: KeywordCategory;
}

/** A prompt after analysis: its tokens, its keywords, and every canonical lemma and word form it contains. */
export interface TextAnalysis {
  tokens: readonly AnalysedToken[];
  keywords: readonly Keyword[];
  vocabulary: ReadonlySet<string>;
}

// Only the tagger is needed for lemmas; skipping sentence splitting, entities and sentiment halves the cost.
const nlp = winkNLP(model, ['pos']);
const its = nlp.its;
// wink-nlp's declarations type `its.lemma` with a model-addons parameter that `out()` does not accept; at run time
// it is an ordinary token property like `its.value`.
const lemmaProperty = its.lemma as unknown as typeof its.value;

function canonical(word: string): string {
  return canonicalForms.get(word) ?? word;
}

/**
 * The canonical lemma of a word. A season reached only through the lemma ("fallen", "falling": fall) is not one:
 * only "fall" itself, "autumn" and "autumnal" name the season.
 */
function canonicalLemma(word: string, lemma: string): string {
  const form = canonical(lemma);
  return seasons.has(form) && canonical(word) !== form ? lemma : form;
}

const styleAliasPattern = new RegExp(
  `\\b(${[...phraseAliases.keys()]
    .sort((a, b) => b.length - a.length)
    .map((phrase) => phrase.replace(/[-]/g, '\\-'))
    .join('|')})\\b`,
  'gi',
);

function normaliseText(text: string): string {
  // "black-and-white", "award-winning", "hyper-realistic": hyphenated words are read as separate words.
  return text
    .replace(styleAliasPattern, (phrase) => phraseAliases.get(phrase.toLowerCase()) ?? phrase)
    .replace(/(\w)-(?=\w)/g, '$1 ');
}

interface RawToken {
  value: string;
  lemma: string;
  pos: PartOfSpeech;
  stopWord: boolean;
  colourNoun: boolean;
}

function tokenise(text: string): RawToken[] {
  const doc = nlp.readDoc(normaliseText(text));
  const tokens = doc.tokens();
  const values = tokens.out(its.value) as string[];
  const lemmas = tokens.out(lemmaProperty) as string[];
  const parts = tokens.out(its.pos) as PartOfSpeech[];
  const stopWords = tokens.out(its.stopWordFlag) as unknown as boolean[];
  const raw = values.map((value, index): RawToken => {
    const pos = parts[index] ?? 'X';
    // Proper nouns keep their spelling: the lemmatiser turns "Mars" into "mar".
    const lemma = canonicalLemma(
      value.toLowerCase(),
      (pos === 'PROPN' ? value : (lemmas[index] ?? value)).toLowerCase(),
    );
    const previous = values[index - 1]?.toLowerCase();
    // "an orange" is a fruit; "an orange fox" is a colour.
    const next = parts[index + 1];
    const headOfPhrase = next !== 'NOUN' && next !== 'PROPN' && next !== 'ADJ';
    return {
      value: value.toLowerCase(),
      lemma,
      pos,
      stopWord: stopWords[index] === true,
      colourNoun:
        pos === 'NOUN' &&
        colours.has(lemma) &&
        (canonical(value.toLowerCase()) !== lemma || ((previous === 'a' || previous === 'an') && headOfPhrase)),
    };
  });
  // The tagger reads "a chef cooking pasta" as three nouns; a gerund between two nouns is the verb.
  for (let index = 1; index + 1 < raw.length; index++) {
    const token = raw[index]!;
    if (token.pos === 'NOUN' && token.value.endsWith('ing') && isNoun(raw[index - 1]!) && isNoun(raw[index + 1]!)) {
      token.pos = 'VERB';
    }
  }
  // ... tags words its model does not know as X ("samurai"): WordNet knows most of them as nouns ...
  for (const token of raw) {
    if (token.pos === 'X' && /^\p{L}+$/u.test(token.value)) {
      token.pos = 'NOUN';
      token.lemma = canonical(loadLexicon().noun(token.value)?.lemma ?? token.value);
    }
  }
  // ... reads a noun that ends a phrase as an adjective: "instead of a net" ...
  for (let index = 1; index < raw.length; index++) {
    const token = raw[index]!;
    const next = raw[index + 1];
    const phraseEnds = next === undefined || ['PUNCT', 'ADP', 'CCONJ'].includes(next.pos);
    if (token.pos !== 'ADJ' || raw[index - 1]!.pos !== 'DET' || !phraseEnds) continue;
    if (loadLexicon().noun(token.value) !== undefined && !colours.has(token.lemma)) token.pos = 'NOUN';
  }
  // ... reads a plural noun after its modifier as a verb: "autumn leaves", "city lights" ...
  for (let index = 1; index < raw.length; index++) {
    const token = raw[index]!;
    const previous = raw[index - 1]!;
    if (token.pos !== 'VERB' || !token.value.endsWith('s') || token.value.endsWith('ss')) continue;
    const next = raw[index + 1];
    if (!(isNoun(previous) || previous.pos === 'ADJ') || (next !== undefined && isNoun(next))) continue;
    const noun = loadLexicon().noun(token.value);
    if (noun !== undefined && noun.classes[0] !== 'other') {
      token.pos = 'NOUN';
      token.lemma = canonical(noun.lemma);
    }
  }
  // ... reads the verb after its subject as a noun: "a fisherman smoking a pipe", "a woman reading".
  for (let index = 1; index < raw.length; index++) {
    const token = raw[index]!;
    const next = raw[index + 1];
    if (token.pos !== 'NOUN' || !token.value.endsWith('ing') || !isNoun(raw[index - 1]!)) continue;
    if (next !== undefined && isNoun(next)) continue;
    // "children building a snowman": an -ing word before an article is a verb whatever WordNet says first.
    const beforeArticle = next?.pos === 'DET' && loadLexicon().verb(token.value) !== undefined;
    if (beforeArticle || isGerund(token.value)) token.pos = 'VERB';
  }
  // ... reads "the wizard" in "turn the wizard navy" as an adjective of the colour ...
  for (let index = 1; index + 1 < raw.length; index++) {
    const [previous, token, next] = [raw[index - 1]!, raw[index]!, raw[index + 1]!];
    const valueAfter = isNoun(next) && (colours.has(next.lemma) || materials.has(next.lemma));
    const last = index + 2 === raw.length || raw[index + 2]!.pos === 'PUNCT';
    if (token.pos === 'ADJ' && previous.pos === 'DET' && valueAfter && last && !colours.has(token.lemma)) {
      token.pos = 'NOUN';
    }
  }
  // ... and reads plural nouns after a preposition or "have" as verbs: "replace the sheep with bears", "have crowns
  // instead of the cows", "move them to space".
  for (let index = 0; index < raw.length; index++) {
    const token = raw[index]!;
    const previous = raw[index - 1];
    if (token.pos !== 'VERB' || token.value.endsWith('ing')) continue;
    const afterPreposition =
      previous?.pos === 'ADP' || previous?.value === 'to' || previous?.value === 'for' || previous?.value === 'have';
    const looksNominal = token.value !== token.lemma || places.has(token.lemma);
    // "five orange bears": a colour after a count or article starts a noun phrase.
    const afterColour =
      previous !== undefined &&
      (colours.has(previous.lemma) || materials.has(previous.lemma)) &&
      ['DET', 'NUM', 'ADJ'].includes(raw[index - 2]?.pos ?? '');
    if (((afterPreposition || afterColour) && looksNominal) || raw[index + 1]?.value === 'instead') token.pos = 'NOUN';
  }
  return raw;
}

function isNoun(token: RawToken): boolean {
  return token.pos === 'NOUN' || token.pos === 'PROPN';
}

/** The tokens of a text as written (case kept) with the whitespace before each; aligned with {@link analyseText}. */
export function surfaceTokens(text: string): { text: string; space: string }[] {
  const tokens = nlp.readDoc(normaliseText(text)).tokens();
  const values = tokens.out(its.value) as string[];
  const spaces = tokens.out(its.precedingSpaces) as string[];
  return values.map((value, index) => ({ text: value, space: spaces[index] ?? '' }));
}

// Indexed by first word, longest phrases first, so "unreal engine 5" wins over "unreal engine".
const boilerplateSequences = new Map<string, string[][]>();
for (const phrase of boilerplatePhrases) {
  const sequence = tokenise(phrase).map((token) => token.value);
  const list = boilerplateSequences.get(sequence[0]!) ?? [];
  list.push(sequence);
  list.sort((a, b) => b.length - a.length);
  boilerplateSequences.set(sequence[0]!, list);
}

function markBoilerplate(tokens: readonly RawToken[]): boolean[] {
  const marked = tokens.map(() => false);
  for (let start = 0; start < tokens.length; start++) {
    for (const sequence of boilerplateSequences.get(tokens[start]!.value) ?? []) {
      if (start + sequence.length > tokens.length) continue;
      let matches = true;
      for (let offset = 0; offset < sequence.length && matches; offset++) {
        matches = tokens[start + offset]!.value === sequence[offset];
      }
      if (matches) {
        for (let offset = 0; offset < sequence.length; offset++) marked[start + offset] = true;
        start += sequence.length - 1;
        break;
      }
    }
  }
  return marked;
}

const nounTags: ReadonlySet<PartOfSpeech> = new Set(['NOUN', 'PROPN']);
const exclusiveCategoryWords: ReadonlySet<string> = new Set([...timesOfDay, ...seasons, ...weathers]);

/** The category of a single content token, or undefined when the token carries no key information. */
function tokenCategory(token: AnalysedToken): KeywordCategory | undefined {
  // The tokenizer yields an empty token between two dots ("a0..0").
  if (token.boilerplate || token.pos === 'PUNCT' || token.value === '') return undefined;
  const { lemma, pos } = token;
  if (pos === 'NUM' || countWords.has(lemma)) return 'count';
  if (pos === 'VERB' && weathers.has(lemma)) return 'weather';
  // The tagger calls some colour, weather, time and season words verbs ("change it to purple", "make it winter");
  // the surface word must itself be the lexicon word, so "falling leaves" is no season.
  const taggedAsVerb = pos === 'VERB' && canonical(token.value) === lemma;
  if (!nounTags.has(pos) && pos !== 'ADJ' && !taggedAsVerb) return undefined;
  if (colours.has(lemma)) return token.colourNoun ? 'object' : 'colour';
  if (materials.has(lemma)) return 'material';
  if (weathers.has(lemma)) return 'weather';
  if (timesOfDay.has(lemma)) return 'time';
  // "fallen", "falling" have the lemma of "fall" (autumn) but are no season.
  if (seasons.has(lemma) && canonical(token.value) === lemma) return 'season';
  if (taggedAsVerb || token.stopWord || genericNouns.has(lemma)) return undefined;
  if (styles.has(lemma)) return 'style';
  // Open vocabulary: what WordNet says the word names ("teal" is a colour, "cubism" a style, "nightfall" a time).
  const reading = nounClasses(lemma)[0];
  if (reading === 'time-of-day') return 'time';
  if (reading === 'season') return 'season';
  if (isColourWord(lemma) && (pos === 'ADJ' || token.modifiesNoun)) return 'colour';
  if (pos !== 'ADJ' && (isMedium(lemma) || mediumWords.has(lemma))) return 'style';
  return pos === 'ADJ' ? 'attribute' : 'object';
}

function isCompoundPart(token: AnalysedToken, category: KeywordCategory | undefined): boolean {
  return (
    nounTags.has(token.pos) &&
    (category === 'object' || category === 'style') &&
    !exclusiveCategoryWords.has(token.lemma)
  );
}

const multiWordStyleSequences = multiWordStyles.map((style) => style.split(' '));

/**
 * Length of the WordNet multi-word noun starting at `index` that is one keyword ("golden retriever", "fire
 * hydrant", "van gogh"), or 0. It must end on a noun and carry no boilerplate; an age or size adjective before a
 * person stays a modifier ("old man", "little girl"), so that "make him young" can change it.
 */
function collocationOf(tokens: readonly AnalysedToken[], values: readonly string[], index: number): number {
  const first = tokens[index]!;
  if (first.boilerplate || first.pos === 'PUNCT' || first.pos === 'DET' || first.pos === 'NUM') return 0;
  if (first.pos === 'ADP' || first.pos === 'PRON' || first.pos === 'CCONJ' || first.pos === 'VERB') return 0;
  const length = collocationAt(values, index);
  if (length < 2) return 0;
  const span = tokens.slice(index, index + length);
  if (!nounTags.has(span.at(-1)!.pos) || span.some((token) => token.boilerplate || token.pos === 'PUNCT')) return 0;
  // "white horse", "golden retriever", "red wine": a colour stays a colour that an edit can change.
  if (colours.has(first.lemma)) return 0;
  if (first.pos === 'ADJ') {
    const reading = nounClasses(span.map((token) => token.value).join(' '))[0];
    if (reading === 'person' || exclusiveCategoryWords.has(span.at(-1)!.lemma)) return 0;
  }
  return length;
}

/** Length of the multi-word style name starting at `index`, or 0. */
function multiWordStyleAt(tokens: readonly AnalysedToken[], index: number): number {
  for (const sequence of multiWordStyleSequences) {
    if (sequence.every((word, offset) => tokens[index + offset]?.value === word)) return sequence.length;
  }
  return 0;
}

function extract(tokens: readonly AnalysedToken[]): Keyword[] {
  const keywords: Keyword[] = [];
  const values = tokens.map((token) => token.value);
  let index = 0;
  while (index < tokens.length) {
    const token = tokens[index]!;
    const styleLength = multiWordStyleAt(tokens, index);
    if (styleLength > 0) {
      const lemmas = tokens.slice(index, index + styleLength).map((part) => part.lemma);
      keywords.push({ text: lemmas.join(' '), lemmas, start: index, end: index + styleLength, category: 'style' });
      index += styleLength;
      continue;
    }
    const collocation = collocationOf(tokens, values, index);
    const category = collocation > 0 ? 'object' : tokenCategory(token);
    if (category === undefined) {
      index++;
      continue;
    }
    let end = index + Math.max(1, collocation);
    if (collocation > 0 || isCompoundPart(token, category)) {
      // A plural noun ends a compound: "pizzas watermelons" is two things, "oil painting" one.
      const plural = (part: AnalysedToken) => canonical(part.value) !== part.lemma;
      while (
        end < tokens.length &&
        !plural(tokens[end - 1]!) &&
        isCompoundPart(tokens[end]!, tokenCategory(tokens[end]!))
      ) {
        end++;
      }
    }
    const lemmas = tokens.slice(index, end).map((part) => part.lemma);
    const head = lemmas[lemmas.length - 1]!;
    keywords.push({
      text: lemmas.join(' '),
      lemmas,
      start: index,
      end,
      category: end - index > 1 ? (styles.has(head) || mediumWords.has(head) ? 'style' : 'object') : category,
    });
    index = end;
  }
  return keywords;
}

function analyseUncached(text: string): TextAnalysis {
  const raw = tokenise(text);
  const boilerplate = markBoilerplate(raw);
  const tokens: AnalysedToken[] = raw.map((token, index) => ({
    ...token,
    boilerplate: boilerplate[index]!,
    modifiesNoun: raw[index + 1] !== undefined && isNoun(raw[index + 1]!),
  }));
  return { tokens, keywords: extract(tokens), vocabulary: collectVocabulary(raw) };
}

/**
 * Every canonical lemma and word form of a text, without keyword extraction: all that a target prompt needs, so
 * targets (mostly new each time) skip the cache and the boilerplate rules.
 */
export function vocabularyOf(text: string): ReadonlySet<string> {
  const vocabulary = new Set<string>();
  const words = normaliseText(text).toLowerCase().replace(technicalNumbers, ' ').match(wordPattern) ?? [];
  for (const word of words) {
    for (const form of formsOfWord(word)) vocabulary.add(form);
  }
  // A text analysed before brings the lemmas its tagger read in context too ("autumn leaves": leaf).
  const cached = cache.get(text);
  if (cached !== undefined) for (const lemma of cached.vocabulary) vocabulary.add(lemma);
  return vocabulary;
}

// Resolutions, lenses and attention weights ("8k", "35mm", "(vibrant colours:1.3)") are not counts.
const technicalNumbers = /\b\d+(k|mm|px|p|fps)\b|:\s*[+-]?\d*\.?\d+\s*(?=\))|\b\d+\.\d+\b/g;
// Letters and digits apart, as the tokenizer splits "8k" into "8" and "k".
const wordPattern = /\p{L}+|\p{N}+/gu;
const wordForms = new LRUCache<string, readonly string[]>({ max: 100_000 });

/**
 * The word and its lemmas under two readings (alone, and as a noun after "the", so "leaves" yields both "leave" and
 * "leaf"), canonicalised. Tagging a whole target costs more than looking up its words, and the vocabulary of
 * prompts is small, so each word is tagged once.
 */
function formsOfWord(word: string): readonly string[] {
  let forms = wordForms.get(word);
  if (forms === undefined) {
    const alone = tokenise(word);
    const afterArticle = tokenise(`the ${word}`).slice(1);
    forms = [...new Set([canonical(word), ...[...alone, ...afterArticle].map((token) => token.lemma)])];
    wordForms.set(word, forms);
  }
  return forms;
}

function collectVocabulary(tokens: readonly RawToken[]): Set<string> {
  const vocabulary = new Set<string>();
  for (const token of tokens) {
    // Numbers come from the word reading, which tells counts from weights and resolutions ("(a:1.3)", "8k").
    if (token.pos === 'PUNCT' || token.pos === 'NUM') continue;
    vocabulary.add(token.lemma);
    vocabulary.add(canonical(token.value));
  }
  return vocabulary;
}

// Sources and instructions repeat across PPO rollouts and dataset passes: analysing each once is most of the speed.
const cache = new LRUCache<string, TextAnalysis>({ max: 20_000 });

/** Tokenises, tags, lemmatises and extracts the keywords of a text; results are cached per text. */
export function analyseText(text: string): TextAnalysis {
  let analysis = cache.get(text);
  if (analysis === undefined) {
    analysis = analyseUncached(text);
    cache.set(text, analysis);
  }
  return analysis;
}

/** Whether every lemma of the keyword occurs in the text's vocabulary. */
export function containsKeyword(vocabulary: ReadonlySet<string>, keyword: Pick<Keyword, 'lemmas'>): boolean {
  return keyword.lemmas.every((lemma) => vocabulary.has(lemma));
}
