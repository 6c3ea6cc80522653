/** Broad kind of a drawable object; the sketch renderer sizes and places objects by category. */
export type ObjectCategory =
  | 'animal'
  | 'bird'
  | 'sea creature'
  | 'insect'
  | 'person'
  | 'vehicle'
  | 'building'
  | 'plant'
  | 'furniture'
  | 'food'
  | 'accessory';

/** One object of the prompt world. */
export interface WorldObject {
  /** Singular name as written in prompts, e.g. `hot air balloon`. */
  name: string;
  /** Plural form, e.g. `hot air balloons`; equal to `name` for words like `sheep`. */
  plural: string;
  category: ObjectCategory;
  /** Identifier of the drawing recipe that renders it; objects sharing a recipe differ by recipe parameters. */
  recipe: string;
  /** Other ways prompts name it (singular forms). */
  aliases?: readonly string[];
}

function object(
  name: string,
  category: ObjectCategory,
  recipe: string,
  plural = `${name}s`,
  aliases?: readonly string[],
): WorldObject {
  return aliases ? { name, plural, category, recipe, aliases } : { name, plural, category, recipe };
}

/** Every object the renderer draws, the generators write and the rewriter edits (83 of them). */
export const WORLD_OBJECTS: readonly WorldObject[] = [
  object('fox', 'animal', 'quadruped', 'foxes'),
  object('dog', 'animal', 'quadruped', 'dogs', ['puppy']),
  object('cat', 'animal', 'quadruped', 'cats', ['kitten']),
  object('horse', 'animal', 'quadruped'),
  object('cow', 'animal', 'quadruped'),
  object('sheep', 'animal', 'quadruped', 'sheep'),
  object('rabbit', 'animal', 'quadruped', 'rabbits', ['bunny']),
  object('deer', 'animal', 'quadruped', 'deer'),
  object('elephant', 'animal', 'quadruped'),
  object('lion', 'animal', 'quadruped'),
  object('bear', 'animal', 'quadruped'),
  object('tiger', 'animal', 'quadruped'),
  object('pig', 'animal', 'quadruped'),
  object('bird', 'bird', 'bird'),
  object('owl', 'bird', 'bird'),
  object('duck', 'bird', 'bird'),
  object('swan', 'bird', 'bird'),
  object('parrot', 'bird', 'bird'),
  object('penguin', 'bird', 'bird'),
  object('fish', 'sea creature', 'fish', 'fish'),
  object('whale', 'sea creature', 'fish'),
  object('butterfly', 'insect', 'butterfly', 'butterflies'),
  object('man', 'person', 'person', 'men', ['guy']),
  object('woman', 'person', 'person', 'women', ['lady']),
  object('child', 'person', 'person', 'children', ['kid', 'girl', 'boy']),
  object('astronaut', 'person', 'person'),
  object('knight', 'person', 'person'),
  object('wizard', 'person', 'person'),
  object('robot', 'person', 'robot'),
  object('car', 'vehicle', 'car'),
  object('bus', 'vehicle', 'car', 'buses'),
  object('truck', 'vehicle', 'car'),
  object('taxi', 'vehicle', 'car'),
  object('bicycle', 'vehicle', 'bicycle', 'bicycles', ['bike']),
  object('motorcycle', 'vehicle', 'bicycle', 'motorcycles', ['motorbike']),
  object('boat', 'vehicle', 'boat'),
  object('sailboat', 'vehicle', 'boat'),
  object('ship', 'vehicle', 'boat'),
  object('airplane', 'vehicle', 'airplane', 'airplanes', ['plane', 'aeroplane']),
  object('rocket', 'vehicle', 'rocket'),
  object('hot air balloon', 'vehicle', 'hot air balloon'),
  object('train', 'vehicle', 'train'),
  object('house', 'building', 'building'),
  object('cabin', 'building', 'building', 'cabins', ['cottage']),
  object('castle', 'building', 'building'),
  object('tower', 'building', 'building'),
  object('lighthouse', 'building', 'building'),
  object('skyscraper', 'building', 'building'),
  object('church', 'building', 'building', 'churches'),
  object('barn', 'building', 'building'),
  object('windmill', 'building', 'windmill'),
  object('tent', 'building', 'tent'),
  object('tree', 'plant', 'tree', 'trees', ['oak tree']),
  object('pine tree', 'plant', 'tree', 'pine trees', ['fir tree']),
  object('palm tree', 'plant', 'tree'),
  object('flower', 'plant', 'flower'),
  object('sunflower', 'plant', 'flower'),
  object('cactus', 'plant', 'cactus', 'cacti'),
  object('mushroom', 'plant', 'mushroom'),
  object('chair', 'furniture', 'furniture'),
  object('table', 'furniture', 'furniture'),
  object('sofa', 'furniture', 'furniture', 'sofas', ['couch']),
  object('bed', 'furniture', 'furniture'),
  object('bench', 'furniture', 'furniture', 'benches'),
  object('lamp', 'furniture', 'lamp'),
  object('bookshelf', 'furniture', 'bookshelf', 'bookshelves'),
  object('apple', 'food', 'round food'),
  object('watermelon', 'food', 'round food'),
  object('donut', 'food', 'round food', 'donuts', ['doughnut']),
  object('pizza', 'food', 'round food'),
  object('cake', 'food', 'cake'),
  object('cupcake', 'food', 'cake'),
  object('teapot', 'food', 'teapot'),
  object('coffee cup', 'food', 'cup', 'coffee cups', ['cup', 'mug']),
  object('scarf', 'accessory', 'wearable', 'scarves'),
  object('hat', 'accessory', 'wearable'),
  object('crown', 'accessory', 'wearable'),
  object('umbrella', 'accessory', 'umbrella'),
  object('backpack', 'accessory', 'backpack'),
  object('kite', 'accessory', 'kite'),
  object('balloon', 'accessory', 'balloon'),
  object('guitar', 'accessory', 'guitar'),
  object('ball', 'accessory', 'ball'),
];

