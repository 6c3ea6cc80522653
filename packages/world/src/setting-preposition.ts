import { loadLexicon } from '@diffchat/lexicon';

/** The preposition that places subjects in a setting. */
export type SettingPreposition = 'in' | 'on' | 'by' | 'at';

// English picks the preposition by the place's shape, which WordNet does not record: enclosed ways and hollows take
// "in", water takes "by", surfaces "on". The lists name the exceptions to each class's rule.
const ENCLOSED = new Set([
  'tunnel',
  'corridor',
  'hallway',
  'hall',
  'alley',
  'alleyway',
  'passageway',
  'aisle',
  'stairwell',
  'valley',
  'canyon',
  'cave',
  'cove',
  'gully',
  'gorge',
  'ravine',
  'crater',
  'lagoon',
  'bay',
  'inlet',
  'burrow',
  'pit',
  'hollow',
  'glen',
  'dell',
  'lowland',
  'marsh',
  'swamp',
  'woodland',
  'grove',
]);
const WATER = new Set([
  'lake',
  'river',
  'pond',
  'stream',
  'brook',
  'creek',
  'sea',
  'ocean',
  'waterfall',
  'estuary',
  'rivulet',
  'millpond',
  'waterway',
  'strait',
  'gulf',
  'fountain',
  'canal',
]);

/**
 * How a setting places its subjects, by its lexicon class: rooms, buildings and locations take `in`, ways and
 * landforms `on` (a street, a hill), enclosed ones `in` (a tunnel, a valley), water `by` (a river).
 */
export function settingPreposition(lemma: string): SettingPreposition {
  if (WATER.has(lemma)) return 'by';
  if (ENCLOSED.has(lemma)) return 'in';
  const nounClass = loadLexicon().noun(lemma)?.classes[0];
  return nounClass === 'way' || nounClass === 'landform' ? 'on' : 'in';
}
