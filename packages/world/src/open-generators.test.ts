import { loadLexicon } from '@diffchat/lexicon';
import { describe, expect, it } from 'vitest';
import { beautifyPrompt } from './beautify';
import { isBlocked } from './blocklist';
import { EDIT_TYPES } from './edit-operation';
import { generateScene, generateSimplePrompt, SIMPLE_SCENE_SHAPE } from './generate-scene';
import { parsePrompt } from './parse-prompt';
import { parseInstruction, rewriteWithInstruction } from './rewriter';
import { renderPrompt, type Scene } from './scene';
import { seededRandom } from './seeded-random.test-support';
import { generateTriplet } from './triplet';
import { WORLD_OBJECTS } from './vocabulary';

const OPEN = { vocabulary: 'open' } as const;
const curatedNames = new Set(WORLD_OBJECTS.map((entry) => entry.name));
const scenes: Scene[] = Array.from({ length: 2000 }, (_, seed) =>
  generateScene(seededRandom(seed), SIMPLE_SCENE_SHAPE, OPEN),
);
const subjects = scenes.flatMap((scene) => scene.subjects);

describe('open-vocabulary scenes', () => {
  it('are deterministic per seed, and the curated vocabulary stays the default', () => {
    for (const seed of [0, 7, 1234]) {
      expect(generateSimplePrompt(seededRandom(seed), OPEN)).toBe(generateSimplePrompt(seededRandom(seed), OPEN));
      expect(generateSimplePrompt(seededRandom(seed), { vocabulary: 'curated' })).toBe(
        generateSimplePrompt(seededRandom(seed)),
      );
    }
  });

  it('read back as themselves: parse(render(scene), open) == scene, with no unknown word', () => {
    for (const scene of scenes) {
      const { scene: read, unknownWords } = parsePrompt(renderPrompt(scene), OPEN);
      expect(unknownWords, renderPrompt(scene)).toEqual([]);
      expect(read, renderPrompt(scene)).toStrictEqual(scene);
    }
  });

  it('draw most subjects from the lexicon at the default share, none at share 0, multi-word nouns now and then', () => {
    const open = subjects.filter((subject) => !curatedNames.has(subject.object));
    expect(open.length / subjects.length).toBeGreaterThan(0.55);
    expect(open.length / subjects.length).toBeLessThan(0.85);
    const multi = open.filter((subject) => subject.object.includes(' ')).length / open.length;
    expect(multi).toBeGreaterThan(0.01);
    expect(multi).toBeLessThan(0.15);
    for (let seed = 0; seed < 200; seed++) {
      const scene = generateScene(seededRandom(seed), SIMPLE_SCENE_SHAPE, { vocabulary: 'open', openShare: 0 });
      for (const subject of scene.subjects) expect(curatedNames.has(subject.object)).toBe(true);
    }
  });

  it('take the shapes real prompts take: actions, portraits, close-ups, open settings and materials', () => {
    const prompts = scenes.map(renderPrompt);
    const share = (pattern: RegExp) => prompts.filter((prompt) => pattern.test(prompt)).length / prompts.length;
    expect(share(/^portrait of /)).toBeGreaterThan(0.01);
    expect(share(/^a close-up of /)).toBeGreaterThan(0.01);
    expect(share(/ made of /)).toBeGreaterThan(0.02);
    expect(share(/ in the style of /)).toBeGreaterThan(0.005);
    expect(subjects.filter((subject) => subject.action?.object).length).toBeGreaterThan(100);
    expect(subjects.filter((subject) => subject.action && !subject.action.object).length).toBeGreaterThan(50);
  });

  it('never write a word the lexicon flags as offensive or the blocklist holds', () => {
    const lexicon = loadLexicon();
    for (const scene of scenes) {
      const nouns = [
        ...scene.subjects.flatMap((subject) => [subject.object, subject.action?.object ?? 'cat']),
        scene.background ?? 'cat',
      ];
      for (const noun of nouns) {
        expect(lexicon.noun(noun)?.sensitive ?? false, noun).toBe(false);
        expect(isBlocked(noun), noun).toBe(false);
      }
    }
  });

  it('refuses an open share outside 0..1, naming it', () => {
    expect(() => generateScene(seededRandom(1), SIMPLE_SCENE_SHAPE, { vocabulary: 'open', openShare: 2 })).toThrow(
      /openShare/,
    );
  });

  it('beautify without changing content', () => {
    for (const scene of scenes.slice(0, 500)) {
      const beautiful = beautifyPrompt(scene, seededRandom(renderPrompt(scene).length), OPEN);
      const { scene: read, unknownWords } = parsePrompt(beautiful, OPEN);
      expect(unknownWords, beautiful).toEqual([]);
      expect(read.subjects, beautiful).toStrictEqual(scene.subjects);
      expect([read.background, read.time, read.weather, read.season, read.shape]).toEqual([
        scene.background,
        scene.time,
        scene.weather,
        scene.season,
        scene.shape,
      ]);
    }
  });
});

describe('open-vocabulary triplets', () => {
  const triplets = Array.from({ length: 1500 }, (_, seed) => generateTriplet(seededRandom(seed), OPEN));

  it('are deterministic, real changes, of every edit type', () => {
    expect(generateTriplet(seededRandom(5), OPEN)).toEqual(generateTriplet(seededRandom(5), OPEN));
    expect(triplets.filter((triplet) => triplet.input === triplet.output)).toEqual([]);
    expect(new Set(triplets.map((triplet) => triplet.meta.operation.type))).toEqual(new Set(EDIT_TYPES));
    expect(new Set(triplets.map((triplet) => triplet.input)).size).toBeGreaterThan(1450);
  });

  it('use the forms people write', () => {
    const more = Array.from({ length: 3000 }, (_, seed) => generateTriplet(seededRandom(10_000 + seed), OPEN));
    const edits = [...triplets, ...more].map((triplet) => triplet.edit.toLowerCase());
    for (const form of [/^make it an? /, /^an? [a-z ]+ instead$/, /^give (him|her) /, / hold /, /^in the style of /]) {
      expect(
        edits.some((edit) => form.test(edit.replace(/\.$/, ''))),
        String(form),
      ).toBe(true);
    }
  });

  it('carry the operation their words say: the rewriter recovers it and the output', () => {
    for (const triplet of triplets.slice(0, 800)) {
      const { scene } = parsePrompt(triplet.input, OPEN);
      expect(parseInstruction(triplet.edit, scene, OPEN), triplet.edit).toEqual(triplet.meta.operation);
      expect(rewriteWithInstruction(triplet.input, triplet.edit), triplet.edit).toBe(triplet.output);
    }
  });
});