/** A named colour with its sRGB value. */
export interface WorldColour {
  name: string;
  /** sRGB, 0-255 per channel. */
  rgb: readonly [number, number, number];
  aliases?: readonly string[];
}

/** Named colours (the renderer paints them with exactly these RGB values). */
export const WORLD_COLOURS: readonly WorldColour[] = [
  { name: 'red', rgb: [220, 40, 40] },
  { name: 'orange', rgb: [245, 140, 30] },
  { name: 'yellow', rgb: [245, 215, 40] },
  { name: 'green', rgb: [60, 170, 70] },
  { name: 'blue', rgb: [40, 90, 220] },
  { name: 'purple', rgb: [130, 60, 180] },
  { name: 'pink', rgb: [240, 130, 180] },
  { name: 'brown', rgb: [130, 80, 40] },
  { name: 'black', rgb: [25, 25, 30] },
  { name: 'white', rgb: [245, 245, 245] },
  { name: 'grey', rgb: [128, 128, 128], aliases: ['gray'] },
  { name: 'teal', rgb: [20, 140, 140] },
  { name: 'crimson', rgb: [160, 15, 50] },
  { name: 'turquoise', rgb: [60, 210, 200] },
  { name: 'lavender', rgb: [185, 160, 230] },
  { name: 'beige', rgb: [225, 205, 165] },
  { name: 'navy', rgb: [20, 30, 100], aliases: ['navy blue'] },
  { name: 'magenta', rgb: [220, 30, 170] },
];

/** A vocabulary entry with a canonical name and the other words prompts use for it. */
export interface WorldTerm {
  name: string;
  aliases?: readonly string[];
}

/** Materials an object can be made of; the `made of` nouns are aliases (`wood` -> `wooden`). */
export const WORLD_MATERIALS: readonly WorldTerm[] = [
  { name: 'wooden', aliases: ['wood'] },
  { name: 'glass' },
  { name: 'golden', aliases: ['gold'] },
  { name: 'silver' },
  { name: 'stone' },
  { name: 'marble' },
  { name: 'metal', aliases: ['steel', 'metallic'] },
  { name: 'crystal' },
  { name: 'paper' },
  { name: 'plastic' },
  { name: 'ceramic' },
  { name: 'bronze' },
];

/** Adjectives describing an object that are neither colour nor material. */
export const WORLD_ATTRIBUTES: readonly WorldTerm[] = [
  { name: 'tiny' },
  { name: 'small', aliases: ['little'] },
  { name: 'big', aliases: ['large'] },
  { name: 'giant', aliases: ['huge', 'enormous'] },
  { name: 'old', aliases: ['ancient'] },
  { name: 'glowing' },
  { name: 'striped' },
  { name: 'spotted' },
];

/** How many of an object; `word` is how the canonical prompt writes it. */
export interface WorldCount {
  value: number;
  word: string;
  aliases: readonly string[];
}

/** Counts from one to five; one is written with the article `a`/`an`. */
export const WORLD_COUNTS: readonly WorldCount[] = [
  { value: 1, word: 'one', aliases: ['one', 'a single', 'just one', 'only one', 'single', '1'] },
  { value: 2, word: 'two', aliases: ['two', 'a pair of', 'a couple of', 'pair of', 'couple of', '2'] },
  { value: 3, word: 'three', aliases: ['three', '3'] },
  { value: 4, word: 'four', aliases: ['four', '4'] },
  { value: 5, word: 'five', aliases: ['five', '5'] },
];

/** The largest count the world writes and the renderer draws. */
export const MAX_COUNT = 5;

