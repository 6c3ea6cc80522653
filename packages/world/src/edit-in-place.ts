import { loadLexicon } from '@diffchat/lexicon';
import { takesObject } from './actions';
import { applyEdit, type EditOperation } from './edit-operation';
import { indefiniteArticle } from './inflection';
import { type ItemSpan, isCuratedPhrase, type LexicalItem, readItems, type TextToken, tokenSpans } from './lexicon';
import { kindOfObject } from './object-kind';
import { parsePrompt } from './parse-prompt';
import { pronounOf } from './pronoun';
import { parseInstructions } from './rewriter';
import { objectNoun, renderSubject, type Scene, type Subject, settingPhrase, stylePhrase } from './scene';
import { WORLD_SCENES, WORLD_SEASONS, WORLD_STYLES, WORLD_TIMES, WORLD_WEATHER } from './vocabulary';

/** One noun of the prompt that names a thing. */
interface Mention {
  name: string;
  /** First and last token of the noun itself. */
  first: number;
  last: number;
  /** First token of its noun phrase (article, count, adjectives). */
  phraseFirst: number;
  /** It is the object of an action (`a pipe` in `smoking a pipe`). */
  actionObject: boolean;
  /** Last token of its noun phrase, through an `of` phrase (`a herd of zebras`). */
  phraseLast: number;
  /** It follows another noun and `of` (`zebras` in `a herd of zebras`): that noun leads the phrase. */
  ofPart?: boolean;
  /** Token of its own action's verb, and that action's object, when it does something. */
  verbToken?: number;
  object?: Mention;
}

/** What the in-place editor knows about a prompt. */
interface Analysis {
  text: string;
  tokens: TextToken[];
  spans: ItemSpan[];
  scene: Scene;
  mentions: Mention[];
}

const ARTICLES = new Set(['a', 'an', 'the', 'some', 'one', 'two', 'three', 'four', 'five', 'several', 'many', 'pair']);
const PREPOSITIONS = new Set(['in', 'on', 'at', 'by', 'under', 'near', 'inside', 'beside', 'during', 'over', 'above']);

/** True when the token may stand inside a noun phrase before its noun: a modifier or an adjective. */
function isModifierToken(word: string, item: LexicalItem | undefined): boolean {
  if (item && (item.kind === 'attribute' || item.kind === 'colour' || item.kind === 'material')) return true;
  if (item && item.kind === 'count') return true;
  if (ARTICLES.has(word)) return true;
  if (item?.kind === 'unknown' || item?.kind === 'action') {
    return loadLexicon().adjective(word) !== undefined || /(ed|en|ing)$/.test(word);
  }
  return false;
}

function analyse(text: string): Analysis {
  const tokens = tokenSpans(text);
  const spans = readItems(
    tokens.map((token) => token.word),
    { vocabulary: 'open' },
  );
  const itemAt = new Map<number, LexicalItem>();
  for (const span of spans) for (let index = 0; index < span.length; index++) itemAt.set(span.first + index, span.item);
  const mentions: Mention[] = [];
  let lastSubject: Mention | undefined;
  let subjectJustEnded = false;
  let awaiting: Mention | undefined;
  for (const span of spans) {
    const item = span.item;
    const last = span.first + span.length - 1;
    const thing =
      item.kind === 'object' || (item.kind === 'scene' && awaiting !== undefined && !isCuratedPhrase(item.name));
    if (thing) {
      const floor = awaiting?.verbToken !== undefined ? awaiting.verbToken + 1 : 0;
      let phraseFirst = span.first;
      while (phraseFirst > floor && isModifierToken(tokens[phraseFirst - 1]!.word, itemAt.get(phraseFirst - 1))) {
        phraseFirst--;
      }
      // A noun right before another is its modifier (`film` in `a vintage film camera`): the last noun is the head.
      const previous = mentions.at(-1);
      if (previous && previous.last === span.first - 1 && previous.actionObject === (awaiting !== undefined)) {
        mentions.pop();
        phraseFirst = previous.phraseFirst;
        if (lastSubject === previous) lastSubject = undefined;
      }
      const mention: Mention = {
        name: item.name,
        first: span.first,
        last,
        phraseFirst,
        phraseLast: last,
        actionObject: awaiting !== undefined,
      };
      // "a herd of zebras": the quantity is the noun, but additions join the whole phrase.
      if (
        previous &&
        !mention.actionObject &&
        tokens[mention.phraseFirst - 1]?.word === 'of' &&
        previous.last === mention.phraseFirst - 2
      ) {
        previous.phraseLast = last;
        mention.ofPart = true;
        mentions.push(mention);
        subjectJustEnded = true;
        lastSubject = previous;
        continue;
      }
      if (awaiting) {
        awaiting.object = mention;
        awaiting = undefined;
      } else {
        lastSubject = mention;
      }
      mentions.push(mention);
      subjectJustEnded = !mention.actionObject;
      continue;
    }
    if (item.kind === 'action' && subjectJustEnded && lastSubject && lastSubject.verbToken === undefined) {
      lastSubject.verbToken = span.first;
      awaiting = takesObject(item.verb) ? lastSubject : undefined;
      subjectJustEnded = false;
      continue;
    }
    const modifier = item.kind === 'count' || item.kind === 'attribute' || item.kind === 'colour';
    if (!modifier) awaiting = undefined;
    subjectJustEnded = false;
  }
  return { text, tokens, spans, scene: parsePrompt(text, { vocabulary: 'open' }).scene, mentions };
}

