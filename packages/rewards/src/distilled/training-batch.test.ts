import { describe, expect, it } from 'vitest';
import { fillTrainingBatch } from './training-batch';

/** A random source that returns the given values in turn. */
const scripted = (values: number[]) => {
  let next = 0;
  return () => values[next++]!;
};

describe('fillTrainingBatch', () => {
  it('copies the drawn texts and their targets row by row for regression', () => {
    const copied: [number, number][] = [];
    const targets = new Float32Array(3);
    // Four texts: draws 0.1, 0.99, 0.5 pick texts floor(4 x) = 0, 3, 2.
    fillTrainingBatch(
      { texts: ['a', 'b', 'c', 'd'], targets: [0.5, -1, 2, 4] },
      scripted([0.1, 0.99, 0.5]),
      3,
      (text, row) => copied.push([text, row]),
      targets,
    );
    expect(copied).toEqual([
      [0, 0],
      [3, 1],
      [2, 2],
    ]);
    expect(Array.from(targets)).toEqual([0.5, 4, 2]);
  });

  it('puts each drawn pair chosen then rejected in adjacent rows for Bradley-Terry', () => {
    const copied: [number, number][] = [];
    // Two pairs: draws 0.7, 0.2 pick pairs 1 then 0.
    fillTrainingBatch(
      {
        texts: ['a', 'b', 'c'],
        pairs: [
          [0, 1],
          [2, 0],
        ],
      },
      scripted([0.7, 0.2]),
      2,
      (text, row) => copied.push([text, row]),
      undefined,
    );
    expect(copied).toEqual([
      [2, 0],
      [0, 1],
      [0, 2],
      [1, 3],
    ]);
  });
});
