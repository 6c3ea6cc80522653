import { LRUCache } from 'lru-cache';
import { RewardError } from './errors';
import { colours, type KeywordCategory, materials, places } from './lexicon';
import { mediumWords } from './media';
import { conflictingAttributes, headOf, isLiving, mainSubjectOf, settingReadingOf, settingsOf } from './scene-roles';
import { broaderTime, contradictedStates } from './state-contradictions';
import { type AnalysedToken, analyseText, type Keyword, type TextAnalysis } from './text-analysis';
import { classDistance, isMaterialWord, isMedium, isThing, nounClasses } from './word-knowledge';

/** What a target prompt must contain and must not contain, given a source prompt and an edit instruction. */
export interface KeyInfo {
  /** Source keywords the target must keep (everything the instruction does not remove, replace or change). */
  keep: string[];
  /** Keywords the instruction brings in ("add a cat" -> `cat`; "make it night" -> `night`). */
  add: string[];
  /** `keep` then `add`, without repeats: the denominator of coverage. */
  required: string[];
  /** Keywords that must be absent: removed or replaced objects, and the old value of a changed time, season, weather or colour. */
  forbidden: string[];
  /**
   * States that the instruction's new time, season or weather rules out wherever they appear, the source or not
   * ("make it night": `daylight`, `noon`, `sun`...).
   */
  ruledOut: string[];
}

/** The two prompts that define the key information. */
export interface KeyInfoInput {
  /** The prompt before the edit. */
  source: string;
  /** The user's edit instruction; empty means "keep everything". */
  instruction: string;
}

type Operation = 'add' | 'remove' | 'replace' | 'change' | 'other';

const addVerbs: ReadonlySet<string> = new Set(['add', 'put', 'place', 'insert', 'include', 'draw', 'give', 'show']);
// "use plastic for the apple": the value comes before the object.
const useVerbs: ReadonlySet<string> = new Set(['use']);
const removeVerbs: ReadonlySet<string> = new Set([
  'remove',
  'delete',
  'erase',
  'eliminate',
  'omit',
  'exclude',
  'drop',
  'lose',
]);
const replaceVerbs: ReadonlySet<string> = new Set(['replace', 'swap', 'substitute', 'exchange', 'switch']);
// Verbs whose object is followed by its new value, with or without "into"/"to": "make the car blue".
const changeVerbs: ReadonlySet<string> = new Set([
  'make',
  'turn',
  'change',
  'transform',
  'convert',
  'paint',
  'color',
  'dye',
  'set',
  'render',
  'recolor',
  'move',
]);
const replaceSeparators: ReadonlySet<string> = new Set(['with', 'by', 'for']);
const changeSeparators: ReadonlySet<string> = new Set(['into', 'to']);
const styleWords: ReadonlySet<string> = new Set(['style', 'styled']);
const negations: ReadonlySet<string> = new Set(['without', 'no']);
const fillers: ReadonlySet<string> = new Set([
  'please',
  'can',
  'could',
  'would',
  'will',
  'you',
  'now',
  'also',
  'then',
  'and',
  'just',
  'i',
  'want',
  'to',
  'let',
  "'s",
  'us',
  'try',
  'instead',
]);
const clauseBreaks: ReadonlySet<string> = new Set([',', ';', '.', 'and', 'then', 'also']);
const exclusiveCategories: ReadonlySet<KeywordCategory> = new Set(['time', 'season', 'weather']);
const attributeCategories: ReadonlySet<KeywordCategory> = new Set(['attribute', 'colour', 'count', 'material']);
const modifierCategories: ReadonlySet<KeywordCategory> = attributeCategories;
const colourWords: ReadonlySet<string> = new Set(['color', 'colour']);
/** Objects standing for the whole scene: "put them in a garden", "place everything in a room". */
const wholeScene: ReadonlySet<string> = new Set([
  'it',
  'them',
  'everything',
  'all',
  'scene',
  'picture',
  'image',
  'background',
  'setting',
]);

/** Whether a keyword says what its object is made of ("plastic", and "golden"/"silver", which are also colours). */
function isMaterial(keyword: Keyword): boolean {
  return (
    keyword.category === 'material' ||
    (keyword.category === 'colour' && materials.has(keyword.text)) ||
    (keyword.category !== 'colour' && keyword.lemmas.length === 1 && isMaterialWord(keyword.text))
  );
}

function verbOf(token: AnalysedToken | undefined): Operation | undefined {
  if (token === undefined) return undefined;
  const word = token.value;
  if (addVerbs.has(word)) return 'add';
  if (removeVerbs.has(word)) return 'remove';
  if (replaceVerbs.has(word)) return 'replace';
  if (changeVerbs.has(word) || changeVerbs.has(token.lemma) || useVerbs.has(word)) return 'change';
  return undefined;
}

