import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { baseFormCandidates } from './morphology';
import { decodeNounClasses, type NounClass } from './noun-class';

/** A noun of the index. */
export interface NounEntry {
  /** Lower-case lemma, words separated by single spaces ("golden retriever"). */
  lemma: string;
  /** One class per distinct sense reading, most frequent sense first; see {@link NounClass}. */
  classes: readonly NounClass[];
  /** How many of its senses were seen in WordNet's tagged corpus; 0 for rare words. */
  familiarity: number;
  /** Some sense is offensive, derogatory or slang (by WordNet's usage labels or gloss); generators skip it. */
  sensitive: boolean;
}

/** An adjective of the index. */
export interface AdjectiveEntry {
  lemma: string;
  /** The attributes its first senses give a value of ("old" -> age; "big" -> size), from WordNet's `=` pointers. */
  attributes: readonly string[];
  /** Its opposites ("old" -> young, new); a satellite ("elderly") takes its head's. */
  antonyms: readonly string[];
  familiarity: number;
}

/** A verb of the index. */
export interface VerbEntry {
  lemma: string;
  /** One of its first two senses takes an object ("read a book"). */
  transitive: boolean;
  /** One of its first two senses takes none ("sleep"). */
  intransitive: boolean;
  familiarity: number;
}

/** Filter of {@link Lexicon.nouns}. */
export interface NounFilter {
  /** Keep nouns whose most frequent sense is of one of these classes. */
  classes?: Iterable<NounClass>;
  /** Keep nouns at least this familiar (see {@link NounEntry.familiarity}). Default 0. */
  minFamiliarity?: number;
  /** Keep single words only. Default false. */
  singleWord?: boolean;
  /** Keep words with an offensive or slang sense. Default false. */
  includeSensitive?: boolean;
}

/** Filter of {@link Lexicon.adjectives}. */
export interface AdjectiveFilter {
  /** Keep adjectives whose first attribute (that of their most frequent sense with one) is one of these. */
  attributes?: Iterable<string>;
  /** Keep adjectives at least this familiar. Default 0. */
  minFamiliarity?: number;
  /** Keep single words only. Default false. */
  singleWord?: boolean;
}

/** Look-ups in the WordNet-derived index. Words are matched case-insensitively, inflected forms through morphy. */
export interface Lexicon {
  /** The noun a word (or its plural, "foxes", "children") names, or undefined. */
  noun(word: string): NounEntry | undefined;
  /** The adjective (or its comparative/superlative) a word is, or undefined. */
  adjective(word: string): AdjectiveEntry | undefined;
  /** The verb a word is a form of ("smoking" -> smoke), or undefined. */
  verb(word: string): VerbEntry | undefined;
  /**
   * Number of words (2 or more) of the longest WordNet noun collocation starting at `start` ("golden retriever",
   * "fire hydrant", "van gogh"); its last word may be plural. 0 when none starts there.
   */
  collocationAt(words: readonly string[], start: number): number;
  /** Every noun matching the filter, most familiar first (ties alphabetical). */
  nouns(filter?: NounFilter): NounEntry[];
  /** Every adjective matching the filter, most familiar first (ties alphabetical). */
  adjectives(filter?: AdjectiveFilter): AdjectiveEntry[];
  /** Number of nouns, adjectives and verbs in the index. */
  readonly size: { nouns: number; adjectives: number; verbs: number };
}

/** Where the index lives: built by scripts/build-index.ts next to both src/ and dist/. */
const INDEX_URL = new URL('../generated/wordnet-index.txt.gz', import.meta.url);

/** Raised when the index file is missing or damaged. */
export class LexiconError extends Error {
  override readonly name = 'LexiconError';
}

// Most collocations prompts use have two or three words; WordNet's longest noun has nine.
const MAX_COLLOCATION_WORDS = 6;

class WordNetLexicon implements Lexicon {
  private readonly nounCache = new Map<string, NounEntry | null>();
  private readonly adjectiveCache = new Map<string, AdjectiveEntry | null>();
  private readonly verbCache = new Map<string, VerbEntry | null>();
  /** First word of each multi-word noun -> the largest number of words of one. */
  private readonly collocationLengths = new Map<string, number>();

  constructor(
    private readonly nounRows: ReadonlyMap<string, string>,
    private readonly adjectiveRows: ReadonlyMap<string, string>,
    private readonly verbRows: ReadonlyMap<string, string>,
  ) {
    for (const lemma of nounRows.keys()) {
      const space = lemma.indexOf(' ');
      if (space < 0) continue;
      const words = lemma.split(' ').length;
      const first = lemma.slice(0, space);
      if (words > (this.collocationLengths.get(first) ?? 0)) this.collocationLengths.set(first, words);
    }
  }

  get size() {
    return { nouns: this.nounRows.size, adjectives: this.adjectiveRows.size, verbs: this.verbRows.size };
  }

  private static find<T>(
    word: string,
    rows: ReadonlyMap<string, string>,
    cache: Map<string, T | null>,
    pos: 'noun' | 'adjective' | 'verb',
    decode: (lemma: string, row: string) => T,
  ): T | undefined {
    const key = word
      .toLowerCase()
      .trim()
      .replace(/[\s_]+/g, ' ');
    const cached = cache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    let found: T | null = null;
    for (const candidate of baseFormCandidates(key, pos)) {
      const row = rows.get(candidate);
      if (row !== undefined) {
        found = decode(candidate, row);
        break;
      }
    }
    if (cache.size > 200_000) cache.clear();
    cache.set(key, found);
    return found ?? undefined;
  }

