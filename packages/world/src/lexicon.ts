import type { Lexicon, NounClass } from '@diffchat/lexicon';
import { gerundOf } from './inflection';
import { openWords, roleOfClass } from './open-words';
import {
  WORLD_ATTRIBUTES,
  WORLD_COLOURS,
  WORLD_COUNTS,
  WORLD_MATERIALS,
  WORLD_OBJECTS,
  WORLD_QUALITIES,
  WORLD_SCENES,
  WORLD_SEASONS,
  WORLD_STYLES,
  WORLD_TIMES,
  WORLD_WEATHER,
  type WorldTerm,
} from './vocabulary';

/** Which words a reader knows: the curated vocabulary only, or the lexicon's open vocabulary as well. */
export type Vocabulary = 'curated' | 'open';

/** Framings of a whole prompt. */
export type PromptShape = 'portrait' | 'close-up';

/** What an edit-instruction verb asks for; decides between readings when an instruction names two objects. */
export type VerbKind = 'add' | 'remove' | 'replace';

/** The meaning of one matched phrase of a prompt or instruction. */
export type LexicalItem =
  | { kind: 'object'; name: string; plural: boolean }
  | {
      kind: 'colour' | 'material' | 'attribute' | 'scene' | 'time' | 'weather' | 'season' | 'style' | 'quality';
      name: string;
    }
  | { kind: 'count'; value: number; article: boolean }
  | { kind: 'verb'; verb: VerbKind }
  | {
      kind: 'action';
      /** Verb lemma, e.g. `smoke` for `smoking`. */
      verb: string;
      word: string;
      /** The word's reading when it follows no subject (`a building`, `a painting of`). */
      otherwise?: LexicalItem;
    }
  | { kind: 'shape'; shape: PromptShape }
  | { kind: 'known'; word: string }
  | { kind: 'unknown'; word: string };

/**
 * Words that carry no content but are expected in prompts and instructions (articles, prepositions, the framing
 * that prompt sites and edit instructions use). They are neither drawn nor reported as unknown.
 */
const KNOWN_WORDS = `the and in on at by of with under during into to for from it its them they their is are be being
should also too please now instead just there this that these those some more next near beside behind front over above
below around across through scene image picture photo photograph painting illustration artwork art render digital
concept style background foreground day sky colour color colored coloured everything whole empty made out as can you i
want would like have has make turn change set move show let lets keep give number season weather time same but very
view shot featuring showing depicting portrait landscape wide angle close-up closeup detailed lighting light focus
colours colors quality composition standing sitting sleeping walking flying swimming playing resting running together
group bit rather version looks look so new another each all panel key soft drawing recolour recolor paint
every use away scenery setting`;

const VERBS: ReadonlyArray<readonly [string, VerbKind]> = [
  ['add', 'add'],
  ['put', 'add'],
  ['include', 'add'],
  ['place', 'add'],
  ['insert', 'add'],
  ['remove', 'remove'],
  ['delete', 'remove'],
  ['erase', 'remove'],
  ['get rid of', 'remove'],
  ['take', 'remove'],
  ['without', 'remove'],
  ['lose', 'remove'],
  ['no more', 'remove'],
  ['replace', 'replace'],
  ['swap', 'replace'],
  ['hold', 'add'],
  ['instead of', 'replace'],
];

function normalisePhrase(phrase: string): string {
  return tokenize(phrase).join(' ');
}

/** A word of a text with where it stands: `text.slice(start, end)` is the word as written. */
export interface TextToken {
  /** Lower-case word. */
  word: string;
  start: number;
  end: number;
}

/**
 * Splits text into lower-case word tokens with their offsets. Prompt-site syntax is dropped first: attention
 * weights (`(fox:1.3)`), brackets, pipes and punctuation.
 */