/** A setting (background); `phrase` is how the canonical prompt places subjects in it. */
export interface WorldSetting extends WorldTerm {
  /** E.g. `on a beach`. */
  phrase: string;
  /** The setting as a noun phrase without preposition, e.g. `a beach`. */
  nounPhrase: string;
}

/** Scenes drawn as backgrounds. */
export const WORLD_SCENES: readonly WorldSetting[] = [
  { name: 'beach', phrase: 'on a beach', nounPhrase: 'a beach', aliases: ['seaside', 'shore'] },
  { name: 'forest', phrase: 'in a forest', nounPhrase: 'a forest', aliases: ['woods'] },
  { name: 'city', phrase: 'in a city', nounPhrase: 'a city', aliases: ['town', 'downtown', 'cityscape'] },
  { name: 'mountains', phrase: 'in the mountains', nounPhrase: 'the mountains', aliases: ['mountain'] },
  { name: 'room', phrase: 'in a room', nounPhrase: 'a room', aliases: ['living room', 'bedroom', 'interior'] },
  { name: 'space', phrase: 'in space', nounPhrase: 'space', aliases: ['outer space'] },
  { name: 'desert', phrase: 'in a desert', nounPhrase: 'a desert', aliases: ['dunes'] },
  { name: 'lake', phrase: 'by a lake', nounPhrase: 'a lake', aliases: ['lakeside', 'pond'] },
  { name: 'field', phrase: 'in a field', nounPhrase: 'a field', aliases: ['meadow'] },
  { name: 'street', phrase: 'on a street', nounPhrase: 'a street', aliases: ['road'] },
  { name: 'garden', phrase: 'in a garden', nounPhrase: 'a garden', aliases: ['park'] },
  { name: 'underwater', phrase: 'underwater', nounPhrase: 'the sea floor', aliases: ['under the sea', 'sea floor'] },
  { name: 'jungle', phrase: 'in a jungle', nounPhrase: 'a jungle', aliases: ['rainforest'] },
  { name: 'ocean', phrase: 'on the ocean', nounPhrase: 'the ocean', aliases: ['sea', 'open sea'] },
];

/** Times of day. */
export const WORLD_TIMES: readonly WorldSetting[] = [
  { name: 'dawn', phrase: 'at dawn', nounPhrase: 'dawn', aliases: ['sunrise', 'daybreak'] },
  { name: 'morning', phrase: 'in the morning', nounPhrase: 'morning' },
  { name: 'noon', phrase: 'at noon', nounPhrase: 'noon', aliases: ['midday'] },
  { name: 'afternoon', phrase: 'in the afternoon', nounPhrase: 'afternoon' },
  { name: 'sunset', phrase: 'at sunset', nounPhrase: 'sunset', aliases: ['sundown'] },
  { name: 'dusk', phrase: 'at dusk', nounPhrase: 'dusk', aliases: ['twilight', 'evening'] },
  { name: 'night', phrase: 'at night', nounPhrase: 'night', aliases: ['nighttime', 'night-time', 'midnight'] },
];

/** Weather. */
export const WORLD_WEATHER: readonly WorldSetting[] = [
  { name: 'clear', phrase: 'under a clear sky', nounPhrase: 'a clear sky', aliases: ['sunny', 'clear sky'] },
  { name: 'cloudy', phrase: 'under a cloudy sky', nounPhrase: 'clouds', aliases: ['overcast', 'clouds'] },
  { name: 'rain', phrase: 'in the rain', nounPhrase: 'rain', aliases: ['rainy', 'raining', 'rainfall', 'drizzle'] },
  { name: 'snow', phrase: 'in the snow', nounPhrase: 'snow', aliases: ['snowy', 'snowing', 'snowfall'] },
  { name: 'fog', phrase: 'in the fog', nounPhrase: 'fog', aliases: ['foggy', 'mist', 'misty', 'haze', 'hazy'] },
  { name: 'storm', phrase: 'during a storm', nounPhrase: 'a storm', aliases: ['stormy', 'thunderstorm', 'lightning'] },
];

/** Seasons. */
export const WORLD_SEASONS: readonly WorldSetting[] = [
  { name: 'spring', phrase: 'in spring', nounPhrase: 'spring', aliases: ['springtime'] },
  { name: 'summer', phrase: 'in summer', nounPhrase: 'summer', aliases: ['summertime'] },
  { name: 'autumn', phrase: 'in autumn', nounPhrase: 'autumn', aliases: ['autumnal'] },
  { name: 'winter', phrase: 'in winter', nounPhrase: 'winter', aliases: ['wintry', 'wintertime'] },
];

/** An art style; `phrasings` are the ways beautified prompts write it. */
export interface WorldStyle extends WorldTerm {
  /** Noun phrases for the style, e.g. `a watercolour painting`; the first is used in instructions. */
  phrasings: readonly string[];
}

