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
  ['instead of', 'replace'],
];

function normalisePhrase(phrase: string): string {
  return tokenize(phrase).join(' ');
}

/**
 * Splits text into lower-case word tokens. Prompt-site syntax is dropped first: attention weights
 * (`(fox:1.3)`), brackets, pipes and punctuation.
 */
export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/:\s*-?\d+(\.\d+)?/g, ' ')
    .replace(/[^a-z0-9'\- ]+/g, ' ')
    .split(/\s+/)
    .map((token) => token.replace(/^['-]+|['-]+$/g, ''))
    .filter((token) => token.length > 0);
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

const lexicon = buildLexicon();

/** Reads text into lexical items by longest match against the whole vocabulary, left to right. */
export function lexicalItems(text: string): LexicalItem[] {
  const tokens = tokenize(text);
  const items: LexicalItem[] = [];
  let position = 0;
  while (position < tokens.length) {
    let matched = false;
    for (let length = Math.min(lexicon.longest, tokens.length - position); length >= 1; length--) {
      const item = lexicon.entries.get(tokens.slice(position, position + length).join(' '));
      if (item) {
        items.push(item);
        position += length;
        matched = true;
        break;
      }
    }
    if (!matched) {
      items.push({ kind: 'unknown', word: tokens[position]! });
      position += 1;
    }
  }
  return items;
}
