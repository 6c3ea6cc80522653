import { describe, expect, it } from 'vitest';
import { drawingOf, sketchBackground, sketchStyle } from './sketch-stand-ins';

describe('drawingOf', () => {
  it('draws an animal without a recipe of its own as a quadruped', () => {
    for (const animal of ['hedgehog', 'armadillo', 'antelope', 'golden retriever']) {
      const plan = drawingOf(animal);
      expect([plan.recipe, plan.category], animal).toEqual(['quadruped', 'animal']);
    }
  });

  it('picks the recipe of each lexicon class, and within a class by the kind a name ends with', () => {
    const cases: Array<[string, string]> = [
      ['beekeeper', 'person'],
      ['kingfisher', 'bird'],
      ['shark', 'fish'],
      ['bumblebee', 'butterfly'],
      ['oak', 'tree'],
      ['tulip', 'flower'],
      ['canoe', 'boat'],
      ['helicopter', 'airplane'],
      ['ambulance', 'car'],
      ['croissant', 'round food'],
      ['kimono', 'wearable'],
      ['fox', 'quadruped'],
      ['teapot', 'teapot'],
    ];
    for (const [name, recipe] of cases) expect(drawingOf(name).recipe, name).toBe(recipe);
  });

  it('draws anything else as a shape labelled with its noun, and never fails', () => {
    expect(drawingOf('anvil')).toMatchObject({ recipe: 'labelled', label: 'anvil' });
    expect(drawingOf('blorptangle')).toMatchObject({ recipe: 'labelled', label: 'blorptangle' });
    expect(drawingOf('anvil').look.colour).toEqual(drawingOf('anvil').look.colour);
  });
});

describe('sketchBackground and sketchStyle', () => {
  it('map open settings to the closest curated background', () => {
    const cases: Array<[string, string]> = [
      ['kitchen', 'room'],
      ['cafe', 'room'],
      ['library', 'room'],
      ['river', 'lake'],
      ['bay', 'ocean'],
      ['island', 'beach'],
      ['valley', 'mountains'],
      ['dune', 'desert'],
      ['meadow', 'field'],
      ['highway', 'street'],
      ['neighborhood', 'city'],
      ['forest', 'forest'],
    ];
    for (const [setting, background] of cases) expect(sketchBackground(setting), setting).toBe(background);
    expect(sketchBackground(undefined)).toBeUndefined();
  });

  it('map open styles to the filter of their medium', () => {
    expect(sketchStyle('woodcut')).toBe('sketch');
    expect(sketchStyle('cubism')).toBe('stained glass');
    expect(sketchStyle('impressionism')).toBe('oil painting');
    expect(sketchStyle('van gogh')).toBe('oil painting');
    expect(sketchStyle('watercolour')).toBe('watercolour');
  });
});