  noun(word: string): NounEntry | undefined {
    return WordNetLexicon.find(word, this.nounRows, this.nounCache, 'noun', decodeNoun);
  }

  adjective(word: string): AdjectiveEntry | undefined {
    return WordNetLexicon.find(word, this.adjectiveRows, this.adjectiveCache, 'adjective', decodeAdjective);
  }

  verb(word: string): VerbEntry | undefined {
    return WordNetLexicon.find(word, this.verbRows, this.verbCache, 'verb', (lemma, row) => {
      const [frames = '', familiarity = '0'] = row.split('\t');
      return {
        lemma,
        transitive: frames.includes('T'),
        intransitive: frames.includes('I'),
        familiarity: Number(familiarity),
      };
    });
  }

  collocationAt(words: readonly string[], start: number): number {
    const first = words[start]?.toLowerCase();
    if (first === undefined) return 0;
    const longest = Math.min(this.collocationLengths.get(first) ?? 0, MAX_COLLOCATION_WORDS, words.length - start);
    for (let length = longest; length >= 2; length--) {
      const phrase = words
        .slice(start, start + length)
        .join(' ')
        .toLowerCase();
      if (this.nounRows.has(phrase)) return length;
      // "fire hydrants": only the last word of a collocation is inflected.
      if (baseFormCandidates(phrase, 'noun').some((candidate) => this.nounRows.has(candidate))) return length;
    }
    return 0;
  }

  nouns(filter: NounFilter = {}): NounEntry[] {
    const classes = filter.classes === undefined ? undefined : new Set(filter.classes);
    const minFamiliarity = filter.minFamiliarity ?? 0;
    const found: NounEntry[] = [];
    for (const [lemma, row] of this.nounRows) {
      if (filter.singleWord && lemma.includes(' ')) continue;
      const entry = decodeNoun(lemma, row);
      if (entry.sensitive && !filter.includeSensitive) continue;
      if (entry.familiarity < minFamiliarity) continue;
      if (classes !== undefined && !classes.has(entry.classes[0]!)) continue;
      found.push(entry);
    }
    return found.sort(byFamiliarity);
  }

  adjectives(filter: AdjectiveFilter = {}): AdjectiveEntry[] {
    const attributes = filter.attributes === undefined ? undefined : new Set(filter.attributes);
    const minFamiliarity = filter.minFamiliarity ?? 0;
    const found: AdjectiveEntry[] = [];
    for (const [lemma, row] of this.adjectiveRows) {
      if (filter.singleWord && lemma.includes(' ')) continue;
      const entry = decodeAdjective(lemma, row);
      if (entry.familiarity < minFamiliarity) continue;
      if (attributes !== undefined && !attributes.has(entry.attributes[0] ?? '')) continue;
      found.push(entry);
    }
    return found.sort(byFamiliarity);
  }
}

function byFamiliarity<T extends { lemma: string; familiarity: number }>(a: T, b: T): number {
  return b.familiarity - a.familiarity || (a.lemma < b.lemma ? -1 : 1);
}

function decodeAdjective(lemma: string, row: string): AdjectiveEntry {
  const [attributes = '', antonyms = '', familiarity = '0'] = row.split('\t');
  return { lemma, attributes: list(attributes), antonyms: list(antonyms), familiarity: Number(familiarity) };
}

function list(field: string): string[] {
  return field === '' ? [] : field.split(',');
}

function decodeNoun(lemma: string, row: string): NounEntry {
  const [codes = '', familiarity = '0', flags = ''] = row.split('\t');
  return {
    lemma,
    classes: decodeNounClasses(codes),
    familiarity: Number(familiarity),
    sensitive: flags.includes('s'),
  };
}

/**
 * Parses the index text (see scripts/build-index.ts for the format).
 * @throws LexiconError naming the line when a line is malformed.
 */
export function parseLexiconIndex(text: string, source = 'index'): Lexicon {
  const nouns = new Map<string, string>();
  const adjectives = new Map<string, string>();
  const verbs = new Map<string, string>();
  let lineNumber = 0;
  for (const line of text.split('\n')) {
    lineNumber++;
    if (line === '' || line.startsWith('#')) continue;
    const first = line.indexOf('\t');
    const second = line.indexOf('\t', first + 1);
    if (first !== 1 || second < 0) throw new LexiconError(`${source}:${lineNumber}: malformed line`);
    const lemma = line.slice(2, second);
    const row = line.slice(second + 1);
    const table = line[0] === 'n' ? nouns : line[0] === 'a' ? adjectives : line[0] === 'v' ? verbs : undefined;
    if (table === undefined) throw new LexiconError(`${source}:${lineNumber}: unknown part of speech "${line[0]}"`);
    table.set(lemma, row);
  }
  return new WordNetLexicon(nouns, adjectives, verbs);
}

let loaded: Lexicon | undefined;

/**
 * The lexicon, read from the package's index on first use (about 0.1 s and 20 MB) and shared afterwards.
 * @throws LexiconError when the index is missing (the package was not built) or damaged.
 */
export function loadLexicon(): Lexicon {
  if (loaded !== undefined) return loaded;
  const path = fileURLToPath(INDEX_URL);
  let text: string;
  try {
    text = gunzipSync(readFileSync(path)).toString('utf8');
  } catch (error) {
    throw new LexiconError(
      `${path}: cannot read the WordNet index (${(error as Error).message}); build the package first ` +
        '(pnpm --filter @diffchat/lexicon build)',
      { cause: error },
    );
  }
  loaded = parseLexiconIndex(text, path);
  return loaded;
}