export function tokenSpans(text: string): TextToken[] {
  // Masking keeps every offset: weights and punctuation become spaces of the same length.
  const masked = text
    .replace(/:\s*-?\d+(\.\d+)?/g, (match) => ' '.repeat(match.length))
    .replace(/[^a-zA-Z0-9'\- ]/g, ' ');
  const tokens: TextToken[] = [];
  for (const match of masked.matchAll(/[^ ]+/g)) {
    let start = match.index;
    let end = start + match[0].length;
    while (start < end && (masked[start] === "'" || masked[start] === '-')) start++;
    while (end > start && (masked[end - 1] === "'" || masked[end - 1] === '-')) end--;
    if (end > start) tokens.push({ word: masked.slice(start, end).toLowerCase(), start, end });
  }
  return tokens;
}

/**
 * Splits text into lower-case word tokens. Prompt-site syntax is dropped first: attention weights
 * (`(fox:1.3)`), brackets, pipes and punctuation.
 */
export function tokenize(text: string): string[] {
  return tokenSpans(text).map((token) => token.word);
}

function buildLexicon(): { entries: Map<string, LexicalItem>; longest: number } {
  const entries = new Map<string, LexicalItem>();
  const add = (phrase: string, item: LexicalItem): void => {
    const key = normalisePhrase(phrase);
    const existing = entries.get(key);
    if (existing && existing.kind !== 'known') {
      throw new Error(`world vocabulary: phrase "${key}" is defined twice (${existing.kind} and ${item.kind})`);
    }
    entries.set(key, item);
  };
  for (const word of KNOWN_WORDS.split(/\s+/)) entries.set(word, { kind: 'known', word });
  const terms = (
    kind: 'colour' | 'material' | 'attribute' | 'scene' | 'time' | 'weather' | 'season' | 'style' | 'quality',
    table: readonly WorldTerm[],
  ): void => {
    for (const term of table) {
      add(term.name, { kind, name: term.name });
      for (const alias of term.aliases ?? []) add(alias, { kind, name: term.name });
    }
  };
  for (const entry of WORLD_OBJECTS) {
    add(entry.name, { kind: 'object', name: entry.name, plural: false });
    if (entry.plural !== entry.name) add(entry.plural, { kind: 'object', name: entry.name, plural: true });
    for (const alias of entry.aliases ?? []) {
      add(alias, { kind: 'object', name: entry.name, plural: false });
      add(`${alias}s`, { kind: 'object', name: entry.name, plural: true });
    }
  }
  terms('colour', WORLD_COLOURS);
  terms('material', WORLD_MATERIALS);
  terms('attribute', WORLD_ATTRIBUTES);
  terms('scene', WORLD_SCENES);
  terms('time', WORLD_TIMES);
  terms('weather', WORLD_WEATHER);
  terms('season', WORLD_SEASONS);
  terms('style', WORLD_STYLES);
  terms('quality', WORLD_QUALITIES);
  for (const count of WORLD_COUNTS) {
    for (const alias of count.aliases) add(alias, { kind: 'count', value: count.value, article: false });
  }
  entries.set('a', { kind: 'count', value: 1, article: true });
  entries.set('an', { kind: 'count', value: 1, article: true });
  for (const [phrase, verb] of VERBS) add(phrase, { kind: 'verb', verb });
  let longest = 1;
  for (const key of entries.keys()) longest = Math.max(longest, key.split(' ').length);
  return { entries, longest };
}

const phrases = buildLexicon();

/** A lexical item with the tokens it was read from. */
export interface ItemSpan {
  item: LexicalItem;
  /** Index of its first token. */
  first: number;
  /** Number of tokens. */
  length: number;
}

/** Options of {@link lexicalItems} and the readers built on it. */
export interface ReadOptions {
  /** `'open'` also reads the words the lexicon knows (nouns, adjectives, -ing verbs). Default `'curated'`. */
  vocabulary?: Vocabulary;
}

/** True when the curated vocabulary reads the phrase (a word or words) as something other than unknown. */
export function isCuratedPhrase(phrase: string): boolean {
  return phrases.entries.has(normalisePhrase(phrase));
}

/** Curated object names, plurals and aliases, word by word: an open collocation never ends on one (`red fox`). */
const curatedObjectWords = new Set(
  [...phrases.entries].filter(([, item]) => item.kind === 'object').map(([phrase]) => phrase.split(' ').at(-1)!),
);

function curatedMatch(tokens: readonly string[], position: number): { item: LexicalItem; length: number } | undefined {
  for (let length = Math.min(phrases.longest, tokens.length - position); length >= 1; length--) {
    const item = phrases.entries.get(tokens.slice(position, position + length).join(' '));
    if (item) return { item, length };
  }
  return undefined;
}

const SHAPE_WORDS: ReadonlyMap<string, PromptShape> = new Map([
  ['portrait', 'portrait'],
  ['close-up', 'close-up'],
  ['closeup', 'close-up'],
]);

const NOT_THINGS: ReadonlySet<NounClass> = new Set(['time-of-day', 'season', 'weather', 'time', 'colour']);

/** True when a curated object's phrase starts inside the span (`red pine tree` holds `pine tree`). */
function curatedObjectInside(tokens: readonly string[], first: number, length: number): boolean {
  for (let position = first + 1; position < first + length; position++) {
    if (curatedMatch(tokens, position)?.item.kind === 'object') return true;
  }
  return false;
}

// Works of art a picture shows standing in it (`the statue of liberty`): things, not styles, wherever they stand.
const SCULPTED = new Set(['statue', 'sculpture', 'figurine', 'bust', 'carving', 'totem', 'monument']);

/**
 * The open reading of a noun. Nouns of no drawable class become objects too (`a book`, `a herd`), except for
 * multi-word ones (`roleless: false`), which would otherwise swallow a modifier and its noun (`red tape`).
 */
function openNounItem(
  phrase: string,
  options: { roleless: boolean; styleContext?: boolean; modifierContext?: boolean } = { roleless: true },
): LexicalItem | undefined {
  const words = openWords(isCuratedPhrase);
  const entry = words.lexicon.noun(phrase);
  if (entry === undefined || entry.sensitive) return undefined;
  // An artist's name stands for a style after `style of` or `by`; elsewhere an artist is a person (`a tattoo artist`).
  // A work of art that is also a thing (`van`, `etching`) is a style only where a style stands (`an etching of`).
  let nounClass = entry.classes[0] === 'artist' && !options.styleContext ? 'person' : entry.classes[0];
  if (nounClass === 'art' && entry.lemma.split(' ').some((word) => SCULPTED.has(word))) {
    return { kind: 'object', name: entry.lemma, plural: entry.lemma !== phrase };
  }
  if (nounClass === 'art' && !options.styleContext) {
    nounClass = entry.classes.find((candidate) => roleOfClass(candidate) === 'thing') ?? nounClass;
  }
  // "otter" is first a fur in WordNet: a material only where a material stands (`made of otter`, `otter coat`).
  if (nounClass === 'material' && !options.modifierContext) {
    nounClass = entry.classes.find((candidate) => roleOfClass(candidate) === 'thing') ?? nounClass;
  }
  switch (roleOfClass(nounClass)) {
    case 'thing':
      return { kind: 'object', name: entry.lemma, plural: entry.lemma !== phrase };
    case 'setting':
      return { kind: 'scene', name: entry.lemma };
    case 'style':
      return { kind: 'style', name: entry.lemma };
    case 'material':
      return { kind: 'material', name: entry.lemma };
    default:
      // Nouns of no drawable class are still things a prompt can show (`a book`, `a herd`), but never times,
      // seasons, weather or colours, which the curated vocabulary reads.
      if (!options.roleless || NOT_THINGS.has(entry.classes[0]!)) return undefined;
      return { kind: 'object', name: entry.lemma, plural: entry.lemma !== phrase };
  }
}

/** After `made of`/`out of`, or right before another noun: where a material noun stands. */
function inModifierContext(tokens: readonly string[], position: number, length: number, lexicon: Lexicon): boolean {
  if (tokens[position - 1] === 'of' && ['made', 'out'].includes(tokens[position - 2] ?? '')) return true;
  const next = tokens[position + length];
  return next !== undefined && lexicon.noun(next) !== undefined && !next.endsWith('ing');
}

/** Where a noun names a style: `in the style of X`, `by X`, `X style`, `an X of ...`. */
function inStyleContext(tokens: readonly string[], position: number, length = 1): boolean {
  const next = tokens[position + length];
  return (
    tokens[position - 1] === 'by' ||
    (tokens[position - 1] === 'of' && tokens[position - 2] === 'style') ||
    next === 'of' ||
    next === 'style'
  );
}

/** The open reading of one position when the curated vocabulary has none (or only a framing word). */
function openMatch(
  tokens: readonly string[],
  position: number,
  curated: { item: LexicalItem; length: number } | undefined,
): { item: LexicalItem; length: number } | undefined {
  const words = openWords(isCuratedPhrase);
  const word = tokens[position]!;
  const collocation = words.lexicon.collocationAt(tokens, position);
  if (
    collocation >= 2 &&
    collocation > (curated?.length ?? 0) &&
    !curatedObjectWords.has(tokens[position + collocation - 1]!) &&
    !curatedObjectInside(tokens, position, collocation) &&
    // "big blue", "white metal": words the curated vocabulary reads one by one keep their curated readings.
    !tokens.slice(position, position + collocation).every((token) => phrases.entries.has(token))
  ) {
    const item = openNounItem(tokens.slice(position, position + collocation).join(' '), {
      roleless: false,
      styleContext: inStyleContext(tokens, position, collocation),
      modifierContext: inModifierContext(tokens, position, collocation, words.lexicon),
    });
    if (item) return { item, length: collocation };
  }
  const shape = SHAPE_WORDS.get(word);
  if (shape && tokens[position + 1] === 'of') return { item: { kind: 'shape', shape }, length: 2 };
  if (curated && curated.item.kind !== 'known') return curated;
  if (words.attributes.has(word)) return { item: { kind: 'attribute', name: word }, length: 1 };
  if (words.colours.has(word)) return { item: { kind: 'colour', name: word }, length: 1 };
  const otherwise =
    curated?.item ??
    openNounItem(word, {
      // "rolling hills": an -ing word is a verb or an adjective before it is a noun of no drawable class.
      roleless: !word.endsWith('ing'),
      styleContext: inStyleContext(tokens, position),
      modifierContext: inModifierContext(tokens, position, 1, words.lexicon),
    });
  if (word.endsWith('ing')) {
    // The lexicon's rules find "smoking" and "running" but not "tying" or "lying" (-ie verbs).
    const verb =
      words.lexicon.verb(word) ?? (word.endsWith('ying') ? words.lexicon.verb(`${word.slice(0, -4)}ie`) : undefined);
    if (verb !== undefined && gerundOf(verb.lemma) === word) {
      const item: LexicalItem = { kind: 'action', verb: verb.lemma, word };
      if (otherwise) item.otherwise = otherwise;
      return { item, length: 1 };
    }
  }
  return otherwise ? { item: otherwise, length: curated?.length ?? 1 } : undefined;
}

/** Reads tokens into lexical items by longest match, left to right; see {@link lexicalItems}. */
export function readItems(tokens: readonly string[], options: ReadOptions = {}): ItemSpan[] {
  const open = options.vocabulary === 'open';
  const items: ItemSpan[] = [];
  let position = 0;
  while (position < tokens.length) {
    const curated = curatedMatch(tokens, position);
    const match = open ? openMatch(tokens, position, curated) : curated;
    if (match) {
      items.push({ item: match.item, first: position, length: match.length });
      position += match.length;
    } else {
      items.push({ item: { kind: 'unknown', word: tokens[position]! }, first: position, length: 1 });
      position += 1;
    }
  }
  return items;
}

/**
 * Reads text into lexical items by longest match against the whole vocabulary, left to right. With
 * `{ vocabulary: 'open' }` the words outside it are looked up in the lexicon: multi-word nouns, nouns of things
 * (objects), settings (scenes), art media and movements (styles) and materials, the adjectives of the open
 * vocabulary, -ing forms of verbs (actions), and framings (`portrait of`, `a close-up of`).
 */
export function lexicalItems(text: string, options: ReadOptions = {}): LexicalItem[] {
  return readItems(tokenize(text), options).map((span) => span.item);
}
