import { describe, expect, it } from 'vitest';
import { applyTemperature } from './temperature';

describe('applyTemperature', () => {
  it('divides every logit by the temperature, rounding to float32, and keeps -Infinity', () => {
    const row = Float32Array.from([1, -2, 0.3, Number.NEGATIVE_INFINITY]);
    expect(Array.from(applyTemperature(row, 0.5))).toEqual([
      2,
      -4,
      Math.fround(Math.fround(0.3) / 0.5),
      Number.NEGATIVE_INFINITY,
    ]);
    expect(Array.from(applyTemperature(row, 2))).toEqual([
      0.5,
      -1,
      Math.fround(Math.fround(0.3) / 2),
      Number.NEGATIVE_INFINITY,
    ]);
  });

  it('sharpens below 1: softmax(l / 0.5) is softmax(l) squared, renormalised', () => {
    const row = Float32Array.from([0, Math.log(2), Math.log(3)]);
    const scaled = applyTemperature(row, 0.5);
    const weights = Array.from(scaled, Math.exp);
    const total = weights.reduce((a, b) => a + b, 0);
    // (1, 2, 3) squared = (1, 4, 9) / 14.
    expect(weights.map((weight) => weight / total)).toEqual(
      [1 / 14, 4 / 14, 9 / 14].map((value) => expect.closeTo(value, 6)),
    );
  });

  it('rejects temperatures that are not finite and > 0, and overflowing results', () => {
    const row = Float32Array.from([1]);
    for (const temperature of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => applyTemperature(row, temperature)).toThrow(/temperature: must be a finite number > 0/);
    }
    expect(() => applyTemperature(Float32Array.from([1e30]), 1e-20)).toThrow(/overflow/);
    // The first logit past float32's range is named, not the largest.
    expect(() => applyTemperature(Float32Array.from([1, 2e38, -3e38, 3e38]), 0.5)).toThrow(
      /temperature: 0.5 makes logits\[1\] overflow float32/,
    );
  });
});