/** Multi-word removal verbs, as token values: "get rid of", "take away", "take out". */
function removalPhraseLength(tokens: readonly AnalysedToken[], at: number): number {
  const word = (offset: number) => tokens[at + offset]?.value;
  if (word(0) === 'get' && word(1) === 'rid' && word(2) === 'of') return 3;
  if (word(0) === 'take' && (word(1) === 'away' || word(1) === 'out' || word(1) === 'off')) return 2;
  // "take the lion out": the particle closes the clause.
  if (word(0) === 'take' && tokens.slice(at + 1).some((token) => token.value === 'out' || token.value === 'away')) {
    return 1;
  }
  return 0;
}

interface Clause {
  start: number;
  end: number;
}

function firstContentIndex(tokens: readonly AnalysedToken[], start: number, end: number): number {
  let index = start;
  while (index < end && (fillers.has(tokens[index]!.value) || tokens[index]!.pos === 'PUNCT')) index++;
  return index;
}

function startsOperation(tokens: readonly AnalysedToken[], at: number): boolean {
  const index = firstContentIndex(tokens, at, tokens.length);
  return (
    verbOf(tokens[index]) !== undefined || removalPhraseLength(tokens, index) > 0 || tokens[index]?.value === 'without'
  );
}

/** Splits "add a cat and remove the dog" into one clause per operation; other "and"s stay inside their clause. */
function splitClauses(tokens: readonly AnalysedToken[]): Clause[] {
  const clauses: Clause[] = [];
  let start = 0;
  for (let index = 1; index < tokens.length; index++) {
    if (clauseBreaks.has(tokens[index]!.value) && startsOperation(tokens, index + 1)) {
      clauses.push({ start, end: index });
      start = index + 1;
    }
  }
  clauses.push({ start, end: tokens.length });
  return clauses;
}

function keywordsWithin(analysis: TextAnalysis, start: number, end: number): Keyword[] {
  return analysis.keywords.filter((keyword) => keyword.start >= start && keyword.end <= end);
}

/** Position of "out of" / "made of" (the "out" or "made"), or -1. */
function findMadeOf(tokens: readonly AnalysedToken[], start: number, end: number): number {
  for (let index = start; index + 1 < end; index++) {
    const word = tokens[index]!.value;
    if ((word === 'out' || word === 'made') && tokens[index + 1]!.value === 'of') return index;
  }
  return -1;
}

function findValue(tokens: readonly AnalysedToken[], values: ReadonlySet<string>, start: number, end: number): number {
  for (let index = start; index < end; index++) if (values.has(tokens[index]!.value)) return index;
  return -1;
}

/** End of the object noun phrase that opens a span ("the old red car" in "the old red car blue"). */
function objectPhraseEnd(tokens: readonly AnalysedToken[], start: number, end: number): number {
  let index = start;
  if (tokens[index]?.pos === 'PRON') return index + 1;
  while (index < end && tokens[index]!.pos === 'DET') index++;
  const modifiersStart = index;
  while (index < end && (tokens[index]!.pos === 'ADJ' || tokens[index]!.pos === 'NUM')) index++;
  let nouns = 0;
  while (index < end && (tokens[index]!.pos === 'NOUN' || tokens[index]!.pos === 'PROPN')) {
    // "the lighthouse bronze", "the foxes beige": a colour or material after the noun is the new value.
    const lemma = tokens[index]!.lemma;
    if (nouns > 0 && (colours.has(lemma) || materials.has(lemma))) break;
    index++;
    nouns++;
    // "make the pizzas watermelons": a plural noun ends its phrase.
    if (tokens[index - 1]!.value !== tokens[index - 1]!.lemma && tokens[index - 1]!.pos === 'NOUN') break;
  }
  // "make it night" has a pronoun object; "make blue" has none: the whole span is the new value.
  return nouns > 0 ? index : modifiersStart;
}

/** Accumulates the effect of each clause on the key information. */
class KeyInfoBuilder {
  readonly add: Keyword[] = [];
  readonly forbidden: Keyword[] = [];
  /** Source keywords (by text) that need not be kept, without being forbidden. */
  readonly released = new Set<string>();
  /** Lemmas of objects whose old colour is forbidden; `null` stands for "it" (every source colour is released). */
  readonly recoloured: (readonly string[] | null)[] = [];
  readonly changedCategories = new Set<KeywordCategory>();
  /** Source modifiers to release, by the lemma of the object they modify. */
  readonly releasedModifiers: { noun: readonly string[]; which: (keyword: Keyword) => boolean }[] = [];
  /** The whole scene moved to a new setting: the old setting need not be kept. */
  movedScene = false;
  /** "make it a dog", "make it a library", "make him a pirate": a new thing for the picture or a person in it. */
  readonly swaps: { value: Keyword; personal: boolean }[] = [];
  /** New attribute values ("young", "big") of an object (its lemmas) or, for null, of the main subject. */
  readonly attributeChanges: { noun: readonly string[] | null; value: Keyword }[] = [];
  /** Objects (lemmas) given a new material: their old one is forbidden. */
  readonly rematerialed: (readonly string[])[] = [];
  /** Objects (lemmas) of "add a second X" / "add another X": one more of them. */
  readonly incremented: (readonly string[])[] = [];
  /** "tea instead": a new thing for the one of its kind in the source. */
  readonly insteadThings: Keyword[] = [];
  /** Words the target must not contain wherever they come from (a wrong new count). */
  readonly ruledOut = new Set<string>();
  /** New counts ("five") of objects whose old count is forbidden. */
  readonly recounted: { noun: readonly string[]; count: string }[] = [];

