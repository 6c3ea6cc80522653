import { describe, expect, it } from 'vitest';
import { parsePrompt } from './parse-prompt';
import {
  WORLD_ATTRIBUTES,
  WORLD_COLOURS,
  WORLD_MATERIALS,
  WORLD_OBJECTS,
  WORLD_QUALITIES,
  WORLD_SCENES,
  WORLD_SEASONS,
  WORLD_STYLES,
  WORLD_TIMES,
  WORLD_WEATHER,
} from './vocabulary';

describe('world vocabulary', () => {
  it('has at least 60 distinct objects spanning the required categories', () => {
    const names = WORLD_OBJECTS.map((entry) => entry.name);
    expect(names.length).toBeGreaterThanOrEqual(60);
    expect(new Set(names).size).toBe(names.length);
    const categories = new Set(WORLD_OBJECTS.map((entry) => entry.category));
    for (const category of ['animal', 'person', 'vehicle', 'building', 'plant', 'furniture', 'food', 'accessory']) {
      expect(categories).toContain(category);
    }
    expect(names).toEqual(expect.arrayContaining(['scarf', 'hat', 'fox', 'car', 'cat', 'dog']));
  });

  it('has the required settings, styles and modifiers', () => {
    const namesOf = (table: readonly { name: string }[]) => table.map((entry) => entry.name);
    expect(namesOf(WORLD_SCENES)).toEqual(
      expect.arrayContaining([
        'beach',
        'forest',
        'city',
        'mountains',
        'room',
        'space',
        'desert',
        'lake',
        'field',
        'street',
      ]),
    );
    expect(namesOf(WORLD_TIMES)).toEqual(expect.arrayContaining(['morning', 'noon', 'sunset', 'night']));
    expect(namesOf(WORLD_WEATHER)).toEqual(expect.arrayContaining(['rain', 'snow', 'fog', 'clear', 'storm']));
    expect(namesOf(WORLD_SEASONS)).toEqual(['spring', 'summer', 'autumn', 'winter']);
    expect(namesOf(WORLD_STYLES)).toEqual(
      expect.arrayContaining(['watercolour', 'oil painting', 'pixel art', 'neon', 'sketch', 'cinematic']),
    );
    expect(namesOf(WORLD_MATERIALS)).toEqual(expect.arrayContaining(['wooden', 'glass', 'golden']));
    expect(namesOf(WORLD_QUALITIES)).toEqual(
      expect.arrayContaining(['highly detailed', 'sharp focus', 'soft lighting', 'vibrant colours', 'golden hour']),
    );
  });

  it('gives every colour an sRGB triple in 0..255', () => {
    for (const colour of WORLD_COLOURS) {
      expect(colour.rgb).toHaveLength(3);
      for (const channel of colour.rgb) expect(channel >= 0 && channel <= 255 && Number.isInteger(channel)).toBe(true);
    }
  });

  it('reads every object name, plural and alias back as that object', () => {
    for (const entry of WORLD_OBJECTS) {
      for (const written of [entry.name, ...(entry.aliases ?? [])]) {
        const { scene, unknownWords } = parsePrompt(`a ${written}`);
        expect(unknownWords).toEqual([]);
        expect(scene.subjects).toEqual([{ object: entry.name, count: 1, attributes: [] }]);
      }
      expect(parsePrompt(`three ${entry.plural}`).scene.subjects).toEqual([
        { object: entry.name, count: 3, attributes: [] },
      ]);
    }
  });

  it('reads every other term and alias back as its canonical name', () => {
    const cases: Array<[readonly { name: string; aliases?: readonly string[] }[], (text: string) => unknown]> = [
      [WORLD_COLOURS, (text) => parsePrompt(`a ${text} ball`).scene.subjects[0]?.colour],
      [WORLD_MATERIALS, (text) => parsePrompt(`a ${text} ball`).scene.subjects[0]?.material],
      [WORLD_ATTRIBUTES, (text) => parsePrompt(`a ${text} ball`).scene.subjects[0]?.attributes[0]],
      [WORLD_SCENES, (text) => parsePrompt(`a ball, ${text}`).scene.background],
      [WORLD_TIMES, (text) => parsePrompt(`a ball, ${text}`).scene.time],
      [WORLD_WEATHER, (text) => parsePrompt(`a ball, ${text}`).scene.weather],
      [WORLD_SEASONS, (text) => parsePrompt(`a ball, ${text}`).scene.season],
      [WORLD_STYLES, (text) => parsePrompt(`a ball, ${text}`).scene.style],
      [WORLD_QUALITIES, (text) => parsePrompt(`a ball, ${text}`).scene.quality[0]],
    ];
    for (const [table, read] of cases) {
      for (const term of table) {
        for (const written of [term.name, ...(term.aliases ?? [])]) expect(read(written), written).toBe(term.name);
      }
    }
  });
});
