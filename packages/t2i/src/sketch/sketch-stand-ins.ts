import { loadLexicon } from '@diffchat/lexicon';
import {
  isCuratedObject,
  type ObjectCategory,
  WORLD_COLOURS,
  WORLD_SCENES,
  WORLD_STYLES,
  worldObject,
} from '@diffchat/world';
import type { Rgb } from './sketch-paint';
import { OBJECT_LOOKS, type ObjectLook } from './sketch-recipes';

/** How the renderer draws one object: a recipe and its look, or a labelled shape with the noun written on it. */
export interface DrawingPlan {
  category: ObjectCategory;
  /** A key of `RECIPES`, or `'labelled'` for the generic shape. */
  recipe: string;
  look: ObjectLook;
  /** The noun written on a labelled shape. */
  label?: string;
}

// The lexicon tells an animal from a plant but not a bird from a dog or a boat from a car, so the last word of a
// noun picks among a category's recipes; anything else takes the category's usual recipe.
const BIRDS =
  /(bird|gull|hawk|eagle|owl|duck|swan|parrot|penguin|crow|dove|pigeon|sparrow|finch|robin|falcon|heron|crane|stork|peacock|hen|rooster|chick|turkey|goose|flamingo|pelican|woodpecker|nightingale|magpie|jackdaw|vulture|cockatoo|parakeet|pheasant|fowl|raven|kingfisher)$/;
const SEA_CREATURES = /(fish|shark|whale|dolphin|salmon|trout|sardine|eel|seahorse|octopus|squid|seal|walrus|turtle)$/;
const INSECTS =
  /(fly|bee|butterfly|moth|ant|beetle|wasp|cricket|grasshopper|locust|cicada|ladybug|mosquito|flea|caterpillar|spider|bumblebee|honeybee)$/;
const TREES =
  /(tree|oak|pine|maple|elm|willow|palm|birch|beech|cedar|redwood|sequoia|cypress|fir|spruce|linden|dogwood|mahogany|bamboo|bush|shrub|sapling|acacia|baobab|eucalyptus)$/;
const BOATS =
  /(boat|ship|yacht|canoe|kayak|barge|submarine|ferry|galleon|sloop|skiff|steamboat|steamship|tanker|freighter|raft|longship|brig|ketch|pirogue|towboat)$/;
const AIRCRAFT = /(plane|jet|aircraft|airplane|helicopter|zeppelin|airship|glider)$/;
const CYCLES = /(bicycle|bike|scooter|motorcycle|tricycle)$/;
const TRAINS = /(train|locomotive|tram|streetcar|trolley)$/;

/** Collective nouns of people, drawn as a person. */
const PEOPLE = /^(people|crowd|family|couple|team|band|audience|crew|choir|class)$/;
const DRAWN_CLASSES = new Set([
  'person',
  'artist',
  'animal',
  'plant',
  'food',
  'vehicle',
  'clothing',
  'building',
  'room',
]);

function standIn(name: string): string | undefined {
  if (PEOPLE.test(name)) return 'man';
  const classes = loadLexicon().noun(name)?.classes ?? [];
  // The first sense with a drawing wins: "van" is first a vanguard (art) in WordNet, then a vehicle.
  const nounClass = classes[0] === 'artifact' ? 'artifact' : classes.find((candidate) => DRAWN_CLASSES.has(candidate));
  switch (nounClass) {
    case 'person':
    case 'artist':
      return 'man';
    case 'animal':
      if (BIRDS.test(name)) return 'bird';
      if (SEA_CREATURES.test(name)) return 'fish';
      if (INSECTS.test(name)) return 'butterfly';
      return 'dog';
    case 'plant':
      return TREES.test(name) ? 'tree' : 'flower';
    case 'food':
      return 'apple';
    case 'vehicle':
      if (BOATS.test(name)) return 'boat';
      if (AIRCRAFT.test(name)) return 'airplane';
      if (CYCLES.test(name)) return 'bicycle';
      if (TRAINS.test(name)) return 'train';
      return 'car';
    case 'clothing':
      return 'hat';
    case 'building':
    case 'room':
      return 'house';
    default:
      return undefined;
  }
}

/** A colour that stays the same for the same word, so an unknown thing always looks the same. */
function colourOfWord(word: string): Rgb {
  let hash = 2166136261;
  for (const character of word) hash = Math.imul(hash ^ character.charCodeAt(0), 16777619) >>> 0;
  const hue = (hash % 360) / 60;
  const chroma = 150;
  const second = chroma * (1 - Math.abs((hue % 2) - 1));
  const [red, green, blue] =
    hue < 1
      ? [chroma, second, 0]
      : hue < 2
        ? [second, chroma, 0]
        : hue < 3
          ? [0, chroma, second]
          : hue < 4
            ? [0, second, chroma]
            : hue < 5
              ? [second, 0, chroma]
              : [chroma, 0, second];
  return [Math.round(red + 60), Math.round(green + 60), Math.round(blue + 60)];
}