  addAll(keywords: readonly Keyword[]): void {
    // One thing is written with an article ("a tiger"), rarely with "one".
    this.add.push(...keywords.filter((keyword) => !(keyword.category === 'count' && keyword.text === 'one')));
  }

  /** Releases the source's modifiers of each object among `keywords` that `which` selects. */
  releaseModifiersOf(keywords: readonly Keyword[], which: (keyword: Keyword) => boolean): void {
    for (const keyword of keywords) {
      if (keyword.category === 'object') this.releasedModifiers.push({ noun: keyword.lemmas, which });
    }
  }

  /** A new count of an object ("there should be five apples", "make it four owls") releases its old count. */
  recount(keywords: readonly Keyword[], adding = false): void {
    const count = keywords.find((keyword) => keyword.category === 'count');
    if (count === undefined) return;
    this.releaseModifiersOf(keywords, (keyword) => keyword.category === 'count');
    if (adding) return;
    for (const keyword of keywords) {
      if (keyword.category === 'object') this.recounted.push({ noun: keyword.lemmas, count: count.text });
    }
  }

  /** A new setting for the whole scene releases the old one. */
  moveWhenPlaced(objectIsWholeScene: boolean, value: readonly Keyword[]): void {
    if (objectIsWholeScene && value.some((keyword) => keyword.lemmas.some((lemma) => places.has(lemma)))) {
      this.movedScene = true;
    }
  }

  /** Nouns of a removed or replaced phrase are forbidden; its adjectives and colours are only released. */
  removeAll(keywords: readonly Keyword[]): void {
    const nouns = keywords.filter((keyword) => !attributeCategories.has(keyword.category));
    if (nouns.length === 0) {
      this.forbidden.push(...keywords);
      return;
    }
    this.forbidden.push(...nouns);
    for (const keyword of keywords) if (attributeCategories.has(keyword.category)) this.released.add(keyword.text);
  }

  /** A new value for the object: a new thing replaces it, a new attribute modifies it. */
  change(object: readonly Keyword[], value: readonly Keyword[], objectIsPronoun: boolean): void {
    const valueTexts = new Set(value.map((keyword) => keyword.text));
    const valueIsThing = value.some(
      (keyword) =>
        !attributeCategories.has(keyword.category) &&
        !exclusiveCategories.has(keyword.category) &&
        !isMaterial(keyword),
    );
    const objectIsThing = object.some((keyword) => !attributeCategories.has(keyword.category));
    if (valueIsThing && objectIsThing) {
      this.removeAll(object.filter((keyword) => !valueTexts.has(keyword.text)));
    } else if (object.some((keyword) => exclusiveCategories.has(keyword.category))) {
      // "turn the day into night": the old time is the object.
      this.forbidden.push(...object.filter((keyword) => exclusiveCategories.has(keyword.category)));
    }
    if (value.some(isMaterial)) {
      this.releaseModifiersOf(object, isMaterial);
      for (const noun of object) if (noun.category === 'object') this.rematerialed.push(noun.lemmas);
    }
    if (value.some((keyword) => keyword.category === 'colour' && !isMaterial(keyword))) {
      for (const keyword of object) if (keyword.category === 'colour') this.forbidden.push(keyword);
      const nouns = object.filter((keyword) => keyword.category === 'object');
      if (nouns.length === 0 && (objectIsPronoun || object.length === 0)) this.recoloured.push(null);
      for (const noun of nouns) this.recoloured.push(noun.lemmas);
    }
    if (value.some((keyword) => keyword.category === 'attribute')) {
      for (const keyword of object) if (keyword.category === 'attribute') this.released.add(keyword.text);
      const nouns = object.filter((keyword) => keyword.category === 'object');
      for (const attribute of value.filter((keyword) => keyword.category === 'attribute')) {
        if (nouns.length === 0) this.attributeChanges.push({ noun: null, value: attribute });
        for (const noun of nouns) this.attributeChanges.push({ noun: noun.lemmas, value: attribute });
      }
    }
    this.changeCategories(value);
    this.addAll(value);
  }

  /**
   * "make it a dog" / "make him a pirate": each new thing of the value replaces, in the source, the setting of its
   * kind, the main subject, or (for a person's new identity) releases the person.
   */
  swap(value: readonly Keyword[], personal: boolean): void {
    // "make it four eggs" changes a count, "make it velvet" a material.
    if (value.some((keyword) => keyword.category === 'count')) return;
    for (const keyword of value) {
      if (isMaterial(keyword)) continue;
      if (keyword.category === 'object') this.swaps.push({ value: keyword, personal });
    }
  }

  /** "in the style of van gogh", "anime style": the instruction names a style that no lexicon lists. */
  changeStyleWhenNamed(tokens: readonly AnalysedToken[], clause: Clause): void {
    if (findValue(tokens, styleWords, clause.start, clause.end) >= 0) this.changedCategories.add('style');
  }

