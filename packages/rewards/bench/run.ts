// Content-integrity throughput on one core: `pnpm --filter @diffchat/rewards bench`.
// Records mimic PPO scoring: each (source, instruction) pair is scored against many distinct targets, so the
// analysis of sources and instructions is cached while every target is analysed afresh.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '@diffchat/core';
import { loadLexicon } from '@diffchat/lexicon';
import { beautifyPrompt } from '@diffchat/world';
import { caseAgreement, readContentIntegrityCases } from '../src/content-integrity-cases';
import {
  defaultRewardsDirectory,
  distinctCaptions,
  loadDefaultRewards,
  type RenderedExample,
  renderExamples,
  trainDefaultRewards,
} from '../src/defaults/index';
import { trainTextReward } from '../src/distilled/index';
import { dot } from '../src/embeddings';
import { contentIntegrity } from '../src/index';

// Every record brings words the analysis has not seen: subjects, places and added things are drawn from WordNet's
// familiar nouns (about 3,000 things and 600 places), so the caches of sources and instructions rarely help.
const lexicon = loadLexicon();
const things = lexicon
  .nouns({
    classes: ['person', 'animal', 'plant', 'food', 'vehicle', 'clothing', 'artifact'],
    minFamiliarity: 1,
    singleWord: true,
  })
  .map((entry) => entry.lemma);
const places = lexicon
  .nouns({ classes: ['room', 'building', 'way', 'location', 'landform'], minFamiliarity: 1, singleWord: true })
  .map((entry) => entry.lemma);
