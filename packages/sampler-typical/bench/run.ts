/*
 * Microseconds per row for typicalFilter, topPFilter and topKFilter against a plain full-sort implementation, and for
 * sampler steps, for GPT-2's
 * (50,257) and BLOOM's (250,880) vocabularies, on language-model-like rows: a Zipf-shaped distribution over a random
 * permutation of the vocabulary with noise, at temperature 1.
 *
 *   pnpm --filter @diffchat/sampler-typical bench
 *
 * The softmax passes run in the WebAssembly kernel; SOFTMAX_PATH=javascript forces the JavaScript fallback instead,
 * to compare the two on one machine.
 *
 * Last line: typical_250k_us=<number> speedup_vs_sort=<number>
 */
import { loadavg } from 'node:os';
import { createSampler, topKFilter, topPFilter, typicalFilter } from '../src/index';
import { forceJavaScriptSoftmax, softmaxKernel } from '../src/softmax-kernel';
import { fullSortTopK, fullSortTopP, fullSortTypical } from './full-sort';

const TYPICAL_MASS = 0.9;
const TOP_P = 0.9;
// Hugging Face's GenerationConfig default.
const TOP_K = 50;

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rows of V logits shaped like a language model's: logit = -1.3 ln(rank) + N(0, 0.5), ranks shuffled. */
function languageModelRows(vocabularySize: number, rows: number, random: () => number): Float32Array[] {
  return Array.from({ length: rows }, () => {
    const ranks = Uint32Array.from({ length: vocabularySize }, (_, index) => index + 1);
    for (let index = vocabularySize - 1; index > 0; index--) {
      const other = Math.floor(random() * (index + 1));
      [ranks[index], ranks[other]] = [ranks[other], ranks[index]];
    }
    return Float32Array.from(ranks, (rank) => {
      const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      return 8 - 1.3 * Math.log(rank) + 0.5 * gaussian;
    });
  });
}

/**
 * Per-row cost, in microseconds: median over `rounds` of the wall-clock and of the process CPU time, and the least CPU
 * time of any round. On a shared machine the wall-clock also counts the time other processes held the cores, and the
 * least CPU time is the round that other processes disturbed least (caches, memory bandwidth).
 */
interface Timing {
  wall: number;
  cpu: number;
  cpuMin: number;
}

function microsecondsPerRow(
  rows: readonly Float32Array[],
  filter: (row: Float32Array) => unknown,
  rounds: number,
): Timing {
  for (const row of rows) filter(row);
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    for (const row of rows) filter(row);
    const cpu = process.cpuUsage(cpuStart);
    walls.push(Number(process.hrtime.bigint() - start) / 1000 / rows.length);
    cpus.push((cpu.user + cpu.system) / rows.length);
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return { wall: median(walls), cpu: median(cpus), cpuMin: Math.min(...cpus) };
}

const format = (timing: Timing) =>
  `${timing.wall.toFixed(0)} us/row (CPU median ${timing.cpu.toFixed(0)} us, min ${timing.cpuMin.toFixed(0)} us)`;
const speedup = (fast: Timing, slow: Timing) =>
  `speedup ${(slow.wall / fast.wall).toFixed(1)}x wall, ${(slow.cpu / fast.cpu).toFixed(1)}x CPU`;

const kept = (row: Float32Array) =>
  row.reduce((count, value) => (value > Number.NEGATIVE_INFINITY ? count + 1 : count), 0);
/**
 * A yardstick that scales with the machine and its load: one plain pass over the row (a sum, two running totals so
 * that the additions do not wait on each other). Filter times divided by it say how many such passes a filter costs,
 * which carries over to a quiet machine better than the microseconds measured on a busy one.
 */
function plainPass(row: Float32Array): number {
  let even = 0;
  let odd = 0;
  for (let index = 0; index + 1 < row.length; index += 2) {
    even += row[index];
    odd += row[index + 1];
  }
  return even + odd;
}

const sameRow = (left: Float32Array, right: Float32Array) =>
  left.every((value, index) => Object.is(value, right[index]));