  changeCategories(value: readonly Keyword[]): void {
    for (const keyword of value) {
      if (exclusiveCategories.has(keyword.category) || keyword.category === 'style') {
        this.changedCategories.add(keyword.category);
      }
    }
  }
}

function isWholeScene(tokens: readonly AnalysedToken[], start: number, end: number): boolean {
  let index = start;
  while (index < end && tokens[index]!.pos === 'DET') index++;
  return index >= end || wholeScene.has(tokens[index]!.value);
}

const referencePrepositions: ReadonlySet<string> = new Set(['to', 'on', 'onto', 'in', 'into', 'behind', 'near']);

/** Where a reference to something in the picture starts ("to the bike", "on the table"), or `end`. */
function findReference(tokens: readonly AnalysedToken[], start: number, end: number): number {
  for (let index = start + 1; index + 1 < end; index++) {
    const word = tokens[index]!.value;
    const next = tokens[index + 1]!.value;
    if (referencePrepositions.has(word) && (next === 'the' || next === 'his' || next === 'her' || next === 'its')) {
      return index;
    }
  }
  return end;
}

const instructionVerbs: ReadonlySet<string> = new Set(['use', 'have', 'put', 'show', 'make', 'give', 'add']);
const personalPronouns: ReadonlySet<string> = new Set(['him', 'her', 'he', 'she', 'them', 'they']);
const oneMore: ReadonlySet<string> = new Set(['second', 'another']);
const insteadWords: ReadonlySet<string> = new Set(['instead']);

const swapVerbs: ReadonlySet<string> = new Set(['make', 'turn', 'change', 'transform', 'convert']);

/**
 * "make it a dog", "turn it into a library", "change him to a pirate": the picture or a person becomes something
 * else. "set it in space", "move them to a garden" and "put it on the ocean" move the scene instead.
 */
function isSwap(tokens: readonly AnalysedToken[], verb: number, object: number, valueStart: number): boolean {
  if (!swapVerbs.has(tokens[verb]!.value) && !swapVerbs.has(tokens[verb]!.lemma)) return false;
  for (let index = object + 1; index < valueStart; index++) {
    const word = tokens[index]!.value;
    if (tokens[index]!.pos === 'ADP' && word !== 'into' && word !== 'to') return false;
  }
  return tokens[valueStart - 1]?.pos !== 'ADP' || ['into', 'to'].includes(tokens[valueStart - 1]!.value);
}

/** "make it look like X", "in the style of X", "X style": the clause names a look, not a new subject. */
function isStyleClause(tokens: readonly AnalysedToken[], clause: Clause): boolean {
  for (let index = clause.start; index < clause.end; index++) {
    const word = tokens[index]!.value;
    if (styleWords.has(word)) return true;
    if ((word === 'look' || word === 'looks') && tokens[index + 1]?.value === 'like') return true;
  }
  return false;
}

/** "have a cat instead of the dog", "a cat instead of the dog": a replacement written the other way round. */
function readInsteadOf(analysis: TextAnalysis, clause: Clause, first: number, builder: KeyInfoBuilder): boolean {
  const { tokens } = analysis;
  for (let index = first; index + 1 < clause.end; index++) {
    if (tokens[index]!.value === 'instead' && tokens[index + 1]!.value === 'of') {
      // "use a fishing rod instead of a net": the verb is no keyword.
      const value = keywordsWithin(analysis, first, index).filter((keyword) => !instructionVerbs.has(keyword.text));
      builder.change(keywordsWithin(analysis, index + 2, clause.end), value, false);
      return true;
    }
  }
  return false;
}

/** "the car should be blue", "the ball should be made of steel": the subject keeps, the rest is its new value. */
function readShouldBe(analysis: TextAnalysis, clause: Clause, first: number, builder: KeyInfoBuilder): boolean {
  const { tokens } = analysis;
  if (tokens[first]?.value === 'there') return false;
  for (let index = first + 1; index + 1 < clause.end; index++) {
    const modal = tokens[index]!.value;
    if ((modal !== 'should' && modal !== 'must') || tokens[index + 1]!.value !== 'be') continue;
    let valueStart = index + 2;
    if (tokens[valueStart]?.value === 'made' && tokens[valueStart + 1]?.value === 'of') valueStart += 2;
    const object = keywordsWithin(analysis, first, index);
    const value = keywordsWithin(analysis, valueStart, clause.end);
    builder.change(object, value, tokens[first]!.pos === 'PRON');
    builder.recount([...object, ...value]);
    return true;
  }
  return false;
}