/** Styles, drawn as image filters by the sketch renderer. */
export const WORLD_STYLES: readonly WorldStyle[] = [
  {
    name: 'watercolour',
    aliases: ['watercolor', 'watercolour painting', 'watercolor painting'],
    phrasings: ['a watercolour painting', 'a watercolor painting', 'a soft watercolour'],
  },
  { name: 'oil painting', aliases: ['oil on canvas', 'oil paint'], phrasings: ['an oil painting', 'oil on canvas'] },
  { name: 'pixel art', aliases: ['8-bit', 'pixelated'], phrasings: ['pixel art', 'an 8-bit pixel art image'] },
  { name: 'neon', aliases: ['neon lights', 'synthwave'], phrasings: ['a neon artwork', 'neon synthwave art'] },
  {
    name: 'sketch',
    aliases: ['pencil sketch', 'pencil drawing', 'charcoal drawing'],
    phrasings: ['a pencil sketch', 'a charcoal drawing'],
  },
  { name: 'cinematic', aliases: ['film still', 'movie still'], phrasings: ['a cinematic film still', 'a movie still'] },
  { name: 'anime', aliases: ['manga', 'anime style'], phrasings: ['an anime illustration', 'anime key art'] },
  {
    name: 'vintage photo',
    aliases: ['vintage photograph', 'old photograph', 'sepia photo', 'sepia'],
    phrasings: ['a vintage photo', 'a sepia photograph'],
  },
  { name: 'pastel', aliases: ['pastel colours', 'pastel colors'], phrasings: ['a pastel drawing', 'pastel art'] },
  { name: 'comic book', aliases: ['comic', 'comic art'], phrasings: ['a comic book panel', 'comic book art'] },
  {
    name: 'stained glass',
    aliases: ['stained glass window'],
    phrasings: ['a stained glass window', 'stained glass art'],
  },
];

/** What a quality modifier does to the sketch render; beautified prompts combine several. */
export type QualityEffect =
  | 'detail'
  | 'sharpen'
  | 'soft light'
  | 'vibrant'
  | 'warm light'
  | 'contrast'
  | 'light rays'
  | 'depth of field'
  | 'composition'
  | 'polish';

/** Which part of a beautified prompt a quality modifier belongs to. */
export type QualityGroup = 'detail' | 'lighting' | 'colour' | 'composition' | 'general';

/** A quality modifier as prompt sites write it. */
export interface WorldQuality extends WorldTerm {
  effect: QualityEffect;
  group: QualityGroup;
}

/** Quality modifiers (detail, lighting, colour, composition and general praise). */
export const WORLD_QUALITIES: readonly WorldQuality[] = [
  { name: 'highly detailed', effect: 'detail', group: 'detail', aliases: ['hyper detailed', 'ultra detailed'] },
  { name: 'intricate details', effect: 'detail', group: 'detail', aliases: ['intricate'] },
  { name: 'sharp focus', effect: 'sharpen', group: 'detail' },
  { name: '8k', effect: 'sharpen', group: 'detail', aliases: ['4k', 'uhd', '8k resolution'] },
  { name: 'soft lighting', effect: 'soft light', group: 'lighting', aliases: ['soft light'] },
  { name: 'golden hour', effect: 'warm light', group: 'lighting', aliases: ['golden hour lighting'] },
  { name: 'dramatic lighting', effect: 'contrast', group: 'lighting', aliases: ['dramatic light'] },
  { name: 'volumetric lighting', effect: 'light rays', group: 'lighting', aliases: ['god rays', 'volumetric light'] },
  { name: 'studio lighting', effect: 'soft light', group: 'lighting' },
  { name: 'vibrant colours', effect: 'vibrant', group: 'colour', aliases: ['vibrant colors', 'vibrant'] },
  { name: 'rich colours', effect: 'vibrant', group: 'colour', aliases: ['rich colors'] },
  { name: 'high contrast', effect: 'contrast', group: 'colour' },
  {
    name: 'depth of field',
    effect: 'depth of field',
    group: 'composition',
    aliases: ['bokeh', 'shallow depth of field'],
  },
  { name: 'rule of thirds', effect: 'composition', group: 'composition' },
  { name: 'centered composition', effect: 'composition', group: 'composition', aliases: ['centred composition'] },
  { name: 'masterpiece', effect: 'polish', group: 'general' },
  { name: 'best quality', effect: 'polish', group: 'general', aliases: ['high quality'] },
  { name: 'award winning', effect: 'polish', group: 'general', aliases: ['award-winning'] },
  { name: 'trending on artstation', effect: 'polish', group: 'general' },
  { name: 'beautiful', effect: 'polish', group: 'general', aliases: ['stunning', 'gorgeous', 'breathtaking'] },
];
