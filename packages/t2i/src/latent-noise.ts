import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/**
 * `count` standard normal draws from one seed (xoroshiro128+ and the Box–Muller transform), the starting latents of
 * one image. The same seed gives the same latents on every platform; they are not PyTorch's latents, so an image
 * differs from the one diffusers renders for that seed.
 */
export function latentNoise(seed: number, count: number): Float32Array {
  const generator = xoroshiro128plus(seed | 0);
  const result = new Float32Array(count);
  for (let index = 0; index < count; index += 2) {
    // 1 − u keeps the logarithm finite: u is in [0, 1)
    const radius = Math.sqrt(-2 * Math.log(1 - uniformFloat64(generator)));
    const angle = 2 * Math.PI * uniformFloat64(generator);
    result[index] = radius * Math.cos(angle);
    if (index + 1 < count) result[index + 1] = radius * Math.sin(angle);
  }
  return result;
}