function readClause(analysis: TextAnalysis, clause: Clause, builder: KeyInfoBuilder): void {
  const { tokens } = analysis;
  const first = firstContentIndex(tokens, clause.start, clause.end);
  if (readInsteadOf(analysis, clause, first, builder) || readShouldBe(analysis, clause, first, builder)) return;
  const removalLength = removalPhraseLength(tokens, first);
  const operation: Operation = removalLength > 0 ? 'remove' : (verbOf(tokens[first]) ?? 'other');
  const afterVerb = first + (removalLength > 0 ? removalLength : operation === 'other' ? 0 : 1);
  switch (operation) {
    case 'add': {
      // "add a basket to the bike": what follows "to the" names something already there.
      const cut = findReference(tokens, afterVerb, clause.end);
      const reference = keywordsWithin(analysis, afterVerb, cut).length > 0 ? cut : clause.end;
      const value = keywordsWithin(analysis, afterVerb, reference);
      if (findValue(tokens, colourWords, afterVerb, clause.end) >= 0) {
        // "give the ships a magenta colour": a new colour, not a new thing.
        const colour = value.filter((keyword) => keyword.category === 'colour');
        builder.change(
          value.filter((keyword) => keyword.category !== 'colour'),
          colour,
          false,
        );
        return;
      }
      builder.changeCategories(value);
      builder.moveWhenPlaced(isWholeScene(tokens, afterVerb, objectPhraseEnd(tokens, afterVerb, clause.end)), value);
      builder.recount(value, true);
      if (findValue(tokens, oneMore, afterVerb, clause.end) >= 0) {
        for (const keyword of value) if (keyword.category === 'object') builder.incremented.push(keyword.lemmas);
        builder.addAll(value.filter((keyword) => !oneMore.has(keyword.text)));
        return;
      }
      builder.addAll(value);
      return;
    }
    case 'remove': {
      // "remove the boat from the lake": the place stays.
      const from = findValue(tokens, new Set(['from', 'off']), afterVerb, clause.end);
      const removed = keywordsWithin(analysis, afterVerb, from < 0 ? clause.end : from);
      builder.removeAll(removed);
      // The removed object's count, colour, material and attributes go with it.
      builder.releaseModifiersOf(removed, () => true);
      return;
    }
    case 'replace': {
      const separator = findValue(tokens, replaceSeparators, afterVerb, clause.end);
      if (separator < 0) {
        builder.removeAll(keywordsWithin(analysis, afterVerb, clause.end));
        return;
      }
      builder.change(
        keywordsWithin(analysis, afterVerb, separator),
        keywordsWithin(analysis, separator + 1, clause.end),
        false,
      );
      return;
    }
    case 'change': {
      if (useVerbs.has(tokens[first]!.value)) {
        const separator = findValue(tokens, replaceSeparators, afterVerb, clause.end);
        const end = separator >= 0 ? separator : clause.end;
        builder.change(
          separator >= 0 ? keywordsWithin(analysis, separator + 1, clause.end) : [],
          keywordsWithin(analysis, afterVerb, end),
          false,
        );
        return;
      }
      const madeOf = findMadeOf(tokens, afterVerb, clause.end);
      if (madeOf >= 0) {
        // "make the chair out of glass".
        builder.change(
          keywordsWithin(analysis, afterVerb, madeOf),
          keywordsWithin(analysis, madeOf + 2, clause.end),
          false,
        );
        return;
      }
      const separator = findValue(tokens, changeSeparators, afterVerb, clause.end);
      const objectEnd = separator >= 0 ? separator : objectPhraseEnd(tokens, afterVerb, clause.end);
      const negation = findValue(tokens, negations, objectEnd, clause.end);
      const valueEnd = negation >= 0 ? negation : clause.end;
      builder.changeStyleWhenNamed(tokens, clause);
      const object = keywordsWithin(analysis, afterVerb, objectEnd);
      const valueStart = separator >= 0 ? separator + 1 : objectEnd;
      const value = keywordsWithin(analysis, valueStart, valueEnd);
      const last = tokens[valueEnd - 1];
      if (value.length === 0 && separator < 0 && valueEnd - objectEnd === 1 && last?.pos === 'VERB') {
        // "make the sheep ships": the tagger reads the new thing as a verb.
        value.push({ text: last.lemma, lemmas: [last.lemma], start: valueEnd - 1, end: valueEnd, category: 'object' });
      }
      const only = value[0];
      if (
        value.length === 1 &&
        only!.category === 'colour' &&
        tokens[separator]?.value === 'into' &&
        object.some((keyword) => keyword.category === 'object') &&
        isThing(only!.text)
      ) {
        // "change the sunflowers into lavender": a thing that is also the name of a colour.
        value[0] = { ...only!, category: 'object' };
      }
      const compound = object.at(-1);
      if (value.length === 0 && separator < 0 && compound !== undefined && compound.lemmas.length > 1) {
        // "make the sheep ships" read as one compound: its last noun is the new thing.
        const lemmas = compound.lemmas;
        object[object.length - 1] = { ...compound, text: lemmas.slice(0, -1).join(' '), lemmas: lemmas.slice(0, -1) };
        value.push({ ...compound, text: lemmas.at(-1)!, lemmas: [lemmas.at(-1)!] });
      }
      const pronoun = tokens[afterVerb]?.pos === 'PRON' ? tokens[afterVerb]!.value : undefined;
      const styled = isStyleClause(tokens, clause);
      builder.change(object, value, pronoun !== undefined);
      if (styled) builder.changedCategories.add('style');
      else if (object.length === 0 && pronoun !== undefined && isSwap(tokens, first, afterVerb, valueStart)) {
        builder.swap(value, personalPronouns.has(pronoun));
      }
      builder.moveWhenPlaced(isWholeScene(tokens, afterVerb, objectEnd), value);
      builder.recount([...object, ...value]);
      if (negation >= 0) builder.removeAll(keywordsWithin(analysis, negation + 1, clause.end));
      return;
    }
    case 'other': {
      // "at night", "in the style of van gogh", "a version without people", "no clouds".
      const negation = findValue(tokens, negations, first, clause.end);
      const value = keywordsWithin(analysis, first, negation >= 0 ? negation : clause.end);
      builder.changeCategories(value);
      builder.changeStyleWhenNamed(tokens, clause);
      builder.recount(value);
      if (findValue(tokens, insteadWords, first, clause.end) >= 0 && !isStyleClause(tokens, clause)) {
        builder.insteadThings.push(...value.filter((keyword) => keyword.category === 'object'));
      }
      builder.addAll(value);
      if (negation >= 0) {
        const removed = keywordsWithin(analysis, negation + 1, clause.end);
        builder.removeAll(removed);
        builder.releaseModifiersOf(removed, () => true);
      }
    }
  }
}

