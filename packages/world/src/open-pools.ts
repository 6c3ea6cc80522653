import { loadLexicon, type NounClass } from '@diffchat/lexicon';
import { ACTION_FRAMES, type ActionFrame, type Agent } from './actions';
import { isBlocked, isBlockedSetting } from './blocklist';
import { isCuratedPhrase } from './lexicon';
import { openWords } from './open-words';
import { roundTrips } from './round-trip';
import { objectNoun, stylePhrase } from './scene';

/** The kinds of open subjects, each drawn from one lexicon class. */
export type OpenSubjectKind = 'person' | 'animal' | 'plant' | 'food' | 'vehicle' | 'clothing' | 'artifact';

/** Single-word and multi-word lemmas of one pool; multi-word ones are drawn rarely. */
export interface LemmaPool {
  single: readonly string[];
  multi: readonly string[];
}

/** An action frame with its objects resolved to lemmas (empty for verbs used without an object). */
export interface ResolvedAction {
  verb: string;
  agents: readonly Agent[];
  objects: readonly string[];
}

/** Everything the open-vocabulary generators draw from. */
export interface OpenPools {
  subjects: Readonly<Record<OpenSubjectKind, LemmaPool>>;
  settings: LemmaPool;
  /** Adjectives per kind of subject; see `ATTRIBUTES_BY_KIND`. */
  attributes: Readonly<Record<'person' | 'animal' | 'food' | 'thing', readonly string[]>>;
  colours: readonly string[];
  materials: readonly string[];
  styles: readonly string[];
  actions: readonly ResolvedAction[];
}

/** How familiar (WordNet tagsense count) a noun of each class must be: the large, noisy classes ask for more. */
const MIN_FAMILIARITY: Readonly<Record<OpenSubjectKind, number>> = {
  person: 2,
  animal: 1,
  plant: 1,
  food: 1,
  vehicle: 1,
  clothing: 1,
  artifact: 2,
};

const SETTING_FAMILIARITY: ReadonlyArray<readonly [NounClass, number]> = [
  ['room', 1],
  ['building', 1],
  ['way', 1],
  ['landform', 1],
  ['location', 2],
];

/**
 * Materials things are made of. The lexicon's material class is mostly chemistry (`acetone`, `albumin`) and
 * refuse, so the materials are named here and each is checked to be a material noun of the lexicon.
 */
const MATERIAL_WORDS = `alabaster aluminum brass canvas cardboard cashmere cement charcoal clay concrete copper cork
corduroy cotton fiberglass flannel flint fur granite ice iron ivory jade leather linen lumber nickel obsidian parchment
plaster platinum quartz rubber sand satin sheepskin silk sponge straw stucco timber tin tweed velvet vinyl wax wicker
wool`.split(/\s+/);

/** Art media and movements: movements end in -ism; media are named by the ways prints and carvings are made. */
const STYLE_PATTERN = /(ism|cut|print|tint|carving|etching|engraving|mosaic|fresco|mural|collage|relief|art|painting)$/;

let built: OpenPools | undefined;

function pool(lemmas: readonly string[], keep: (lemma: string) => boolean, blocked = isBlocked): LemmaPool {
  const kept = lemmas.filter((lemma) => /^[a-z][a-z -]*$/.test(lemma) && !blocked(lemma) && keep(lemma));
  return { single: kept.filter((lemma) => !lemma.includes(' ')), multi: kept.filter((lemma) => lemma.includes(' ')) };
}

function resolveAction(frame: ActionFrame, subjects: Readonly<Record<OpenSubjectKind, LemmaPool>>): ResolvedAction {
  const lexicon = loadLexicon();
  const objects = new Set<string>();
  for (const nounClass of frame.objects?.classes ?? []) {
    for (const lemma of subjects[nounClass as OpenSubjectKind]?.single ?? []) objects.add(lemma);
  }
  for (const word of frame.objects?.words ?? []) {
    if (lexicon.noun(word)?.lemma === word && !isBlocked(word)) objects.add(word);
  }
  const kept = [...objects].filter((object) =>
    roundTrips({
      subjects: [{ object: 'man', count: 1, attributes: [], action: { verb: frame.verb, object } }],
      quality: [],
    }),
  );
  return { verb: frame.verb, agents: frame.agents, objects: kept };
}