/** A text with edits applied right to left, so that earlier offsets stay valid. */
class TextEdit {
  private readonly changes: { start: number; end: number; text: string }[] = [];
  constructor(private readonly text: string) {}
  replace(start: number, end: number, text: string): this {
    this.changes.push({ start, end, text });
    return this;
  }
  insert(at: number, text: string): this {
    return this.replace(at, at, text);
  }
  apply(): string {
    let result = this.text;
    for (const change of [...this.changes].sort((left, right) => right.start - left.start)) {
      result = result.slice(0, change.start) + change.text + result.slice(change.end);
    }
    return tidy(result);
  }
}

/** Collapses the doubled spaces and stray separators that deletions leave. */
function tidy(text: string): string {
  return text
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/\s+([,|;])/g, '$1')
    .replace(/([,|;])(\s*[,|;])+/g, '$1')
    .replace(/^[\s,|;]+|[\s,|;]+$/g, '');
}

/** Makes `a`/`an` right before `offset` fit the word that now follows it, keeping its capital. */
function fixArticle(text: string, offset: number): string {
  const before = /(^|[^A-Za-z])(an?)(\s+)$/i.exec(text.slice(0, offset));
  const next = /^[\s(]*([A-Za-z][\w'-]*)/.exec(text.slice(offset));
  if (!before || !next) return text;
  const wanted = indefiniteArticle(next[1]!);
  const written = before[2]!;
  const cased = written[0] === written[0]!.toUpperCase() ? wanted[0]!.toUpperCase() + wanted.slice(1) : wanted;
  const start = offset - before[3]!.length - written.length;
  return text.slice(0, start) + cased + text.slice(start + written.length);
}

/** The main subject: the first noun the prompt shows doing or being something (not an action's object). */
function mainSubject(analysis: Analysis): Mention | undefined {
  return analysis.mentions.find((mention) => !mention.actionObject && !mention.ofPart);
}

function findMention(analysis: Analysis, name: string): Mention | undefined {
  return (
    analysis.mentions.find((mention) => mention.name === name && !mention.actionObject) ??
    analysis.mentions.find((mention) => mention.name === name)
  );
}

/** Where appended phrases go: the end of the clause that holds the main subject (or the setting, or the first clause). */
function clauseEnd(analysis: Analysis): number {
  const anchor = mainSubject(analysis)?.last ?? firstSpan(analysis, 'scene')?.first ?? 0;
  const from = analysis.tokens[anchor]?.end ?? 0;
  const rest = analysis.text.slice(from);
  const separator = /[,|;]/.exec(rest);
  let end = separator ? from + separator.index : analysis.text.length;
  while (end > 0 && /\s/.test(analysis.text[end - 1]!)) end--;
  return end;
}

function firstSpan(analysis: Analysis, kind: LexicalItem['kind']): ItemSpan | undefined {
  return analysis.spans.find((span) => span.item.kind === kind);
}

function startOf(analysis: Analysis, token: number): number {
  return analysis.tokens[token]!.start;
}

function endOf(analysis: Analysis, token: number): number {
  return analysis.tokens[token]!.end;
}

/** Replaces a span (with the preposition and article before it when `withPreposition`) by new words. */
function replaceSpan(analysis: Analysis, span: ItemSpan, words: string, withPreposition: boolean): string {
  let first = span.first;
  if (withPreposition) {
    if (first > 0 && ['the', 'a', 'an'].includes(analysis.tokens[first - 1]!.word)) first--;
    if (first > 0 && PREPOSITIONS.has(analysis.tokens[first - 1]!.word)) first--;
    else first = span.first;
  }
  const start = startOf(analysis, first);
  const edited = new TextEdit(analysis.text)
    .replace(start, endOf(analysis, span.first + span.length - 1), words)
    .apply();
  return fixArticle(edited, start);
}

function append(analysis: Analysis, phrase: string): string {
  return new TextEdit(analysis.text).insert(clauseEnd(analysis), ` ${phrase}`).apply();
}

const WEATHER_FORMS: Readonly<Record<string, { adjective: string; noun: string }>> = {
  clear: { adjective: 'sunny', noun: 'sunshine' },
  cloudy: { adjective: 'cloudy', noun: 'clouds' },
  rain: { adjective: 'rainy', noun: 'rain' },
  snow: { adjective: 'snowy', noun: 'snow' },
  fog: { adjective: 'foggy', noun: 'fog' },
  storm: { adjective: 'stormy', noun: 'storm' },
};
const WARM_SEASONS = new Set(['spring', 'summer']);

function phraseOf(table: readonly { name: string; phrase: string }[], name: string): string {
  return table.find((entry) => entry.name === name)!.phrase;
}

/** Words of daylight that a dark time of day contradicts. */
const DAYLIGHT = new Set(['sunny', 'sunlit', 'daylight', 'daytime']);
const DARK_TIMES = new Set(['night', 'dusk']);

function editTime(analysis: Analysis, time: string): string {
  const existing = firstSpan(analysis, 'time');
  if (!existing) {
    // "a hot summer day" at night is "a hot summer night"; "a sunny windowsill" at night is a windowsill.
    const day = analysis.tokens.findIndex((token) => token.word === 'day');
    if (day >= 0)
      return replaceSpan(analysis, { item: { kind: 'known', word: 'day' }, first: day, length: 1 }, time, false);
    const daylight = analysis.tokens.findIndex((token) => DAYLIGHT.has(token.word));
    if (daylight >= 0 && DARK_TIMES.has(time)) {
      const start = startOf(analysis, daylight);
      const removed = new TextEdit(analysis.text).replace(start, endOf(analysis, daylight), '').apply();
      return append(analyse(fixArticle(removed, start)), phraseOf(WORLD_TIMES, time));
    }
    return append(analysis, phraseOf(WORLD_TIMES, time));
  }
  if ((existing.item as { name: string }).name === time) return analysis.text;
  const before = analysis.tokens[existing.first - 1]?.word;
  const after = analysis.tokens[existing.first + existing.length];
  const modifies =
    after !== undefined &&
    !/[,|;]/.test(analysis.text.slice(endOf(analysis, existing.first), after.start)) &&
    !PREPOSITIONS.has(after.word) &&
    !['with', 'and'].includes(after.word);
  // "at sunrise" becomes "at night"; "on a foggy morning" and "in morning fog" keep the words around the time, but
  // a sunny afternoon cannot be night: "on a sunny afternoon" becomes "on a moonlit night".
  if (before !== undefined && DAYLIGHT.has(before) && DARK_TIMES.has(time)) {
    const span: ItemSpan = { ...existing, first: existing.first - 1, length: existing.length + 1 };
    return replaceSpan(analysis, span, time === 'night' ? 'moonlit night' : time, false);
  }
  if (!modifies && before !== undefined && (PREPOSITIONS.has(before) || before === 'the')) {
    return replaceSpan(analysis, existing, phraseOf(WORLD_TIMES, time), true);
  }
  return replaceSpan(analysis, existing, time, false);
}

function editWeather(analysis: Analysis, weather: string): string {
  const existing = firstSpan(analysis, 'weather');
  if (!existing) return append(analysis, phraseOf(WORLD_WEATHER, weather));
  const written = analysis.tokens[existing.first + existing.length - 1]!.word;
  const forms = WEATHER_FORMS[weather]!;
  const before = analysis.tokens[existing.first - 1]?.word;
  if (before !== undefined && (PREPOSITIONS.has(before) || before === 'the' || before === 'a')) {
    if (!written.endsWith('y')) return replaceSpan(analysis, existing, phraseOf(WORLD_WEATHER, weather), true);
  }
  return replaceSpan(analysis, existing, written.endsWith('y') ? forms.adjective : forms.noun, false);
}

function editSeason(analysis: Analysis, season: string): string {
  const existing = firstSpan(analysis, 'season');
  if (existing) return replaceSpan(analysis, existing, season, false);
  const snow = analysis.spans.find((span) => span.item.kind === 'weather' && span.item.name === 'snow');
  // Snow does not fall in summer: the season takes the snow's place.
  if (snow && WARM_SEASONS.has(season)) return replaceSpan(analysis, snow, phraseOf(WORLD_SEASONS, season), true);
  return append(analysis, phraseOf(WORLD_SEASONS, season));
}

// Words after a style name that keep it the picture's style: "anime style", "neon art", "oil painting of".
const STYLE_HEADS = new Set(['style', 'art', 'artwork', 'painting', 'illustration', 'drawing', 'render', 'photo']);

/**
 * The prompt's own style: a style name that does not stand before a noun as its modifier ("a neon sign" and "art
 * deco chandeliers" name a sign and chandeliers, not the picture's style).
 */
function pictureStyleSpan(analysis: Analysis): ItemSpan | undefined {
  return analysis.spans.find((span) => {
    if (span.item.kind !== 'style') return false;
    const next = analysis.tokens[span.first + span.length]?.word;
    if (next === undefined || STYLE_HEADS.has(next)) return true;
    return loadLexicon().noun(next) === undefined;
  });
}

function editStyle(analysis: Analysis, style: string): string {
  const existing = pictureStyleSpan(analysis);
  const curated = WORLD_STYLES.find((entry) => entry.name === style);
  if (existing) {
    if (curated) return replaceSpan(analysis, existing, curated.phrasings[0]!.replace(/^an? /, ''), false);
    // "an oil painting of a harbor" in the style of cubism: "a painting of a harbor, in the style of cubism".
    const lead = analysis.tokens[existing.first + existing.length]?.word === 'of';
    if (lead) return `${replaceSpan(analysis, existing, 'painting', false)}, ${stylePhrase(style)}`;
    return replaceSpan(analysis, existing, style, false);
  }
  return `${analysis.text.replace(/[\s,|;]+$/, '')}, ${stylePhrase(style)}`;
}

function editBackground(analysis: Analysis, background: string): string {
  const existing = analysis.spans.find(
    (span) => span.item.kind === 'scene' && !analysis.mentions.some((mention) => mention.first === span.first),
  );
  if (!existing) return append(analysis, settingPhrase(background));
  const curated = WORLD_SCENES.find((entry) => entry.name === background);
  // "in the woods" becomes "on a beach"; "in a busy cafe" keeps its adjective: "in a busy library".
  const article = analysis.tokens[existing.first - 1]?.word;
  const bare =
    ['a', 'an', 'the'].includes(article ?? '') && PREPOSITIONS.has(analysis.tokens[existing.first - 2]?.word ?? '');
  const direct = PREPOSITIONS.has(article ?? '');
  if (bare || direct || (curated && !/^(in|on|by|at) (a|an|the) /.test(curated.phrase))) {
    return replaceSpan(analysis, existing, settingPhrase(background), true);
  }
  return replaceSpan(analysis, existing, curated ? curated.nounPhrase.replace(/^(a|an|the) /, '') : background, false);
}

function subjectPhrase(operation: Extract<EditOperation, { type: 'add' }>): string {
  const subject: Subject = { object: operation.object, count: operation.count, attributes: [] };
  if (operation.colour) subject.colour = operation.colour;
  if (operation.material) subject.material = operation.material;
  return renderSubject(subject);
}

function isWearable(name: string): boolean {
  return loadLexicon().noun(name)?.classes[0] === 'clothing' || ['scarf', 'hat', 'crown', 'backpack'].includes(name);
}

/**
 * The last token of the noun phrase ending at `last`, read on through nouns the lexicon knows (`a birch
 * woodland`) and an `of` phrase (`a bowl of pho`), up to a preposition, a conjunction, a verb or a separator.
 */
function phraseEnd(analysis: Analysis, last: number): number {
  const { tokens, text } = analysis;
  const lexicon = loadLexicon();
  let end = last;
  let afterOf = false;
  for (let token = last + 1; token < tokens.length; token++) {
    const word = tokens[token]!.word;
    if (/[,|;]/.test(text.slice(tokens[token - 1]!.end, tokens[token]!.start))) break;
    if (word === 'of' && !afterOf) {
      afterOf = true;
      continue;
    }
    if (PREPOSITIONS.has(word) || ['with', 'and', 'or', 'while', 'full', 'next'].includes(word) || word.endsWith('ing'))
      break;
    if (!afterOf && lexicon.noun(word) === undefined) break;
    end = token;
  }
  return end;
}

function editAdd(analysis: Analysis, operation: Extract<EditOperation, { type: 'add' }>): string {
  const phrase = subjectPhrase(operation);
  const main = mainSubject(analysis);
  if (!main) {
    const end = clauseEnd(analysis);
    const joiner = /\bwith\b/i.test(analysis.text.slice(0, end)) ? 'and' : 'with';
    return new TextEdit(analysis.text).insert(end, ` ${joiner} ${phrase}`).apply();
  }
  const wearer = ['person', 'animal'].includes(kindOfObject(main.name));
  const busy = main.verbToken !== undefined;
  const joiner = busy || (wearer && isWearable(operation.object)) ? 'with' : 'and';
  return new TextEdit(analysis.text)
    .insert(endOf(analysis, phraseEnd(analysis, main.phraseLast)), ` ${joiner} ${phrase}`)
    .apply();
}

/** Words left dangling at the end of a clause when what they introduced is gone (`full of`, `like`). */
const DANGLING = new Set([...PREPOSITIONS, 'of', 'with', 'like', 'full', 'from', 'around', 'and', 'through', 'across']);
/** What a prompt may no longer start with once its first thing is gone: "on a sofa" -> "a sofa". */
const LEADING =
  /^(?:(?:[a-z]+ed|[a-z]+ing)(?:\s+(?:up|down|out))?\s+)?(?:on|in|at|by|under|near|inside|beside|with|from|through|across|over|around)\s+/i;

/** Deletes tokens `first..last` with the connector that joined them to the rest (`and`, `with`, a comma). */
function deleteTokens(analysis: Analysis, first: number, last: number): string {
  const { tokens, text } = analysis;
  let start = tokens[first]!.start;
  let end = tokens[last]!.end;
  let previousIndex = first - 1;
  const next = tokens[last + 1];
  const separatorBefore = previousIndex >= 0 && /[,|;]/.test(text.slice(tokens[previousIndex]!.end, start));
  const separatorAfter = next === undefined || /[,|;]/.test(text.slice(end, next.start));
  if (previousIndex >= 0 && ['and', 'with'].includes(tokens[previousIndex]!.word) && !separatorBefore) {
    start = tokens[previousIndex]!.start;
    previousIndex--;
  } else if (next && next.word === 'and' && !separatorAfter) {
    end = next.end;
  } else if (separatorBefore) {
    start = tokens[previousIndex]!.end;
  }
  // At the end of its clause, what introduced the deleted words goes too: "a salt flat like a mirror" -> "a salt flat".
  if (separatorAfter && !separatorBefore) {
    while (previousIndex >= 0 && DANGLING.has(tokens[previousIndex]!.word)) {
      start = tokens[previousIndex]!.start;
      previousIndex--;
    }
  }
  // "portrait of" or "macro shot of" with nothing left to show: the lead goes with its thing.
  if (previousIndex >= 0 && tokens[previousIndex]!.word === 'of' && next && DANGLING.has(next.word)) {
    start = 0;
  }
  let result = new TextEdit(text).replace(start, end, '').apply();
  if (start === 0) result = result.replace(LEADING, '');
  return fixArticle(result, 0);
}

function editRemove(analysis: Analysis, name: string): string {
  const mention = findMention(analysis, name);
  if (!mention) return analysis.text;
  if (mention.actionObject) {
    const owner = analysis.mentions.find((candidate) => candidate.object === mention);
    return deleteTokens(analysis, owner?.verbToken ?? mention.phraseFirst, mention.last);
  }
  if (mention.ofPart) {
    // "a grove of giant redwoods" without the redwoods: "a grove".
    const start = startOf(analysis, mention.phraseFirst - 1);
    return new TextEdit(analysis.text).replace(start, endOf(analysis, mention.last), '').apply();
  }
  const next = analysis.tokens[mention.last + 1];
  if (
    next &&
    !/[,|;]/.test(analysis.text.slice(endOf(analysis, mention.last), next.start)) &&
    loadLexicon()
      .noun(next.word)
      ?.classes.some((nounClass) => nounClass !== 'other') &&
    !next.word.endsWith('ing') &&
    !PREPOSITIONS.has(next.word)
  ) {
    // A noun that modifies the next one (`cobblestone` in `a cobblestone street`) leaves the rest of the phrase.
    const start = startOf(analysis, mention.first);
    return fixArticle(new TextEdit(analysis.text).replace(start, endOf(analysis, mention.last), '').apply(), start);
  }
  if (mention.verbToken !== undefined) {
    // "a blacksmith hammering a sword" without the blacksmith is "a sword"; a lone verb goes with its subject.
    const last = mention.object ? mention.object.phraseFirst - 1 : mention.verbToken;
    return deleteTokens(analysis, mention.phraseFirst, last);
  }
  return deleteTokens(analysis, mention.phraseFirst, Math.max(mention.last, mention.phraseLast));
}

function isPluralMention(analysis: Analysis, mention: Mention): boolean {
  const written = analysis.tokens
    .slice(mention.first, mention.last + 1)
    .map((token) => token.word)
    .join(' ');
  return written !== mention.name && loadLexicon().noun(written)?.lemma === mention.name;
}

function editReplace(analysis: Analysis, object: string, replacement: string): string {
  const mention = findMention(analysis, object);
  if (!mention) return analysis.text;
  const noun = objectNoun(replacement, isPluralMention(analysis, mention));
  const start = startOf(analysis, mention.first);
  const edited = new TextEdit(analysis.text).replace(start, endOf(analysis, mention.last), noun).apply();
  return fixArticle(edited, start);
}

/** Replaces the modifier of `kind` inside the mention's noun phrase, or inserts `word` right before its noun. */
function editModifier(analysis: Analysis, object: string, kind: 'colour' | 'material', word: string): string {
  const mention = findMention(analysis, object);
  if (!mention) return analysis.text;
  const existing = analysis.spans.find(
    (span) => span.item.kind === kind && span.first >= mention.phraseFirst && span.first < mention.first,
  );
  if (existing) return replaceSpan(analysis, existing, word, false);
  let before = mention.phraseFirst;
  while (before < mention.first && ARTICLES.has(analysis.tokens[before]!.word)) before++;
  const start = startOf(analysis, before);
  return fixArticle(new TextEdit(analysis.text).insert(start, `${word} `).apply(), start);
}

const COUNT_WORDS = ['', 'a', 'two', 'three', 'four', 'five'];

function editCount(analysis: Analysis, object: string, count: number): string {
  const mention = findMention(analysis, object);
  if (!mention) return analysis.text;
  const noun = objectNoun(object, count > 1);
  const determiner = ARTICLES.has(analysis.tokens[mention.phraseFirst]!.word) ? mention.phraseFirst : undefined;
  const edit = new TextEdit(analysis.text).replace(
    startOf(analysis, mention.first),
    endOf(analysis, mention.last),
    noun,
  );
  const countWord = count === 1 ? 'a' : COUNT_WORDS[count]!;
  if (determiner !== undefined) edit.replace(startOf(analysis, determiner), endOf(analysis, determiner), countWord);
  else edit.insert(startOf(analysis, mention.phraseFirst), `${countWord} `);
  const edited = edit.apply();
  return count === 1 ? fixArticle(edited, startOf(analysis, mention.phraseFirst) + 2) : edited;
}

function applyInPlace(text: string, operation: EditOperation): string {
  const analysis = analyse(text);
  switch (operation.type) {
    case 'time':
      return editTime(analysis, operation.time);
    case 'weather':
      return editWeather(analysis, operation.weather);
    case 'season':
      return editSeason(analysis, operation.season);
    case 'style':
      return editStyle(analysis, operation.style);
    case 'background':
      return editBackground(analysis, operation.background);
    case 'add':
      return editAdd(analysis, operation);
    case 'remove':
      return editRemove(analysis, operation.object);
    case 'replace':
      return editReplace(analysis, operation.object, operation.replacement);
    case 'colour':
      return editModifier(analysis, operation.object, 'colour', operation.colour);
    case 'material':
      return editModifier(analysis, operation.object, 'material', operation.material);
    case 'count':
      return editCount(analysis, operation.object, operation.count);
  }
}

/**
 * `make him young`, `make the man old`: an adjective for a subject that is no colour, material, time, weather,
 * season or style. Returns the subject's name and the adjective.
 */
function readAttributeEdit(instruction: string, analysis: Analysis): { name: string; adjective: string } | undefined {
  const match = /^\s*(?:please\s+)?make\s+(him|her|it|them|the\s+[a-z' -]+?)\s+(?:look\s+)?([a-z-]+)\s*[.!]?\s*$/i.exec(
    instruction,
  );
  if (!match) return undefined;
  const adjective = match[2]!.toLowerCase();
  const lexicon = loadLexicon();
  if (lexicon.adjective(adjective) === undefined || lexicon.noun(adjective)?.classes[0] === 'colour') return undefined;
  const reading = readItems([adjective], { vocabulary: 'open' })[0]?.item;
  if (reading && !['attribute', 'unknown', 'object', 'known'].includes(reading.kind)) return undefined;
  const who = match[1]!.toLowerCase();
  const things = analysis.mentions.filter((mention) => !mention.actionObject);
  let target: Mention | undefined;
  if (who === 'him' || who === 'her') {
    target =
      things.find((mention) => pronounOf(mention.name) === who) ??
      things.find((mention) => kindOfObject(mention.name) === 'person');
  } else if (who === 'it' || who === 'them') {
    target = things[0];
  } else {
    const named = lexicon.noun(who.replace(/^the\s+/, ''))?.lemma;
    target = things.find((mention) => mention.name === named);
  }
  return target ? { name: target.name, adjective } : undefined;
}

/** Sets an adjective on a subject: it replaces one of the same attribute or its opposite (`old` -> `young`). */
function editAttribute(analysis: Analysis, name: string, adjective: string): string {
  const mention = findMention(analysis, name)!;
  const lexicon = loadLexicon();
  const wanted = lexicon.adjective(adjective);
  for (let token = mention.phraseFirst; token < mention.first; token++) {
    const written = lexicon.adjective(analysis.tokens[token]!.word);
    if (!written || !wanted) continue;
    const opposite = written.antonyms.includes(wanted.lemma) || wanted.antonyms.includes(written.lemma);
    const sameAttribute = written.attributes[0] !== undefined && written.attributes[0] === wanted.attributes[0];
    if (opposite || sameAttribute) {
      const start = startOf(analysis, token);
      return fixArticle(new TextEdit(analysis.text).replace(start, endOf(analysis, token), adjective).apply(), start);
    }
  }
  let before = mention.first;
  while (before > mention.phraseFirst && !ARTICLES.has(analysis.tokens[before - 1]!.word)) before--;
  const start = startOf(analysis, before);
  return fixArticle(new TextEdit(analysis.text).insert(start, `${adjective} `).apply(), start);
}

/**
 * Edits any prompt in place: the instruction is read as edits of what the prompt says (with the open vocabulary),
 * and each edit changes only the words it is about. A time, weather, season, style or setting already written is
 * replaced where it stands (`at sunrise` -> `at night`, `in the snow` -> `in summer`), else appended to the clause
 * of the main subject; `make it a dog` swaps the main subject's noun; added things join the main subject; removed
 * ones leave with their connecting word; colours, materials and counts change inside the named thing's noun phrase;
 * `make him young` swaps an adjective for its opposite. Words the edit does not touch stay as they were written.
 * Returns the prompt unchanged when the instruction asks for nothing it understands.
 */
export function editInPlace(prompt: string, instruction: string): string {
  const analysis = analyse(prompt);
  const attribute = readAttributeEdit(instruction, analysis);
  if (attribute) return editAttribute(analysis, attribute.name, attribute.adjective);
  return editWithOperations(analysis, instruction);
}

/** True when the instruction sets an adjective of a subject of the prompt (`make him young`). */
export function isAttributeEdit(prompt: string, instruction: string): boolean {
  return readAttributeEdit(instruction, analyse(prompt)) !== undefined;
}

function editWithOperations(analysis: Analysis, instruction: string): string {
  const prompt = analysis.text;
  let text = prompt;
  let scene = analysis.scene;
  for (const operation of parseInstructions(instruction, scene, { vocabulary: 'open' })) {
    text = applyInPlace(text, operation);
    scene = applyEdit(scene, operation);
  }
  return text;
}