/**
 * Modifiers written just before a noun of the source that `which` selects ("two red and white wooden cars" -> two,
 * red, white, wooden for "car").
 */
function modifiersOf(source: TextAnalysis, noun: readonly string[], which: (keyword: Keyword) => boolean): Keyword[] {
  const found: Keyword[] = [];
  for (const keyword of source.keywords) {
    // "the trees" names "pine trees" and "palm trees"; "the pine trees" only the former.
    const offset = keyword.lemmas.length - noun.length;
    if (offset < 0 || noun.some((lemma, index) => keyword.lemmas[offset + index] !== lemma)) continue;
    for (let index = keyword.start - 1; index >= 0; index--) {
      const token = source.tokens[index]!;
      const modifier = source.keywords.find((other) => other.start === index && other.end <= keyword.start);
      const isModifier = modifier !== undefined && modifierCategories.has(modifier.category);
      // Modifiers the tagger misreads ("giant" as a noun, "big" as an adverb) do not end the phrase; a determiner does.
      const inPhrase = ['ADJ', 'ADV', 'NOUN', 'CCONJ', 'VERB', 'NUM'].includes(token.pos) || token.value === ',';
      const before = source.tokens[index - 1];
      const endsOtherPhrase =
        (token.pos === 'CCONJ' || token.value === ',') &&
        before !== undefined &&
        (before.pos === 'NOUN' || before.pos === 'PROPN') &&
        !source.keywords.some((other) => other.end === index && modifierCategories.has(other.category));
      if (endsOtherPhrase) break;
      if (!isModifier && !inPhrase) {
        break;
      }
      // Any keyword inside the phrase counts: the tagger reads some modifiers as nouns ("giant").
      if (modifier !== undefined && which(modifier)) found.push(modifier);
    }
  }
  return found;
}

/** Source keywords of the same object as `noun`'s phrase (its modifiers included), by lemma. */
function sourceCountOf(source: TextAnalysis, noun: readonly string[]): Keyword | undefined {
  return modifiersOf(source, noun, (keyword) => keyword.category === 'count')[0];
}

function syntheticKeyword(text: string, category: KeywordCategory): Keyword {
  return { text, lemmas: [text], start: -1, end: -1, category };
}

const hairColours: ReadonlySet<string> = new Set(['blonde', 'blond', 'brunette', 'redhead', 'redheaded']);

