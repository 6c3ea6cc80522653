import { describe, expect, it } from 'vitest';
import { applyEdit } from './edit-operation';
import type { Scene } from './scene';

const base: Scene = {
  subjects: [
    { object: 'cat', count: 2, colour: 'black', attributes: ['small'] },
    { object: 'car', count: 1, material: 'metal', attributes: [] },
  ],
  background: 'street',
  time: 'noon',
  quality: ['sharp focus'],
};

describe('applyEdit', () => {
  it('adds a new object at the end, or raises the count of one already there up to five', () => {
    expect(applyEdit(base, { type: 'add', object: 'scarf', count: 1, colour: 'red' }).subjects[2]).toEqual({
      object: 'scarf',
      count: 1,
      colour: 'red',
      attributes: [],
    });
    expect(applyEdit(base, { type: 'add', object: 'cat', count: 2 }).subjects[0]!.count).toBe(4);
    expect(applyEdit(base, { type: 'add', object: 'cat', count: 5 }).subjects[0]!.count).toBe(5);
  });

  it('removes an object and nothing else', () => {
    expect(applyEdit(base, { type: 'remove', object: 'cat' })).toEqual({ ...base, subjects: [base.subjects[1]] });
  });

  it('replaces an object keeping its count, colour and attributes', () => {
    expect(applyEdit(base, { type: 'replace', object: 'cat', replacement: 'dog' }).subjects[0]).toEqual({
      object: 'dog',
      count: 2,
      colour: 'black',
      attributes: ['small'],
    });
    const merged = applyEdit(base, { type: 'replace', object: 'cat', replacement: 'car' });
    expect(merged.subjects).toEqual([{ object: 'car', count: 3, material: 'metal', attributes: [] }]);
  });

  it('sets colour, count and material of the named object', () => {
    expect(applyEdit(base, { type: 'colour', object: 'car', colour: 'blue' }).subjects[1]!.colour).toBe('blue');
    expect(applyEdit(base, { type: 'count', object: 'car', count: 3 }).subjects[1]!.count).toBe(3);
    expect(applyEdit(base, { type: 'material', object: 'cat', material: 'golden' }).subjects[0]!.material).toBe(
      'golden',
    );
  });

  it('sets the settings of the scene', () => {
    expect(applyEdit(base, { type: 'time', time: 'night' }).time).toBe('night');
    expect(applyEdit(base, { type: 'weather', weather: 'snow' }).weather).toBe('snow');
    expect(applyEdit(base, { type: 'season', season: 'autumn' }).season).toBe('autumn');
    expect(applyEdit(base, { type: 'style', style: 'pixel art' }).style).toBe('pixel art');
    expect(applyEdit(base, { type: 'background', background: 'beach' }).background).toBe('beach');
  });

  it('leaves the scene unchanged for an object it lacks, and never mutates its input', () => {
    const copy = structuredClone(base);
    expect(applyEdit(base, { type: 'colour', object: 'fox', colour: 'red' })).toEqual(base);
    expect(applyEdit(base, { type: 'remove', object: 'fox' })).toEqual(base);
    applyEdit(base, { type: 'replace', object: 'cat', replacement: 'dog' });
    applyEdit(base, { type: 'count', object: 'cat', count: 5 });
    expect(base).toEqual(copy);
  });
});
