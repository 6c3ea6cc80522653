import * as autodiff from '@diffchat/autodiff';
import { describe, expect, it } from 'vitest';
import { convolution3x3, spaceToDepth } from './dual-encoder';

/** Deterministic uniform numbers in [-1, 1) (mulberry32). */
function randomValues(seed: number, length: number): Float64Array {
  let state = seed >>> 0;
  return Float64Array.from({ length }, () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (2 * ((t ^ (t >>> 14)) >>> 0)) / 4294967296 - 1;
  });
}

const [batch, height, width, channels, out] = [2, 5, 4, 3, 2];

/** The textbook convolution: out[b, y, x, o] = bias[o] + sum over ky, kx, c of w[ky, kx, c, o] x[b, y+ky-1, x+kx-1, c]. */
function naiveConvolution(x: Float64Array, weight: Float64Array, bias: Float64Array): Float64Array {
  const result = new Float64Array(batch * height * width * out);
  for (let b = 0; b < batch; b++) {
    for (let y = 0; y < height; y++) {
      for (let column = 0; column < width; column++) {
        for (let o = 0; o < out; o++) {
          let sum = bias[o]!;
          for (let ky = 0; ky < 3; ky++) {
            for (let kx = 0; kx < 3; kx++) {
              const [sy, sx] = [y + ky - 1, column + kx - 1];
              if (sy < 0 || sy >= height || sx < 0 || sx >= width) continue;
              for (let c = 0; c < channels; c++) {
                sum +=
                  weight[((ky * 3 + kx) * channels + c) * out + o]! *
                  x[((b * height + sy) * width + sx) * channels + c]!;
              }
            }
          }
          result[((b * height + y) * width + column) * out + o] = sum;
        }
      }
    }
  }
  return result;
}

function convolutionGraph() {
  const graph = new autodiff.Graph('convolution');
  const x = graph.input('x', 'float64', [batch, height, width, channels]);
  const weight = graph.input('weight', 'float64', [9 * channels, out]);
  const bias = graph.input('bias', 'float64', [out]);
  const target = graph.input('target', 'float64', [batch, height, width, out]);
  const y = convolution3x3(autodiff, x, weight, bias);
  const error = autodiff.sub(y, target);
  const loss = autodiff.reduceSum(autodiff.mul(error, error), undefined, false);
  const gradients = autodiff.grad(autodiff.reshape(loss, [1]), [x, weight, bias]);
  graph.output('y', y);
  graph.output('loss', autodiff.reshape(loss, [1]));
  ['x', 'weight', 'bias'].forEach((name, index) => {
    graph.output(`grad.${name}`, gradients[index]!);
  });
  return graph;
}

describe('convolution3x3', () => {
  const feeds = {
    x: randomValues(1, batch * height * width * channels),
    weight: randomValues(2, 9 * channels * out),
    bias: randomValues(3, out),
    target: randomValues(4, batch * height * width * out),
  };

  it('equals the textbook zero-padded convolution', async () => {
    const compiled = await autodiff.compileGraph(convolutionGraph());
    const { y } = await compiled.run(feeds);
    const expected = naiveConvolution(feeds.x, feeds.weight, feeds.bias);
    expect(y!.shape).toEqual([batch, height, width, out]);
    Array.from(y!.data as Float64Array).forEach((value, index) => {
      expect(value).toBeCloseTo(expected[index]!, 10);
    });
  });

  it('has gradients that match central differences of a squared error', async () => {
    const compiled = await autodiff.compileGraph(convolutionGraph());
    const analytic = await compiled.run(feeds);
    const epsilon = 1e-4;
    for (const name of ['x', 'weight', 'bias'] as const) {
      const values = feeds[name];
      const gradient = analytic[`grad.${name}`]!.data as Float64Array;
      expect(gradient).toHaveLength(values.length);
      for (let element = 0; element < values.length; element++) {
        const original = values[element]!;
        values[element] = original + epsilon;
        const plus = Number((await compiled.run(feeds)).loss!.data[0]);
        values[element] = original - epsilon;
        const minus = Number((await compiled.run(feeds)).loss!.data[0]);
        values[element] = original;
        // The loss is quadratic in each input, so the central difference is exact up to rounding.
        expect(gradient[element]!, `${name}[${element}]`).toBeCloseTo((plus - minus) / (2 * epsilon), 6);
      }
    }
  });
});

describe('spaceToDepth', () => {
  it('puts each 2x2 block of cells on the channel axis, row-major', async () => {
    const [side, depth] = [4, 3];
    const graph = new autodiff.Graph('space_to_depth');
    const x = graph.input('x', 'float64', [batch, side, side, depth]);
    graph.output('y', spaceToDepth(autodiff, x, side, depth));
    const values = randomValues(5, batch * side * side * depth);
    const { y } = await (await autodiff.compileGraph(graph)).run({ x: values });
    expect(y!.shape).toEqual([batch, side / 2, side / 2, 4 * depth]);
    const half = side / 2;
    for (let b = 0; b < batch; b++) {
      for (let row = 0; row < half; row++) {
        for (let column = 0; column < half; column++) {
          for (let channel = 0; channel < 4 * depth; channel++) {
            const block = Math.floor(channel / depth);
            const [dy, dx, c] = [Math.floor(block / 2), block % 2, channel % depth];
            const source = ((b * side + 2 * row + dy) * side + 2 * column + dx) * depth + c;
            expect(y!.data[((b * half + row) * half + column) * 4 * depth + channel]).toBe(values[source]);
          }
        }
      }
    }
  });

  it('rejects an odd side', () => {
    const graph = new autodiff.Graph('odd');
    const x = graph.input('x', 'float32', [1, 3, 3, 1]);
    expect(() => spaceToDepth(autodiff, x, 3, 1)).toThrow(RangeError);
  });
});