const countWordsInOrder = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** Effects of the instruction that depend on what the source holds: swaps, attribute changes, counts, states. */
function resolveAgainstSource(source: TextAnalysis, builder: KeyInfoBuilder, forbidden: Keyword[]): void {
  const main = mainSubjectOf(source);
  for (const { value, personal } of builder.swaps) {
    const head = headOf(value);
    if (source.keywords.some((keyword) => keyword.lemmas.includes(head))) continue;
    if (isMedium(head) || mediumWords.has(head)) {
      builder.changedCategories.add('style');
      continue;
    }
    // "make it a library" replaces the place, "make it a dog" the subject; a person or an animal does not become a
    // spaceship, so a lifeless new thing for a living subject is a new place, and so is one for a prompt that
    // opens on its place ("a cozy bedroom with ...").
    const settings = settingsOf(source);
    const opensOnPlace =
      settings.length > 0 && source.keywords.find((keyword) => keyword.category === 'object') === settings[0];
    const newPlace =
      !personal &&
      settings.length > 0 &&
      (settingReadingOf(head) === 'first' ||
        (settingReadingOf(head) === 'some' && main === undefined) ||
        (!isLiving(head) && ((main !== undefined && isLiving(headOf(main))) || opensOnPlace)));
    if (newPlace) {
      // "a village square": the place may take two keywords in a row.
      const place = settings[0]!;
      forbidden.push(place);
      const next = source.keywords.find((keyword) => keyword.start === place.end && keyword.category === 'object');
      if (next !== undefined) forbidden.push(next);
      continue;
    }
    if (main === undefined) continue;
    // A person's new identity ("make him a pirate") may be written beside the old one ("a man dressed as a pirate").
    if (personal && nounClasses(headOf(main))[0] === 'person') builder.released.add(main.text);
    else forbidden.push(main);
  }
  for (const { noun, value } of builder.attributeChanges) {
    // "make her blonde": a new hair colour for the hair of the source.
    if (hairColours.has(value.text)) {
      forbidden.push(...modifiersOf(source, ['hair'], (keyword) => keyword.category === 'colour'));
    }
    const candidates =
      noun === null
        ? source.keywords.filter((keyword) => keyword.category === 'attribute')
        : modifiersOf(source, noun, (keyword) => keyword.category === 'attribute');
    for (const keyword of candidates) {
      if (keyword.lemmas.length === 1 && conflictingAttributes(keyword.text, value.text)) forbidden.push(keyword);
    }
  }
  for (const noun of builder.rematerialed) {
    for (const material of modifiersOf(source, noun, isMaterial)) {
      const uses = source.keywords.filter((keyword) => keyword.text === material.text).length;
      if (uses === 1 && !builder.add.some((keyword) => keyword.text === material.text)) forbidden.push(material);
    }
  }
  const sourceCounts = new Set(source.keywords.filter((keyword) => keyword.category === 'count').map((k) => k.text));
  for (const { noun, count } of builder.recounted) {
    const old = sourceCountOf(source, noun);
    const shared = old !== undefined && source.keywords.filter((keyword) => keyword.text === old.text).length > 1;
    if (old !== undefined && old.text !== count && !shared) forbidden.push(old);
    // A wrong new count is as wrong as the old one: "two apples" for "make it one apple".
    for (const word of countWordsInOrder.slice(1)) {
      if (word !== count && !sourceCounts.has(word)) builder.ruledOut.add(word);
    }
  }
  for (const noun of builder.incremented) {
    const old = sourceCountOf(source, noun);
    const present = source.keywords.some((keyword) => keyword.lemmas.join(' ').endsWith(noun.join(' ')));
    if (!present) continue;
    const current = old === undefined ? 1 : countWordsInOrder.indexOf(old.text);
    const next = countWordsInOrder[current + 1];
    if (current < 0 || next === undefined) continue;
    builder.add.push(syntheticKeyword(next, 'count'));
    if (old !== undefined) forbidden.push(old);
  }
  for (const thing of builder.insteadThings) {
    if (source.keywords.some((keyword) => keyword.text === thing.text)) continue;
    let same: Keyword | undefined;
    let best = Number.POSITIVE_INFINITY;
    for (const keyword of source.keywords) {
      if (keyword.category !== 'object') continue;
      const distance = classDistance(headOf(thing), headOf(keyword));
      if (distance < best) [same, best] = [keyword, distance];
    }
    const replaced = same ?? main;
    if (replaced !== undefined) forbidden.push(replaced);
  }
  // A new time, season or weather rules out the states it contradicts.
  const added = new Set(builder.add.map((keyword) => keyword.text));
  for (const keyword of builder.add) {
    const ruledOut = new Set(contradictedStates(keyword.text));
    if (ruledOut.size === 0) continue;
    for (const state of source.keywords) {
      if (added.has(state.text)) continue;
      // A kind of animal or plant named after a state ("snow leopard", "snowdrop") is no state.
      if (state.lemmas.length > 1 && ['animal', 'plant'].includes(nounClasses(state.text)[0] ?? '')) continue;
      // Surface words too: "sunny" and "clear" both read as `sun`, but only a sunny place contradicts the night.
      const surface = source.tokens.slice(state.start, state.end).map((token) => token.value);
      if ([...state.lemmas, ...surface].some((word) => ruledOut.has(word))) forbidden.push(state);
    }
  }
}

function unique(texts: Iterable<string>): string[] {
  return [...new Set(texts)];
}