/**
 * How to draw an object: a curated object by its own recipe; a lexicon noun by the recipe of a curated object of
 * its class (an unknown animal as a quadruped, a person as a person, a boat as a boat), in a colour of its own;
 * anything else as a labelled shape. Never fails.
 */
export function drawingOf(name: string): DrawingPlan {
  if (isCuratedObject(name)) {
    const entry = worldObject(name);
    return { category: entry.category, recipe: entry.recipe, look: OBJECT_LOOKS[name]! };
  }
  const curated = standIn(name);
  if (curated) {
    const entry = worldObject(curated);
    const look = OBJECT_LOOKS[curated]!;
    return { category: entry.category, recipe: entry.recipe, look: { ...look, colour: colourOfWord(name) } };
  }
  return {
    category: 'furniture',
    recipe: 'labelled',
    look: { colour: colourOfWord(name), aspect: 1.2, size: 0.16, variant: 'labelled' },
    label: name,
  };
}

const COLOUR_VALUES = new Map(WORLD_COLOURS.map((colour) => [colour.name, colour.rgb as Rgb]));

/** The sRGB of a colour word: a curated colour's own value, another colour word's stable stand-in. */
export function colourValue(name: string): Rgb {
  return COLOUR_VALUES.get(name) ?? colourOfWord(name);
}

const WATER = /(lake|river|pond|stream|brook|creek|waterfall|lagoon|estuary|rivulet|millpond|canal|fountain)$/;
const SEA = /(sea|ocean|gulf|strait|bay|cove|inlet|harbou?r|port)$/;
const SHORE = /(beach|shore|coast|seacoast|seashore|island|isle|reef|atoll|peninsula|cape|headland|sandbar)$/;
const HEIGHTS =
  /(mountain|hill|ridge|cliff|crag|peak|mountainside|hillside|ledge|precipice|glacier|bluff|knoll|hillock|canyon|valley|gorge|ravine|cave|slope|summit)$/;
const DRY = /(desert|dune|arroyo|steppe|badlands|mesa|canyonside)$/;
const GREEN = /(park|garden|orchard|vineyard|shrubbery|lawn|yard)$/;
const FIELDS = /(plain|meadow|field|flat|lowland|pasture|prairie|farm|farmland|grassland|savanna)$/;
const WOODS = /(forest|wood|woods|woodland|grove|jungle|thicket|rainforest)$/;

/**
 * The curated background closest to a setting: rooms and buildings are drawn indoors, landforms by their kind
 * (water, shore, heights, dry land, fields), ways as a street, other locations as a city. Curated settings are
 * themselves; an unknown word draws no background.
 */
export function sketchBackground(name: string | undefined): string | undefined {
  if (name === undefined || WORLD_SCENES.some((entry) => entry.name === name)) return name;
  for (const [pattern, background] of [
    [WATER, 'lake'],
    [SEA, 'ocean'],
    [SHORE, 'beach'],
    [HEIGHTS, 'mountains'],
    [DRY, 'desert'],
    [WOODS, 'forest'],
    [GREEN, 'garden'],
    [FIELDS, 'field'],
  ] as const) {
    if (pattern.test(name)) return background;
  }
  switch (loadLexicon().noun(name)?.classes[0]) {
    case 'room':
    case 'building':
      return 'room';
    case 'way':
      return 'street';
    case 'location':
      return 'city';
    case 'landform':
      return 'field';
    default:
      return undefined;
  }
}

const STYLE_FILTERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/watercolou?r/, 'watercolour'],
  [/pixel/, 'pixel art'],
  [/anime|manga/, 'anime'],
  [/comic|pop art|op art|cartoon/, 'comic book'],
  [/mosaic|stained|cubism|constructivism|suprematism|glass/, 'stained glass'],
  [/sketch|drawing|charcoal|pencil|etching|engraving|woodcut|linocut|cut$|print|tint|lithograph/, 'sketch'],
  [/pastel|chalk/, 'pastel'],
  [/neon|synthwave|vaporwave|cyber/, 'neon'],
  [/photo|daguerreotype|sepia/, 'vintage photo'],
  [/film|cinema/, 'cinematic'],
];

/**
 * The image filter for a style: a curated style's own, an open one's by the medium it names (engravings and
 * woodcuts as pencil work, mosaics and cubism as stained glass), and oil paint for other art and artists.
 */
export function sketchStyle(name: string | undefined): string | undefined {
  if (name === undefined || WORLD_STYLES.some((entry) => entry.name === name)) return name;
  for (const [pattern, style] of STYLE_FILTERS) if (pattern.test(name)) return style;
  const nounClass = loadLexicon().noun(name)?.classes[0];
  return nounClass === 'art' || nounClass === 'artist' ? 'oil painting' : undefined;
}
