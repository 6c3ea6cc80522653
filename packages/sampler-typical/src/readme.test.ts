import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReadmeExample } from '../../../readme-example';

/** log softmax(row)[index], in float64: the reference the sampler's log-probabilities are held to. */
function logSoftmax(row: number[], index: number): number {
  const max = Math.max(...row);
  const total = row.reduce((sum, value) => sum + Math.exp(value - max), 0);
  return row[index]! - max - Math.log(total);
}

describe('README example', () => {
  it('prints the filtered rows its comments give, and a sampled token with consistent log-probabilities', async () => {
    // By hand, for logits [0, -4, 2, -1, 1]: p = [.087, .002, .643, .032, .237] with entropy 0.958 nats; the tokens
    // closest to it in surprisal are 4 (|1.442 - 0.958|) then 2, which hold 0.88 >= 0.5 of the mass; the nucleus
    // of 0.9 takes 2, 4 and 0 (0.643 + 0.237 < 0.9 <= 0.966). The comments say the same.
    const { printed, expected, logged } = await runReadmeExample(join(__dirname, '..'), '@diffchat/sampler-typical');
    expect(expected).toEqual([
      'Float32Array(5) [ -Infinity, -Infinity, 2, -Infinity, 1 ]',
      'Float32Array(5) [ 0, -Infinity, 2, -Infinity, 1 ]',
    ]);
    expect(printed.slice(0, 2)).toEqual(expected);

    // The draw uses Math.random, so only its shape and its consistency with the logits are fixed.
    expect(logged).toHaveLength(3);
    const { tokenId, logProb, unfilteredLogProb } = logged[2]![0] as Record<string, number>;
    const logits = [0, -4, 2, -1, 1];
    expect([0, 2, 3, 4]).toContain(tokenId); // token 1 is denied
    expect(unfilteredLogProb).toBeCloseTo(logSoftmax(logits, tokenId!), 4);
    // Filtering only removes tokens, so the kept token's probability after temperature can only grow.
    expect(logProb).toBeLessThanOrEqual(0);
    expect(logProb).toBeGreaterThanOrEqual(
      logSoftmax(
        logits.map((value) => value / 0.8),
        tokenId!,
      ) - 1e-5,
    );
  });
});