/**
 * The open vocabulary, built from the lexicon on first use (about a second): familiar nouns of each subject
 * class, settings, adjectives, colours, materials, styles and actions, without sensitive or blocked words and
 * without words of the curated vocabulary. Every entry is kept only if a prompt written with it reads back as the
 * same scene, so generated prompts always parse back to their ground truth.
 */
export function openPools(): OpenPools {
  if (built !== undefined) return built;
  const lexicon = loadLexicon();
  const words = openWords(isCuratedPhrase);
  const thing = (lemma: string): boolean =>
    !isCuratedPhrase(lemma) &&
    !isCuratedPhrase(objectNoun(lemma, true)) &&
    roundTrips({ subjects: [{ object: lemma, count: 1, attributes: [] }], quality: [] }) &&
    roundTrips({ subjects: [{ object: lemma, count: 3, attributes: [] }], quality: [] });
  const kinds = Object.keys(MIN_FAMILIARITY) as OpenSubjectKind[];
  const subjects = Object.fromEntries(
    kinds.map((kind) => [
      kind,
      pool(
        lexicon.nouns({ classes: [kind], minFamiliarity: MIN_FAMILIARITY[kind] }).map((entry) => entry.lemma),
        thing,
      ),
    ]),
  ) as Record<OpenSubjectKind, LemmaPool>;
  const settingLemmas = SETTING_FAMILIARITY.flatMap(([nounClass, minFamiliarity]) =>
    lexicon.nouns({ classes: [nounClass], minFamiliarity }).map((entry) => entry.lemma),
  );
  const settings = pool(
    settingLemmas,
    (lemma) =>
      !isCuratedPhrase(lemma) &&
      roundTrips({ subjects: [{ object: 'cat', count: 1, attributes: [] }], background: lemma, quality: [] }),
    isBlockedSetting,
  );
  const modifierRoundTrips = (field: 'colour' | 'material') => (word: string) =>
    roundTrips({ subjects: [{ object: 'chair', count: 1, attributes: [], [field]: word }], quality: [] });
  const attributes = Object.fromEntries(
    Object.entries(words.attributesByKind).map(([kind, list]) => [
      kind,
      list.filter((word) => roundTrips({ subjects: [{ object: 'cat', count: 1, attributes: [word] }], quality: [] })),
    ]),
  ) as unknown as OpenPools['attributes'];
  const colours = [...words.colours].filter(modifierRoundTrips('colour'));
  const materials = MATERIAL_WORDS.filter(
    (word) =>
      lexicon.noun(word)?.classes.includes('material') &&
      !isCuratedPhrase(word) &&
      modifierRoundTrips('material')(word),
  );
  const styles = [...lexicon.nouns({ classes: ['art'] }).map((entry) => entry.lemma)].filter(
    (lemma) =>
      STYLE_PATTERN.test(lemma) &&
      // "carving" after a subject would read as its action.
      !lemma.endsWith('ing') &&
      !/gram$|graph$/.test(lemma) &&
      !isBlocked(lemma) &&
      !isCuratedPhrase(lemma) &&
      stylePhrase(lemma) !== lemma &&
      roundTrips({ subjects: [{ object: 'cat', count: 1, attributes: [] }], style: lemma, quality: [] }),
  );
  built = { subjects, settings, attributes, colours, materials, styles, actions: [] };
  built.actions = ACTION_FRAMES.filter((frame) => {
    const verb = lexicon.verb(frame.verb);
    return verb?.lemma === frame.verb && (frame.objects ? verb.transitive : verb.intransitive);
  })
    .map((frame) => resolveAction(frame, subjects))
    .filter(
      (action) =>
        action.objects.length > 0 ||
        (!ACTION_FRAMES.find((frame) => frame.verb === action.verb)?.objects &&
          roundTrips({
            subjects: [{ object: 'man', count: 1, attributes: [], action: { verb: action.verb } }],
            quality: [],
          })),
    );
  return built;
}
