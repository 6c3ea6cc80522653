/**
 * What a noun names, as read from WordNet: the nearest of a few anchor synsets above it in the hypernym hierarchy
 * ("library" is under `room`, "cafe" under `building`), else its lexicographer file ("dog" is in noun.animal).
 *
 * - things a prompt draws as subjects: `person`, `artist` (a person whose name can also stand for a style),
 *   `animal`, `plant`, `food`, `body`, `vehicle`, `clothing`, `artifact`, `natural-object`, `group`;
 * - settings: `building`, `room`, `way` (streets, roads, paths), `location` (cities, regions, parks), `landform`
 *   (mountains, beaches, rivers, dry land);
 * - states of a scene: `time-of-day`, `season`, `weather`, and `time` (other periods);
 * - modifiers: `colour`, `material` (substances and fabrics);
 * - `art`: media, artworks and art movements ("watercolor", "sketch", "impressionism");
 * - `other`: everything else (abstractions, acts, events...).
 */
export type NounClass =
  | 'person'
  | 'artist'
  | 'animal'
  | 'plant'
  | 'food'
  | 'body'
  | 'vehicle'
  | 'clothing'
  | 'artifact'
  | 'natural-object'
  | 'group'
  | 'building'
  | 'room'
  | 'way'
  | 'location'
  | 'landform'
  | 'time-of-day'
  | 'season'
  | 'weather'
  | 'time'
  | 'colour'
  | 'material'
  | 'art'
  | 'other';

/** One letter per class in the index file. */
export const NOUN_CLASS_CODES: Readonly<Record<NounClass, string>> = Object.freeze({
  person: 'P',
  artist: 'Y',
  animal: 'A',
  plant: 'L',
  food: 'F',
  body: 'B',
  vehicle: 'V',
  clothing: 'C',
  artifact: 'X',
  'natural-object': 'J',
  group: 'Q',
  building: 'G',
  room: 'O',
  way: 'W',
  location: 'N',
  landform: 'T',
  'time-of-day': 'D',
  season: 'E',
  weather: 'H',
  time: 'I',
  colour: 'K',
  material: 'M',
  art: 'R',
  other: 'Z',
});

/** The classes of settings: where a scene takes place. */
export const SETTING_CLASSES: ReadonlySet<NounClass> = new Set(['building', 'room', 'way', 'location', 'landform']);

/** The classes of things a prompt can show as its subject. */
export const THING_CLASSES: ReadonlySet<NounClass> = new Set([
  'person',
  'artist',
  'animal',
  'plant',
  'food',
  'body',
  'vehicle',
  'clothing',
  'artifact',
  'natural-object',
  'group',
]);

const classOfCode = new Map(Object.entries(NOUN_CLASS_CODES).map(([name, code]) => [code, name as NounClass]));

/** Decodes an index entry's class letters. @throws Error on an unknown letter. */
export function decodeNounClasses(codes: string): NounClass[] {
  return [...codes].map((code) => {
    const found = classOfCode.get(code);
    if (found === undefined) throw new Error(`unknown noun class code "${code}"`);
    return found;
  });
}
