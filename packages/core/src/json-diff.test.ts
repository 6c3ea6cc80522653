import { describe, expect, it } from 'vitest';
import { describeJsonValue, diffJson } from './json-diff';

describe('diffJson', () => {
  it('finds nothing between equal values, whatever the key order', () => {
    expect(diffJson({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toEqual([]);
    expect(diffJson(null, null)).toEqual([]);
  });

  it('lists changed, added and removed leaves with their paths', () => {
    const before = { optimizer: { lr: 0.001, betas: [0.9, 0.95] }, steps: 100, name: 'a' };
    const after = { optimizer: { lr: 0.0005, betas: [0.9, 0.99, 1] }, steps: 100, warmup: 10 };
    expect(diffJson(before, after, 'config')).toEqual([
      { path: 'config.name', before: 'a', after: undefined },
      { path: 'config.optimizer.betas[1]', before: 0.95, after: 0.99 },
      { path: 'config.optimizer.betas[2]', before: undefined, after: 1 },
      { path: 'config.optimizer.lr', before: 0.001, after: 0.0005 },
      { path: 'config.warmup', before: undefined, after: 10 },
    ]);
  });

  it('reports a change of type at the node where it happens', () => {
    expect(diffJson({ a: [1] }, { a: { 0: 1 } })).toEqual([{ path: 'a', before: [1], after: { 0: 1 } }]);
  });

  it('describes values briefly', () => {
    expect(describeJsonValue(undefined)).toBe('absent');
    expect(describeJsonValue('x')).toBe('"x"');
    expect(describeJsonValue('y'.repeat(100))).toHaveLength(60);
  });
});
