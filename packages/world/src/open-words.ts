import { type Lexicon, loadLexicon, type NounClass, SETTING_CLASSES } from '@diffchat/lexicon';
import { isBlocked } from './blocklist';

/** What an open (WordNet) noun stands for in a prompt. */
export type OpenNounRole = 'thing' | 'setting' | 'style' | 'material';

/** The classes whose nouns a prompt shows as its subjects: people, animals, plants, food, vehicles, clothing, artifacts. */
export const SUBJECT_CLASSES: ReadonlySet<NounClass> = new Set([
  'person',
  'animal',
  'plant',
  'food',
  'vehicle',
  'clothing',
  'artifact',
  'natural-object',
]);

/** The role of a noun by the class of its most frequent sense, or undefined for nouns a prompt does not draw. */
export function roleOfClass(nounClass: NounClass | undefined): OpenNounRole | undefined {
  if (nounClass === undefined) return undefined;
  if (SUBJECT_CLASSES.has(nounClass)) return 'thing';
  if (SETTING_CLASSES.has(nounClass)) return 'setting';
  if (nounClass === 'art' || nounClass === 'artist') return 'style';
  if (nounClass === 'material') return 'material';
  return undefined;
}

/** The attributes (WordNet's) whose adjectives describe each kind of subject in a picture. */
export const ATTRIBUTES_BY_KIND: Readonly<Record<'person' | 'animal' | 'food' | 'thing', readonly string[]>> = {
  person: ['age', 'stature', 'body weight', 'complexion', 'size'],
  animal: ['size', 'body weight', 'cleanness', 'wetness'],
  food: ['temperature', 'size', 'wetness'],
  thing: ['size', 'luminosity', 'cleanness', 'wetness', 'light'],
};

/** Open adjectives, colours, materials and styles, built from the lexicon on first use. */
export interface OpenWords {
  lexicon: Lexicon;
  /** Adjectives per subject kind, from {@link ATTRIBUTES_BY_KIND}. */
  attributesByKind: Readonly<Record<keyof typeof ATTRIBUTES_BY_KIND, readonly string[]>>;
  /** Every adjective of `attributesByKind`: the parser reads these as attributes. */
  attributes: ReadonlySet<string>;
  /** Colour adjectives (WordNet's `hue`) beyond the curated colours. */
  colours: ReadonlySet<string>;
}

let built: OpenWords | undefined;

/**
 * Words a prompt may use as modifiers, from the lexicon: familiar single-word adjectives whose first attribute
 * fits a kind of subject, and colour adjectives. Adjectives that are also nouns of a drawable class (`olive`,
 * `adult`) are left out, so that a word has one reading; blocked words too. `exclude` holds the curated words.
 */
export function openWords(exclude: (word: string) => boolean): OpenWords {
  if (built !== undefined) return built;
  const lexicon = loadLexicon();
  const fits = (word: string): boolean =>
    /^[a-z]+$/.test(word) &&
    !exclude(word) &&
    !isBlocked(word) &&
    roleOfClass(lexicon.noun(word)?.classes[0]) === undefined;
  const adjectivesOf = (attributes: readonly string[]): string[] =>
    lexicon
      .adjectives({ attributes, minFamiliarity: 1, singleWord: true })
      .map((entry) => entry.lemma)
      .filter((word) => fits(word) && !word.endsWith('ish'));
  const attributesByKind = {
    person: adjectivesOf(ATTRIBUTES_BY_KIND.person),
    animal: adjectivesOf(ATTRIBUTES_BY_KIND.animal),
    food: adjectivesOf(ATTRIBUTES_BY_KIND.food),
    thing: adjectivesOf(ATTRIBUTES_BY_KIND.thing),
  };
  const colours = new Set(adjectivesOf(['hue']));
  const attributes = new Set(Object.values(attributesByKind).flat());
  for (const colour of colours) attributes.delete(colour);
  built = { lexicon, attributesByKind, attributes, colours };
  return built;
}
