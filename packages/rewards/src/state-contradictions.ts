/**
 * States of a scene that a new time of day, season or weather rules out, beyond the old value of the same kind
 * (which the exclusive categories already forbid): snow in summer, a sunset at night, rain on a sunny day. Keys and
 * values are canonical lemmas (see `canonicalForms`: "sunny" is `sun`, "snowy" is `snow`). The table is this
 * project's own: WordNet records no such oppositions between nouns.
 */
const contradictions: Readonly<Record<string, readonly string[]>> = {
  summer: [
    'snow',
    'snowman',
    'snowflake',
    'snowball',
    'ice',
    'icicle',
    'frost',
    'frozen',
    'sled',
    'sleigh',
    'sledding',
    'blizzard',
    'slush',
    'skater',
  ],
  // Spring snow happens; the thaw, frost and snowmen of winter are gone.
  spring: ['snowman', 'icicle', 'frost', 'frozen', 'blizzard', 'slush', 'autumn', 'winter', 'summer'],
  autumn: ['snowman', 'blizzard', 'spring', 'summer', 'winter'],
  winter: ['summer', 'spring', 'autumn', 'sunbathing', 'heatwave'],
  // A clear sky (read as `sun`) stays clear at night; a sunny or sunlit place does not.
  night: [
    'sunny',
    'sunlit',
    'daylight',
    'midday',
    'noon',
    'morning',
    'afternoon',
    'sunset',
    'sunrise',
    'dawn',
    'day',
    'sunlight',
    'daytime',
  ],
  midnight: ['daylight', 'midday', 'noon', 'morning', 'afternoon', 'sunset', 'sunrise', 'dawn', 'day'],
  day: ['night', 'midnight', 'moonlight', 'nighttime'],
  morning: ['night', 'midnight', 'moonlight', 'sunset', 'dusk', 'evening'],
  noon: ['night', 'midnight', 'moonlight', 'sunset', 'sunrise', 'dawn', 'dusk'],
  afternoon: ['night', 'midnight', 'moonlight', 'dawn', 'sunrise'],
  evening: ['noon', 'midday', 'morning', 'dawn', 'sunrise'],
  sunset: ['night', 'midnight', 'noon', 'midday', 'morning', 'dawn', 'sunrise'],
  sunrise: ['night', 'midnight', 'noon', 'midday', 'evening', 'sunset', 'dusk'],
  dawn: ['night', 'midnight', 'noon', 'midday', 'evening', 'sunset', 'dusk'],
  dusk: ['noon', 'midday', 'morning', 'dawn', 'sunrise'],
  sun: ['rain', 'storm', 'cloud', 'fog', 'thunder', 'drizzle', 'downpour', 'overcast', 'night', 'midnight'],
  rain: ['sun', 'sunlight', 'sunshine', 'drought', 'dry'],
  storm: ['sun', 'sunlight', 'sunshine', 'calm'],
  fog: ['sun', 'sunlight', 'sunshine'],
  cloud: ['sun', 'sunlight', 'sunshine'],
  snow: ['summer', 'sun', 'heatwave'],
  wind: ['calm', 'still', 'windless'],
};

/**
 * Times that are a kind of another ("midnight" is a night): a source that has one already follows an instruction
 * asking for the other.
 */
const kindsOfTime: Readonly<Record<string, string>> = { midnight: 'night', nightfall: 'night' };

/** The time a more specific time is a kind of, or undefined. */
export function broaderTime(lemma: string): string | undefined {
  return kindsOfTime[lemma];
}

/** The states a new value rules out, or an empty list. */
export function contradictedStates(lemma: string): readonly string[] {
  return contradictions[lemma] ?? [];
}