function computeKeyInfo(sourceText: string, instructionText: string): KeyInfo {
  const source = analyseText(sourceText);
  const instruction = analyseText(instructionText);
  const builder = new KeyInfoBuilder();
  for (const clause of splitClauses(instruction.tokens)) readClause(instruction, clause, builder);

  const addedTexts = new Set(builder.add.map((keyword) => keyword.text));
  const forbidden: Keyword[] = [...builder.forbidden];
  for (const noun of builder.recoloured) {
    if (noun === null) {
      for (const keyword of source.keywords) if (keyword.category === 'colour') builder.released.add(keyword.text);
    } else {
      for (const colour of modifiersOf(
        source,
        noun,
        (keyword) => keyword.category === 'colour' && !isMaterial(keyword),
      )) {
        // A colour that another object of the source also has stays allowed (only released).
        const uses = source.keywords.filter((keyword) => keyword.text === colour.text).length;
        if (uses > 1) builder.released.add(colour.text);
        else forbidden.push(colour);
      }
    }
  }
  for (const { noun, which } of builder.releasedModifiers) {
    for (const keyword of modifiersOf(source, noun, which)) builder.released.add(keyword.text);
  }
  // The sky of "under a cloudy sky" is the weather's.
  if (builder.changedCategories.has('weather')) {
    builder.released.add('sky');
    for (const modifier of modifiersOf(source, ['sky'], () => true)) builder.released.add(modifier.text);
  }
  resolveAgainstSource(source, builder, forbidden);
  if (builder.movedScene) {
    for (const keyword of source.keywords) {
      if (keyword.lemmas.some((lemma) => places.has(lemma))) builder.released.add(keyword.text);
    }
  }
  for (const keyword of source.keywords) {
    if (!builder.changedCategories.has(keyword.category) || addedTexts.has(keyword.text)) continue;
    // "at midnight" already is at night: the source follows "make it night".
    const broader = broaderTime(keyword.text);
    if (broader !== undefined && addedTexts.has(broader)) {
      builder.add.splice(0, builder.add.length, ...builder.add.filter((added) => added.text !== broader));
      continue;
    }
    // A scene has one time, season and weather; styles can mix, so an old style is only no longer required.
    if (keyword.category === 'style') builder.released.add(keyword.text);
    else {
      forbidden.push(keyword);
      // "under a bright sun", "in heavy rain": the old state's modifiers go with it.
      for (const modifier of modifiersOf(source, keyword.lemmas, (other) => other.category === 'attribute')) {
        builder.released.add(modifier.text);
      }
    }
  }

  const forbiddenTexts = new Set(forbidden.map((keyword) => keyword.text).filter((text) => !addedTexts.has(text)));
  const forbiddenLemmas = new Set(
    forbidden
      .filter((keyword) => forbiddenTexts.has(keyword.text) && !attributeCategories.has(keyword.category))
      .flatMap((keyword) => keyword.lemmas),
  );
  const keep = unique(
    source.keywords
      .filter(
        (keyword) =>
          addedTexts.has(keyword.text) ||
          (!forbiddenTexts.has(keyword.text) &&
            !builder.released.has(keyword.text) &&
            !(keyword.category !== 'colour' && keyword.lemmas.some((lemma) => forbiddenLemmas.has(lemma)))),
      )
      .map((keyword) => keyword.text),
  );
  const keepSet = new Set(keep);
  const add = unique(builder.add.map((keyword) => keyword.text)).filter((text) => !keepSet.has(text));
  const ruledOut = unique([
    ...builder.add.flatMap((keyword) => contradictedStates(keyword.text)),
    ...builder.ruledOut,
  ]).filter(
    (lemma) =>
      !keepSet.has(lemma) &&
      !add.includes(lemma) &&
      !forbiddenTexts.has(lemma) &&
      // The snow of a kept "snow leopard" is no snowfall.
      !keep.some((text) => text.split(' ').includes(lemma)),
  );
  return { keep, add, required: [...keep, ...add], forbidden: [...forbiddenTexts], ruledOut };
}

const cache = new LRUCache<string, KeyInfo>({ max: 20_000 });

function copyKeyInfo(info: KeyInfo): KeyInfo {
  return {
    keep: [...info.keep],
    add: [...info.add],
    required: [...info.required],
    forbidden: [...info.forbidden],
    ruledOut: [...info.ruledOut],
  };
}

/** Cached key information, shared between callers: never mutate the result. */
export function keyInfoOf(source: string, instruction: string): KeyInfo {
  const key = `${source}\u0000${instruction}`;
  let info = cache.get(key);
  if (info === undefined) {
    info = computeKeyInfo(source, instruction);
    cache.set(key, info);
  }
  return info;
}

/**
 * The key information of a (source prompt, instruction) pair under DiffChat's instruction semantics:
 * - "add X" (put, place, include, give...) requires X;
 * - "remove X" (delete, erase, get rid of, take away...), "without X", "no X" forbid X;
 * - "replace X with Y", "swap X for Y", "turn/change/make X into Y" require Y and forbid X;
 * - a change of attribute ("make the car blue", "change the sky to purple") keeps X, requires the new value and
 *   forbids the object's old colour; a change of time, season or weather ("make it night", "in winter") forbids the
 *   source's old value; a change of style no longer requires the old style;
 * - every other keyword of the source must be kept, and any other instruction's keywords are required.
 * Several clauses ("add a cat and remove the dog") are read one by one.
 *
 * @throws {@link RewardError} when `source` or `instruction` is not a string.
 */
export function extractKeyInfo(input: KeyInfoInput): KeyInfo {
  if (typeof input !== 'object' || input === null) throw new RewardError('input', 'expected { source, instruction }');
  if (typeof input.source !== 'string')
    throw new RewardError('source', `expected a string, got ${typeof input.source}`);
  if (typeof input.instruction !== 'string') {
    throw new RewardError('instruction', `expected a string, got ${typeof input.instruction}`);
  }
  return copyKeyInfo(keyInfoOf(input.source, input.instruction));
}
