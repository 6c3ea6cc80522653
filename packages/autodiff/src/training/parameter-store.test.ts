import { describe, expect, it } from 'vitest';
import { normal, ones } from './initializers';
import { ParameterStore } from './parameter-store';

describe('ParameterStore', () => {
  it('adds, gets, lists and iterates parameters in insertion order', () => {
    const store = new ParameterStore({ seed: 1 });
    store.add('embedding', [4, 3], normal({ std: 0.02 }));
    store.add('norm.scale', [3], ones);
    store.add('bias', [3]);
    store.add('copied', [2], new Float32Array([1.5, -2]));
    expect(store.names()).toEqual(['embedding', 'norm.scale', 'bias', 'copied']);
    expect([...store].map((parameter) => parameter.shape)).toEqual([[4, 3], [3], [3], [2]]);
    expect(store.totalElements()).toBe(12 + 3 + 3 + 2);
    expect(store.size).toBe(4);
    expect([...store.get('norm.scale').data]).toEqual([1, 1, 1]);
    expect([...store.get('copied').data]).toEqual([1.5, -2]);
    expect(store.has('bias')).toBe(true);
  });

  it('names the missing parameter and what it holds', () => {
    const store = new ParameterStore();
    store.add('w', [1]);
    expect(() => store.get('wq')).toThrow('parameter "wq" is not in the store (it holds 1: w)');
  });

  it('initialises from the seed and the name only, not from the insertion order', () => {
    const first = new ParameterStore({ seed: 7 });
    first.add('a', [5], normal());
    first.add('b', [5], normal());
    const second = new ParameterStore({ seed: 7 });
    second.add('b', [5], normal());
    second.add('a', [5], normal());
    expect(second.get('a').data).toEqual(first.get('a').data);
    expect(second.get('b').data).toEqual(first.get('b').data);
    expect(first.get('a').data).not.toEqual(first.get('b').data);
    const otherSeed = new ParameterStore({ seed: 8 });
    otherSeed.add('a', [5], normal());
    expect(otherSeed.get('a').data).not.toEqual(first.get('a').data);
  });

  it('clone is deep', () => {
    const store = new ParameterStore();
    store.add('w', [2], new Float32Array([1, 2]));
    const copy = store.clone();
    copy.get('w').data[0] = 9;
    expect(store.get('w').data[0]).toBe(1);
    expect(copy.names()).toEqual(['w']);
  });

  it('rejects duplicate names, bad shapes and initial values of the wrong length', () => {
    const store = new ParameterStore();
    store.add('w', [2]);
    expect(() => store.add('w', [2])).toThrow(/"w" already exists/);
    expect(() => store.add('v', [2, -1])).toThrow(/parameter "v": shape/);
    expect(() => store.add('u', [2.5])).toThrow(/shape/);
    expect(() => store.add('t', [3], new Float32Array(2))).toThrow(
      /"t" has shape \[3\] \(3 elements\) but its initial values have 2/,
    );
    expect(() => store.add('', [1])).toThrow(/non-empty/);
  });

  it('assign copies values in place and checks names and shapes first', () => {
    const store = new ParameterStore();
    const w = store.add('w', [2]);
    store.add('b', [1]);
    store.assign(
      new Map([
        ['w', { shape: [2], data: new Float32Array([3, 4]) }],
        ['b', { shape: [1], data: new Float32Array([5]) }],
      ]),
    );
    expect([...w.data]).toEqual([3, 4]);
    expect(() =>
      store.assign(new Map([['w', { shape: [1, 2], data: new Float32Array(2) }]]), { strict: false }),
    ).toThrow(/"w" has shape \[2\] but the value has shape \[1, 2\]/);
    expect(() => store.assign(new Map([['w', { shape: [2], data: new Float32Array(2) }]]))).toThrow(
      /no value for parameter\(s\) b/,
    );
    expect(() => store.assign(new Map([['x', { shape: [2], data: new Float32Array(2) }]]))).toThrow(
      /parameter "x" is not in the store/,
    );
    expect([...w.data]).toEqual([3, 4]);
  });
});
