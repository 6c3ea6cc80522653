import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLexicon } from '@diffchat/lexicon';
import { describe, expect, it } from 'vitest';
import { decodePng, meanAbsoluteDifference } from './decode-png.test-support';
import { renderSketch } from './render-sketch';

const prompts: string[] = JSON.parse(
  readFileSync(join(__dirname, '..', '..', '..', '..', 'fixtures', 'realistic-prompts.json'), 'utf8'),
);
const THINGS = new Set(['person', 'animal', 'plant', 'food', 'vehicle', 'clothing', 'artifact']);

describe('renderSketch on prompts beyond the curated vocabulary', () => {
  it('renders every realistic prompt, and draws a subject for every prompt with a noun of a thing', () => {
    const lexicon = loadLexicon();
    for (const prompt of prompts) {
      const sketch = renderSketch(prompt, { width: 64, height: 64, seed: 1 });
      expect(decodePng(sketch.png).width, prompt).toBe(64);
      const hasThing = (prompt.toLowerCase().match(/[a-z]+/g) ?? []).some((word) =>
        THINGS.has(lexicon.noun(word)?.classes[0] ?? 'other'),
      );
      if (hasThing) expect(sketch.scene.subjects.length, prompt).toBeGreaterThan(0);
    }
  });

  it('draws an unknown animal visibly, as a quadruped of its own colour, and an open setting as its background', () => {
    const pixels = (prompt: string) => decodePng(renderSketch(prompt, { width: 96, height: 96, seed: 2 }).png);
    expect(meanAbsoluteDifference(pixels('a field'), pixels('a hedgehog in a field'))).toBeGreaterThan(0.5);
    expect(meanAbsoluteDifference(pixels('a hedgehog in a field'), pixels('an armadillo in a field'))).toBeGreaterThan(
      0.2,
    );
    expect(meanAbsoluteDifference(pixels('a cat in a meadow'), pixels('a cat in a field'))).toBe(0);
    expect(meanAbsoluteDifference(pixels('a cat in a kitchen'), pixels('a cat in a room'))).toBe(0);
  });

  it('draws a thing of no drawable class as a labelled shape', () => {
    const sketch = renderSketch('an anvil on a street', { width: 96, height: 96 });
    expect(sketch.scene.subjects.map((subject) => subject.object)).toEqual(['anvil']);
    expect(sketch.unknownWords).toEqual([]);
  });
});
