import { createRng } from '@diffchat/core';
import {
  beautifyPrompt,
  generateScene,
  generateTriplet,
  renderPrompt,
  WORLD_ATTRIBUTES,
  WORLD_COLOURS,
  WORLD_COUNTS,
  WORLD_MATERIALS,
  WORLD_OBJECTS,
  WORLD_QUALITIES,
  WORLD_SCENES,
  WORLD_SEASONS,
  WORLD_STYLES,
  WORLD_TIMES,
  WORLD_WEATHER,
} from '@diffchat/world';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aestheticParts,
  changedPixels,
  countComponents,
  decodePng,
  meanAbsoluteDifference,
  meanLuma,
} from './decode-png.test-support';
import { renderSketch } from './render-sketch';

function randomOf(seed: number): () => number {
  const rng = createRng(seed);
  return () => rng.next();
}

const SIZE = { width: 128, height: 128, seed: 7 };
const pixelsOf = (prompt: string, seed = SIZE.seed) => decodePng(renderSketch(prompt, { ...SIZE, seed }).png);

describe('renderSketch', () => {
  it('draws the same PNG bytes for the same prompt, size and seed', () => {
    const prompt = 'two red foxes and a wooden cabin in a forest at night in the snow, watercolour, highly detailed';
    const first = renderSketch(prompt, { seed: 3 });
    expect(Buffer.from(renderSketch(prompt, { seed: 3 }).png).equals(Buffer.from(first.png))).toBe(true);
    expect(Buffer.from(renderSketch(prompt, { seed: 4 }).png).equals(Buffer.from(first.png))).toBe(false);
    expect([first.width, first.height]).toEqual([256, 256]);
    const decoded = decodePng(first.png);
    expect([decoded.width, decoded.height]).toEqual([256, 256]);
  });

  it('honours width and height and rejects sizes outside 16..2048 naming the option', () => {
    const image = decodePng(renderSketch('a cat', { width: 96, height: 64 }).png);
    expect([image.width, image.height]).toEqual([96, 64]);
    expect(() => renderSketch('a cat', { width: 0 })).toThrow(/"width"/);
    expect(() => renderSketch('a cat', { height: 4096 })).toThrow(/"height"/);
    expect(() => renderSketch('a cat', { width: 10.5 })).toThrow(RangeError);
  });

  it('lists words it does not know and reports the scene it drew', () => {
    const sketch = renderSketch('a fluffy fox by greg rutkowski in a forest', SIZE);
    expect(sketch.unknownWords).toEqual(['fluffy', 'greg', 'rutkowski']);
    expect(sketch.scene.subjects).toEqual([{ object: 'fox', count: 1, attributes: [] }]);
    expect(sketch.scene.background).toBe('forest');
  });

  it('changes the image visibly for every word of the vocabulary', () => {
    const changes: Array<[string, string, string]> = [];
    for (const entry of WORLD_OBJECTS) changes.push([entry.name, 'a field', `a ${entry.name} in a field`]);
    for (const colour of WORLD_COLOURS) changes.push([colour.name, 'a ball', `a ${colour.name} ball`]);
    for (const material of WORLD_MATERIALS) changes.push([material.name, 'a chair', `a ${material.name} chair`]);
    for (const attribute of WORLD_ATTRIBUTES) changes.push([attribute.name, 'a cat', `a ${attribute.name} cat`]);
    for (const count of WORLD_COUNTS.slice(1)) changes.push([count.word, 'a cat', `${count.word} cats`]);
    for (const setting of WORLD_SCENES) changes.push([setting.name, 'a cat', `a cat ${setting.phrase}`]);
    for (const table of [WORLD_TIMES, WORLD_WEATHER, WORLD_SEASONS]) {
      for (const setting of table)
        changes.push([setting.name, 'a cat in a field', `a cat in a field ${setting.phrase}`]);
    }
    for (const term of [...WORLD_STYLES, ...WORLD_QUALITIES]) {
      changes.push([term.name, 'a cat in a field', `a cat in a field, ${term.name}`]);
    }
    const bases = new Map<string, ReturnType<typeof decodePng>>();
    for (const [word, base, changed] of changes) {
      if (!bases.has(base)) bases.set(base, pixelsOf(base));
      const difference = meanAbsoluteDifference(bases.get(base)!, pixelsOf(changed));
      expect(difference, `${word}: "${base}" -> "${changed}"`).toBeGreaterThan(0.25);
    }
  });

  it('draws every object differently from every other', () => {
    const seen = new Map<string, string>();
    for (const entry of WORLD_OBJECTS) {
      const key = Buffer.from(renderSketch(`a ${entry.name}`, { width: 64, height: 64 }).png).toString('base64');
      expect(seen.get(key), entry.name).toBeUndefined();
      seen.set(key, entry.name);
    }
  });

  it('darkens the image at night', () => {
    for (let seed = 0; seed < 12; seed++) {
      const scene = generateScene(randomOf(seed));
      delete scene.time;
      const day = meanLuma(pixelsOf(renderPrompt(scene), seed));
      const night = meanLuma(pixelsOf(renderPrompt({ ...scene, time: 'night' }), seed));
      expect(night, renderPrompt(scene)).toBeLessThan(day * 0.7);
    }
  });

  it('draws as many objects as the count asks for', () => {
    const red = (r: number, g: number, b: number) => r > 150 && g < 90 && b < 90;
    const words = ['a', 'two', 'three', 'four', 'five'];
    for (const [index, word] of words.entries()) {
      for (const object of ['apples', 'balloons']) {
        const prompt = `${word} red ${index === 0 ? object.slice(0, -1) : object}`;
        expect(countComponents(decodePng(renderSketch(prompt, { seed: index }).png), red, 15), prompt).toBe(index + 1);
      }
    }
  });

  it('draws beautified prompts nicer by colourfulness, contrast and sharpness, as a rule', () => {
    const score = (parts: ReturnType<typeof aestheticParts>) =>
      parts.colourfulness / 40 + parts.contrast / 50 + parts.sharpness / 8;
    let nicer = 0;
    const trials = 30;
    for (let seed = 0; seed < trials; seed++) {
      const random = randomOf(1000 + seed);
      const scene = generateScene(random);
      const simple = score(aestheticParts(pixelsOf(renderPrompt(scene), seed)));
      const beautiful = score(aestheticParts(pixelsOf(beautifyPrompt(scene, random), seed)));
      if (beautiful > simple) nicer += 1;
    }
    expect(nicer / trials).toBeGreaterThanOrEqual(0.75);
  });

  it('shows every generated edit as a visible change (at least 20 pixels of 128x128 change by more than 24 levels)', () => {
    for (let seed = 0; seed < 40; seed++) {
      const triplet = generateTriplet(randomOf(seed));
      const changed = changedPixels(pixelsOf(triplet.input, seed), pixelsOf(triplet.output, seed), 24);
      expect(changed, `${triplet.input} | ${triplet.edit}`).toBeGreaterThanOrEqual(20);
    }
  });

  it('never throws on arbitrary prompts', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.integer(), (prompt, seed) => {
        const sketch = renderSketch(prompt, { width: 32, height: 32, seed });
        expect(sketch.png.length).toBeGreaterThan(0);
      }),
      { numRuns: 60 },
    );
  });
});