forceJavaScriptSoftmax(process.env.SOFTMAX_PATH === 'javascript');
console.log(`softmax passes: ${softmaxKernel() === undefined ? 'JavaScript' : 'WebAssembly SIMD kernel'}`);
console.log(
  `load average ${loadavg()
    .map((load) => load.toFixed(2))
    .join(', ')} on this machine`,
);
const random = seededRandom(2024);
let typical250k = 0;
let speedup250k = 0;
for (const vocabularySize of [50_257, 250_880]) {
  const rows = languageModelRows(vocabularySize, vocabularySize > 100_000 ? 4 : 8, random);
  const agree = rows.every(
    (row) =>
      sameRow(typicalFilter(row, { mass: TYPICAL_MASS }), fullSortTypical(row, TYPICAL_MASS)) &&
      sameRow(topPFilter(row, { p: TOP_P }), fullSortTopP(row, TOP_P)) &&
      sameRow(topKFilter(row, { k: TOP_K }), fullSortTopK(row, TOP_K)),
  );
  const typical = microsecondsPerRow(rows, (row) => typicalFilter(row, { mass: TYPICAL_MASS }), 30);
  const typicalSort = microsecondsPerRow(rows, (row) => fullSortTypical(row, TYPICAL_MASS), 2);
  const topP = microsecondsPerRow(rows, (row) => topPFilter(row, { p: TOP_P }), 30);
  const topPSort = microsecondsPerRow(rows, (row) => fullSortTopP(row, TOP_P), 2);
  const topK = microsecondsPerRow(rows, (row) => topKFilter(row, { k: TOP_K }), 30);
  const topKSort = microsecondsPerRow(rows, (row) => fullSortTopK(row, TOP_K), 2);
  const sampler = createSampler({ temperature: 0.9, typicalP: TYPICAL_MASS });
  const drawRandom = seededRandom(1);
  const step = microsecondsPerRow(rows, (row) => sampler.sample(row, drawRandom), 15);
  const topKSampler = createSampler({ temperature: 0.9, topK: TOP_K });
  const topKStep = microsecondsPerRow(rows, (row) => topKSampler.sample(row, drawRandom), 15);
  // Llama's generation_config.json (temperature 0.6, top_p 0.9) with GenerationConfig's default top_k.
  const chainSampler = createSampler({ temperature: 0.6, topK: TOP_K, topP: TOP_P });
  const chainStep = microsecondsPerRow(rows, (row) => chainSampler.sample(row, drawRandom), 15);
  const meanKept = (filter: (row: Float32Array) => Float32Array) =>
    Math.round(rows.reduce((total, row) => total + kept(filter(row)), 0) / rows.length);
  const pass = microsecondsPerRow(rows, plainPass, 30);
  console.log(`vocab ${vocabularySize} (${rows.length} rows, results identical to the full sort: ${agree})`);
  console.log(`  one plain pass over a row (the yardstick): ${format(pass)}`);
  const passes = (timing: Timing) => `${(timing.cpuMin / pass.cpuMin).toFixed(1)} plain passes (least CPU times)`;
  console.log(
    `  typical mass ${TYPICAL_MASS}: ${format(typical)} = ${passes(typical)}, keeps ~${meanKept((row) => typicalFilter(row, { mass: TYPICAL_MASS }))} tokens; full sort ${format(typicalSort)}; ${speedup(typical, typicalSort)}`,
  );
  console.log(
    `  top-p ${TOP_P}: ${format(topP)} = ${passes(topP)}, keeps ~${meanKept((row) => topPFilter(row, { p: TOP_P }))} tokens; full sort ${format(topPSort)}; ${speedup(topP, topPSort)}`,
  );
  console.log(
    `  top-k ${TOP_K}: ${format(topK)} = ${passes(topK)}, keeps ~${meanKept((row) => topKFilter(row, { k: TOP_K }))} tokens; full sort ${format(topKSort)}; ${speedup(topK, topKSort)}`,
  );
  console.log(`  sampler step (temperature 0.9 + typical + draw + both log-probs): ${format(step)} = ${passes(step)}`);
  console.log(
    `  sampler step (temperature 0.9 + top-k ${TOP_K} + draw + both log-probs): ${format(topKStep)} = ${passes(topKStep)}`,
  );
  console.log(
    `  sampler step (temperature 0.6 + top-k ${TOP_K} + top-p ${TOP_P} + draw + both log-probs): ${format(chainStep)} = ${passes(chainStep)}`,
  );
  if (vocabularySize === 250_880) {
    typical250k = typical.wall;
    speedup250k = typicalSort.wall / typical.wall;
  }
}
console.log(`typical_250k_us=${typical250k.toFixed(1)} speedup_vs_sort=${speedup250k.toFixed(2)}`);
