import { describe, expect, it } from 'vitest';
import { constant, fans, kaiming, normal, ones, uniform, xavierUniform, zeros } from './initializers';
import { SeededRandom } from './seeded-random';

const context = () => ({ name: 'p', random: new SeededRandom(0) });

function moments(values: Float32Array): { mean: number; std: number; maxAbs: number } {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const std = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
  return { mean, std, maxAbs: values.reduce((max, value) => Math.max(max, Math.abs(value)), 0) };
}

describe('initialisers', () => {
  it('zeros, ones and constant fill every element; a scalar has one', () => {
    expect([...zeros([2, 3], context())]).toEqual([0, 0, 0, 0, 0, 0]);
    expect([...ones([2], context())]).toEqual([1, 1]);
    expect([...constant(0.5)([], context())]).toEqual([0.5]);
    expect(zeros([4, 0], context()).length).toBe(0);
  });

  it('fans follow the MatMul layout (in, out)', () => {
    expect(fans([256, 1024])).toEqual({ fanIn: 256, fanOut: 1024 });
    expect(fans([4, 8, 16])).toEqual({ fanIn: 32, fanOut: 16 });
    expect(fans([7])).toEqual({ fanIn: 7, fanOut: 7 });
    expect(fans([])).toEqual({ fanIn: 1, fanOut: 1 });
  });

  it('normal has the requested mean and std; its own seed makes it independent of the context stream', () => {
    const values = normal({ mean: 0, std: 0.02 })([300, 300], context());
    const { mean, std } = moments(values);
    expect(mean).toBeCloseTo(0, 3);
    expect(std).toBeCloseTo(0.02, 3);
    const seeded = normal({ std: 1, seed: 9 });
    expect(seeded([10], context())).toEqual(seeded([10], { name: 'q', random: new SeededRandom(123) }));
  });

  it('uniform stays in [low, high)', () => {
    const values = uniform({ low: -0.1, high: 0.3 })([10_000], context());
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-0.1);
    expect(Math.max(...values)).toBeLessThan(0.3);
    expect(moments(values).mean).toBeCloseTo(0.1, 2);
    expect(() => uniform({ low: 1, high: 0 })).toThrow(/low/);
  });

  it('xavierUniform bound is sqrt(6 / (fanIn + fanOut)): 0.125 for 200 x 184, variance bound^2 / 3', () => {
    const values = xavierUniform()([200, 184], context());
    const { std, maxAbs } = moments(values);
    expect(maxAbs).toBeLessThanOrEqual(0.125);
    expect(maxAbs).toBeGreaterThan(0.124);
    expect(std).toBeCloseTo(0.125 / Math.sqrt(3), 3);
  });

  it('kaiming: relu normal std sqrt(2 / fanIn); uniform bound gain * sqrt(3 / fan); fanOut mode', () => {
    expect(moments(kaiming()([512, 100], context())).std).toBeCloseTo(Math.sqrt(2 / 512), 3);
    const linear = kaiming({ nonlinearity: 'linear', distribution: 'uniform', mode: 'fanOut' })([64, 300], context());
    expect(moments(linear).maxAbs).toBeLessThanOrEqual(Math.sqrt(3 / 300));
    expect(moments(linear).maxAbs).toBeGreaterThan(0.99 * Math.sqrt(3 / 300));
    const transposed = kaiming({ fanIn: 50 })([100, 50], context());
    expect(moments(transposed).std).toBeCloseTo(Math.sqrt(2 / 50), 2);
    expect(() => kaiming({ fanIn: 0 })([2, 2], context())).toThrow(/parameter "p".*fans must be positive/);
  });
});
