import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePrompt } from './parse-prompt';
import { renderPrompt, type Scene, type Subject } from './scene';
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

const namesOf = (table: readonly { name: string }[]) => table.map((entry) => entry.name);
const optional = (table: readonly { name: string }[]) =>
  fc.option(fc.constantFrom(...namesOf(table)), { nil: undefined });

const subjectArbitrary = (object: string): fc.Arbitrary<Subject> =>
  fc
    .record({
      count: fc.integer({ min: 1, max: 5 }),
      colour: optional(WORLD_COLOURS),
      material: optional(WORLD_MATERIALS),
      attributes: fc.uniqueArray(fc.constantFrom(...namesOf(WORLD_ATTRIBUTES)), { maxLength: 2 }),
    })
    .map(({ count, colour, material, attributes }) => {
      const subject: Subject = { object, count, attributes };
      if (colour) subject.colour = colour;
      if (material) subject.material = material;
      return subject;
    });

/** Any scene the world can express: distinct objects, optional settings, distinct quality modifiers. */
const sceneArbitrary: fc.Arbitrary<Scene> = fc
  .record({
    objects: fc.uniqueArray(fc.constantFrom(...namesOf(WORLD_OBJECTS)), { maxLength: 4 }),
    background: optional(WORLD_SCENES),
    time: optional(WORLD_TIMES),
    weather: optional(WORLD_WEATHER),
    season: optional(WORLD_SEASONS),
    style: optional(WORLD_STYLES),
    quality: fc.uniqueArray(fc.constantFrom(...namesOf(WORLD_QUALITIES)), { maxLength: 5 }),
  })
  .chain(({ objects, quality, ...settings }) =>
    fc.tuple(...objects.map(subjectArbitrary)).map((subjects) => {
      const scene: Scene = { subjects, quality };
      for (const [key, value] of Object.entries(settings)) {
        if (value !== undefined) (scene as unknown as Record<string, string>)[key] = value;
      }
      return scene;
    }),
  );

describe('parsePrompt', () => {
  it('reads a simple prompt', () => {
    expect(parsePrompt('a red fox in a forest')).toEqual({
      scene: {
        subjects: [{ object: 'fox', count: 1, colour: 'red', attributes: [] }],
        background: 'forest',
        quality: [],
      },
      unknownWords: [],
    });
  });

  it('reads a beautified prompt with weights, pipes and framing words in any order', () => {
    const { scene, unknownWords } = parsePrompt(
      'masterpiece, (highly detailed:1.2), night, forest background | a watercolor painting of Three small blue Birds sitting, with soft light and vibrant colors',
    );
    expect(unknownWords).toEqual([]);
    expect(scene).toEqual({
      subjects: [{ object: 'bird', count: 3, colour: 'blue', attributes: ['small'] }],
      background: 'forest',
      time: 'night',
      style: 'watercolour',
      quality: ['masterpiece', 'highly detailed', 'soft lighting', 'vibrant colours'],
    });
  });

  it('attaches a material written after its object and counts a bare plural as two', () => {
    expect(parsePrompt('a chair made of wood and cats').scene.subjects).toEqual([
      { object: 'chair', count: 1, material: 'wooden', attributes: [] },
      { object: 'cat', count: 2, attributes: [] },
    ]);
  });

  it('does not let a colour leak across a setting into the next object', () => {
    expect(parsePrompt('red sky with a fox').scene.subjects).toEqual([{ object: 'fox', count: 1, attributes: [] }]);
  });

  it('lists words outside the vocabulary once each, in order', () => {
    expect(parsePrompt('a fluffy fox, fluffy clouds, by greg rutkowski').unknownWords).toEqual([
      'fluffy',
      'greg',
      'rutkowski',
    ]);
  });

  it('merges an object named twice into one subject', () => {
    expect(parsePrompt('a fox in a forest, the red fox looks up').scene.subjects).toEqual([
      { object: 'fox', count: 1, colour: 'red', attributes: [] },
    ]);
  });

  it('reads back every scene it renders: parse(render(scene)) == scene', () => {
    fc.assert(
      fc.property(sceneArbitrary, (scene) => {
        const { scene: parsed, unknownWords } = parsePrompt(renderPrompt(scene));
        expect(unknownWords).toEqual([]);
        expect(parsed).toStrictEqual(scene);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const { scene, unknownWords } = parsePrompt(text);
        expect(Array.isArray(scene.subjects) && Array.isArray(unknownWords)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parsePrompt with the open vocabulary', () => {
  const open = { vocabulary: 'open' } as const;

  it('reads subjects, actions, settings, materials, styles and framings the lexicon knows', () => {
    expect(parsePrompt('portrait of an old fisherman smoking a pipe', open)).toEqual({
      scene: {
        subjects: [{ object: 'fisherman', count: 1, attributes: ['old'], action: { verb: 'smoke', object: 'pipe' } }],
        shape: 'portrait',
        quality: [],
      },
      unknownWords: [],
    });
    expect(parsePrompt('a woman reading a book in a library', open).scene).toEqual({
      subjects: [{ object: 'woman', count: 1, attributes: [], action: { verb: 'read', object: 'book' } }],
      background: 'library',
      quality: [],
    });
    expect(parsePrompt('two elderly golden retrievers sleeping by a river at night', open).scene).toEqual({
      subjects: [{ object: 'golden retriever', count: 2, attributes: ['elderly'], action: { verb: 'sleep' } }],
      background: 'river',
      time: 'night',
      quality: [],
    });
    expect(parsePrompt('a close-up of a teapot made of jade, in the style of cubism', open).scene).toEqual({
      subjects: [{ object: 'teapot', count: 1, attributes: [], material: 'jade' }],
      shape: 'close-up',
      style: 'cubism',
      quality: [],
    });
    expect(parsePrompt('a harbor in the style of van gogh', open).scene.style).toBe('van gogh');
  });

  it('reads a prompt of curated words as the curated reader does', () => {
    fc.assert(
      fc.property(sceneArbitrary, (scene) => {
        const prompt = renderPrompt(scene);
        expect(parsePrompt(prompt, open)).toStrictEqual(parsePrompt(prompt));
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        expect(Array.isArray(parsePrompt(text, open).scene.subjects)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
