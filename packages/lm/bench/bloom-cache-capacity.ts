// BLOOM per-token decoding cost against the cache's capacity (run from bench/run.ts, or alone:
//   pnpm exec tsx bench/bloom-cache-capacity.ts   from packages/lm).
// A small BLOOM decodes the same 64 tokens after a 16-token prompt with its preallocated cache sized for 256 and
// for 4096 positions (what maxNewTokens sizes it for). A step reads only the filled positions, so the two costs
// should match (target: ratio within 1.3); before, every step rebuilt a (capacity x capacity) matrix for ALiBi.
import { createModel } from '../src/index';

const CONFIG = { model_type: 'bloom', hidden_size: 64, n_layer: 2, n_head: 8, vocab_size: 1024 } as const;
const PROMPT_TOKENS = 16;
const NEW_TOKENS = 64;
const CAPACITIES = [256, 4096] as const;
const PASSES = 5;

/** Median over the decoded positions of each position's fastest step (ms) across passes, at one capacity. */
async function perTokenMilliseconds(capacity: number): Promise<number> {
  const model = createModel(CONFIG, { seed: 1 });
  try {
    const decoder = await model.decoder();
    const fastest = new Array<number>(NEW_TOKENS).fill(Number.POSITIVE_INFINITY);
    for (let pass = 0; pass < PASSES; pass++) {
      let cache = decoder.emptyCache(1, capacity);
      let inputIds = BigInt64Array.from({ length: PROMPT_TOKENS }, (_, index) => BigInt((index * 37) % 1024));
      for (let step = 0; step <= NEW_TOKENS; step++) {
        const start = performance.now();
        const output = await decoder.step({
          inputIds,
          attentionMask: new BigInt64Array(cache.length + inputIds.length).fill(1n),
          sequenceLength: inputIds.length,
          cache,
          greedy: true,
        });
        // Step 0 is the prompt; the rest decode one token each.
        if (step > 0) fastest[step - 1] = Math.min(fastest[step - 1]!, performance.now() - start);
        cache = output.cache;
        inputIds = BigInt64Array.of(output.nextTokens![0]!);
      }
    }
    return [...fastest].sort((a, b) => a - b)[Math.floor(NEW_TOKENS / 2)]!;
  } finally {
    await model.dispose();
  }
}

/** Returns the summary line (`bloom_token_ms_cap256=... bloom_token_ms_cap4096=... bloom_capacity_ratio=...`). */
export async function runBloomCacheCapacityBenchmark(): Promise<string> {
  const costs: number[] = [];
  for (const capacity of CAPACITIES) {
    const milliseconds = await perTokenMilliseconds(capacity);
    costs.push(milliseconds);
    console.log(
      `bloom per-token cost (hidden ${CONFIG.hidden_size}, ${CONFIG.n_layer} layers, prompt ${PROMPT_TOKENS}, ` +
        `${NEW_TOKENS} new tokens, cache capacity ${capacity}): ${milliseconds.toFixed(3)} ms`,
    );
  }
  const [small, large] = costs as [number, number];
  return `bloom_token_ms_cap256=${small.toFixed(3)} bloom_token_ms_cap4096=${large.toFixed(3)} bloom_capacity_ratio=${(large / small).toFixed(2)}`;
}

if (process.argv[1]?.endsWith('bloom-cache-capacity.ts')) {
  console.log(await runBloomCacheCapacityBenchmark());
}