const attributes = ['red', 'small', 'wooden', 'fluffy', 'golden', 'ancient', 'blue', 'two', 'three', 'tiny', 'old'];
const times = ['at night', 'at sunset', 'in the morning', 'in winter', 'in the rain', ''];
const instructions = [
  'make it night',
  'add a {t}',
  'remove the {s}',
  'replace the {s} with a {t}',
  'make it snowy',
  'make it a {t}',
  'make the {s} green',
  'give the {s} a {t}',
];
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
    const subject = pick(things);
    const source = `a ${pick(attributes)} ${subject} with a ${pick(things)} in a ${pick(places)} ${pick(times)}`.trim();
    const instruction = pick(instructions).replace('{s}', subject).replace('{t}', pick(things));
    for (let index = 0; index < targetsPerPair; index++) {
      const extra = [pick(boilerplate), pick(things), pick(attributes)].join(', ');
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
console.log(
  `content integrity, 4000 records (500 source/instruction pairs x 8 targets, words drawn from ${things.length} ` +
    `WordNet things and ${places.length} places), 5 runs`,
);
console.log(`  records/s: median ${median.toFixed(0)}, min ${rates[0]!.toFixed(0)}, max ${rates.at(-1)!.toFixed(0)}`);
console.log(`  records/s with every source and instruction new: ${coldRate.toFixed(0)}`);

// Agreement with the labelled open-vocabulary cases (README: "Open vocabulary").
const openAgreement = (file: string) =>
  caseAgreement(readContentIntegrityCases(join('fixtures', `open-vocabulary-${file}.json`))).agreement;
const tuningAgreement = openAgreement('tuning');
const heldOutAgreement = openAgreement('held-out');
console.log(
  `  agreement with the labelled open-vocabulary cases: tuning ${tuningAgreement.toFixed(4)}, ` +
    `held-out ${heldOutAgreement.toFixed(4)}`,
);

// Image rewards on the embedded default models (trained first when the folder is missing; renders are cached in
// .cache/default-rewards-renders, so a retrain or a second bench run does not render again).
const directory = process.env.DEFAULT_REWARDS_DIR ?? defaultRewardsDirectory;
const renderCache = join('.cache', 'default-rewards-renders');
if (!existsSync(join(directory, 'config.json'))) {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const trained = await trainDefaultRewards({ outDir: directory, renderCache });
  const cpu = process.cpuUsage(cpuStart);
  console.log(
    `trained the default models into ${directory} in ${((performance.now() - start) / 1000).toFixed(1)} s ` +
      `(render ${trained.seconds.render.toFixed(1)} s, train ${trained.seconds.train.toFixed(1)} s; ` +
      `CPU ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s)`,
  );
}
const defaults = await loadDefaultRewards(directory);
const modelConfig = JSON.parse(readFileSync(join(directory, 'config.json'), 'utf8')) as {
  imageSize: number;
  training: { seed: number; pairs: number; renderSize: number };
};
const { seed: trainingSeed, pairs: trainingPairs, renderSize } = modelConfig.training;
const trainingCaptions = await distinctCaptions(trainingPairs, trainingSeed);
const renderOptions = { renderSize, imageSize: modelConfig.imageSize, cacheDirectory: renderCache };

// Held-out set: 500 captions outside the training set. Captions are canonical renderings of distinct scenes and the
// sketch renderer draws every word of them, so distinct captions are distinct images; pairs whose renders are
// byte-identical anyway would make retrieval ill-posed, so the first of each group is kept and the count reported.
const candidates = await distinctCaptions(540, 1000, new Set(trainingCaptions));
const rendered = await renderExamples(candidates, { seed: 50_000, ...renderOptions });
const seen = new Set<string>();
const examples: RenderedExample[] = [];
let duplicates = 0;
for (const example of rendered) {
  const hash = createHash('sha256').update(example.image.pixels).digest('hex');
  if (seen.has(hash)) duplicates++;
  else if (examples.length < 500) examples.push(example);
  seen.add(hash);
}
const heldOut = examples.map((example) => example.caption);

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
const confusions: string[] = [];
textEmbeddings.forEach((text, index) => {
  let best = 0;
  imageEmbeddings.forEach((image, candidate) => {
    if (dot(text, image) > dot(text, imageEmbeddings[best]!)) best = candidate;
  });
  if (best === index) hits++;
  else confusions.push(`    "${heldOut[index]}" -> image of "${heldOut[best]}"`);
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
console.log(`default image rewards (${directory}), ${heldOut.length} held-out rendered captions`);
console.log(`  byte-identical renders among the ${rendered.length} candidates: ${duplicates}`);
console.log(`  aesthetic + pickscore images/s (RGB in, preprocessing included): ${imageRate.toFixed(1)}`);
console.log(`  text->image top-1 retrieval among ${heldOut.length}: ${retrieval.toFixed(3)}`);
console.log(`  first confusions (caption -> image it ranked first):\n${confusions.slice(0, 8).join('\n')}`);
console.log(`  aesthetic head vs pixel measure, Spearman: ${aestheticSpearman.toFixed(3)}`);

// Distilled text reward: imitates the default aesthetic reward from the prompt alone. Labels: the aesthetic reward
// of the training captions' plain and beautified renders (the cached training renders); held out: the held-out
// captions and their beautified versions, rendered once.
const beautify = (captions: readonly string[], seed: string) => {
  const rng = createRng(seed);
  return captions.map((caption) => beautifyPrompt(caption, () => rng.next()));
};
const distilledTraining = trainingCaptions.slice(0, 3000);
const trainingPrompts = [
  ...distilledTraining,
  ...beautify(trainingCaptions, `${trainingSeed}:beautify`).slice(0, 3000),
];
const trainingRenders = [
  ...(await renderExamples(trainingCaptions, { seed: trainingSeed, ...renderOptions })).slice(0, 3000),
  ...(
    await renderExamples(beautify(trainingCaptions, `${trainingSeed}:beautify`), {
      seed: trainingSeed,
      ...renderOptions,
    })
  ).slice(0, 3000),
];
const aestheticOf = async (renders: readonly RenderedExample[]) =>
  (await defaults.encoder.embedImages(renders.map((example) => example.image))).map((embedding) =>
    defaults.predictor.predict(embedding),
  );
const trainingScores = await aestheticOf(trainingRenders);
const heldOutPrompts = [...heldOut, ...beautify(heldOut, 'bench:beautify')];
const heldOutRenders = [
  ...examples,
  ...(await renderExamples(heldOutPrompts.slice(heldOut.length), { seed: 60_000, ...renderOptions })),
];
const heldOutScores = await aestheticOf(heldOutRenders);
const distilledSpearman: Record<string, number> = {};
for (const architecture of ['causal-lm', 'word-window'] as const) {
  const start = performance.now();
  const distilled = await trainTextReward({
    data: trainingPrompts.map((prompt, index) => ({ prompt, score: trainingScores[index]! })),
    architecture,
  });
  const seconds = (performance.now() - start) / 1000;
  distilledSpearman[architecture] = spearman(await distilled.predict(heldOutPrompts), heldOutScores);
  console.log(
    `distilled aesthetic (${architecture}, 400 steps, trained in ${seconds.toFixed(0)} s) vs the image reward on ` +
      `${heldOutPrompts.length} held-out prompts, Spearman: ${distilledSpearman[architecture]!.toFixed(3)}`,
  );
  await distilled.dispose();
}
console.log(
  `ci_records_s=${median.toFixed(0)} img_s=${imageRate.toFixed(1)} retrieval_top1=${retrieval.toFixed(3)} ` +
    `aesthetic_spearman=${aestheticSpearman.toFixed(3)} ci_open_agree_tuning=${tuningAgreement.toFixed(4)} ` +
    `ci_open_agree_heldout=${heldOutAgreement.toFixed(4)}`,
);
