// Content-integrity throughput on one core: `pnpm --filter @diffchat/rewards bench`.
// Records mimic PPO scoring: each (source, instruction) pair is scored against many distinct targets, so the
// analysis of sources and instructions is cached while every target is analysed afresh.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  defaultRewardsDirectory,
  distinctCaptions,
  loadDefaultRewards,
  renderExamples,
  trainDefaultRewards,
} from '../src/defaults/index';
import { dot } from '../src/embeddings';
import { contentIntegrity } from '../src/index';

const subjects = ['cat', 'dog', 'old man', 'castle', 'lighthouse', 'fox', 'robot', 'sailboat', 'teddy bear', 'woman'];
const attributes = ['red', 'small', 'wooden', 'fluffy', 'golden', 'ancient', 'blue', 'two', 'three', 'tiny'];
const places = ['beach', 'forest', 'city street', 'kitchen', 'mountain', 'garden', 'desert', 'lake', 'harbor', 'park'];
const times = ['at night', 'at sunset', 'in the morning', 'in winter', 'in the rain', ''];
const instructions = ['make it night', 'add a bird', 'remove the {s}', 'replace the {s} with a horse', 'make it snowy'];
const boilerplate = [
  'highly detailed',
  '8k',
  'trending on artstation',
  'sharp focus',
  'cinematic lighting',
  'oil painting',
];

let state = 42;
function random(): number {
  state = (state * 16807) % 2147483647;
  return (state - 1) / 2147483646;
}
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

interface BenchRecord {
  source: string;
  instruction: string;
  target: string;
}

function makeRecords(pairs: number, targetsPerPair: number): BenchRecord[] {
  const records: BenchRecord[] = [];
  for (let pair = 0; pair < pairs; pair++) {
    const subject = pick(subjects);
    const source = `a ${pick(attributes)} ${subject} in a ${pick(places)} ${pick(times)}`.trim();
    const instruction = pick(instructions).replace('{s}', subject);
    for (let index = 0; index < targetsPerPair; index++) {
      const extra = [pick(boilerplate), pick(boilerplate), pick(attributes)].join(', ');
      records.push({ source, instruction, target: `${source}, ${pick(places)}, ${extra}, variation ${index}` });
    }
  }
  return records;
}

function measure(records: readonly BenchRecord[]): number {
  const start = process.hrtime.bigint();
  let kept = 0;
  for (const record of records) kept += contentIntegrity(record).reward;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (kept < 0) throw new Error('unreachable');
  return records.length / seconds;
}

measure(makeRecords(50, 20));
const rates: number[] = [];
for (let run = 0; run < 5; run++) rates.push(measure(makeRecords(500, 8)));
rates.sort((a, b) => a - b);
const median = rates[Math.floor(rates.length / 2)]!;
const coldRate = measure(makeRecords(4000, 1));
console.log(`content integrity, 4000 records (500 source/instruction pairs x 8 targets), 5 runs`);
console.log(`  records/s: median ${median.toFixed(0)}, min ${rates[0]!.toFixed(0)}, max ${rates.at(-1)!.toFixed(0)}`);
console.log(`  records/s with every source and instruction new: ${coldRate.toFixed(0)}`);

// Image rewards on the embedded default models (trained first when the folder is missing).
const directory = process.env.DEFAULT_REWARDS_DIR ?? defaultRewardsDirectory;
if (!existsSync(join(directory, 'config.json'))) {
  const start = performance.now();
  const trained = await trainDefaultRewards({ outDir: directory });
  console.log(
    `trained the default models into ${directory} in ${((performance.now() - start) / 1000).toFixed(1)} s ` +
      `(render ${trained.seconds.render.toFixed(1)} s, train ${trained.seconds.train.toFixed(1)} s)`,
  );
}
const defaults = await loadDefaultRewards(directory);
const trainingCaptions = new Set(await distinctCaptions(3000, 0));
const heldOut = await distinctCaptions(500, 1000, trainingCaptions);
const examples = await renderExamples(heldOut, { seed: 50_000, renderSize: 64, imageSize: 32 });

const records = examples.map((example) => ({
  source: example.caption,
  instruction: '',
  target: example.caption,
  images: [example.image],
}));
const imageStart = performance.now();
await defaults.rewards.aesthetic.score(records);
await defaults.rewards.pickscore.score(records);
const imageRate = (2 * records.length) / ((performance.now() - imageStart) / 1000);

const textEmbeddings = await defaults.encoder.embedTexts(heldOut);
const imageEmbeddings = await defaults.encoder.embedImages(examples.map((example) => example.image));
let hits = 0;
textEmbeddings.forEach((text, index) => {
  let best = 0;
  imageEmbeddings.forEach((image, candidate) => {
    if (dot(text, image) > dot(text, imageEmbeddings[best]!)) best = candidate;
  });
  if (best === index) hits++;
});
const retrieval = hits / heldOut.length;

function ranks(values: readonly number[]): number[] {
  const order = values.map((value, index) => [value, index] as const).sort((a, b) => a[0] - b[0]);
  const result = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]![0] === order[start]![0]) end++;
    for (let index = start; index <= end; index++) result[order[index]![1]] = (start + end) / 2;
    start = end + 1;
  }
  return result;
}
function spearman(left: readonly number[], right: readonly number[]): number {
  const [a, b] = [ranks(left), ranks(right)];
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const [meanA, meanB] = [mean(a), mean(b)];
  let covariance = 0;
  let varianceA = 0;
  let varianceB = 0;
  a.forEach((value, index) => {
    covariance += (value - meanA) * (b[index]! - meanB);
    varianceA += (value - meanA) ** 2;
    varianceB += (b[index]! - meanB) ** 2;
  });
  return covariance / Math.sqrt(varianceA * varianceB);
}
const aestheticSpearman = spearman(
  imageEmbeddings.map((embedding) => defaults.predictor.predict(embedding)),
  examples.map((example) => example.aesthetic),
);
console.log(`default image rewards (${directory}), 500 held-out rendered captions (64x64 sketches)`);
console.log(`  aesthetic + pickscore images/s (PNG-free RGB in, preprocessing included): ${imageRate.toFixed(1)}`);
console.log(`  text->image top-1 retrieval among 500: ${retrieval.toFixed(3)}`);
console.log(`  aesthetic head vs pixel measure, Spearman: ${aestheticSpearman.toFixed(3)}`);
console.log(
  `ci_records_s=${median.toFixed(0)} img_s=${imageRate.toFixed(1)} retrieval_top1=${retrieval.toFixed(3)} aesthetic_spearman=${aestheticSpearman.toFixed(3)}`,
);
