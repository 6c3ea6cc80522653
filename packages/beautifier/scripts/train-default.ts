// Trains the embedded default beautifier: `pnpm --filter @diffchat/beautifier train [flags]`.
//   --out <dir>        model folder (default .cache/default-beautifier); the runs go to <dir>.runs
//   --fresh            delete <dir>.runs and start over (by default an interrupted run is resumed)
//   --pairs <n>        training pairs (default 8000)    --seed <n>   seed of the pairs (default 0)
//   --steps <n>        fine-tuning steps (default 1500)  --pretrain-steps <n>  pre-training steps first (default 0)
//   --candidates <n>   rule-based beautifications drawn per simple prompt; the best by the pixel-level aesthetic
//                      measure is kept, and pairs whose best does not beat the simple prompt are dropped (default 3;
//                      1 trains on the plain pairs)
// Ctrl-C writes a checkpoint; running the command again continues from it.
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  DEFAULT_BEAUTIFIER_RECIPE,
  DEFAULT_BEAUTIFIER_TRAINING,
  defaultBeautifierDirectory,
  trainDefaultBeautifier,
} from '../src/index';
import { curateDefaultPairs } from './curated-pairs';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: defaultBeautifierDirectory },
    fresh: { type: 'boolean', default: false },
    pairs: { type: 'string', default: String(DEFAULT_BEAUTIFIER_RECIPE.pairs) },
    seed: { type: 'string', default: String(DEFAULT_BEAUTIFIER_RECIPE.seed) },
    steps: { type: 'string', default: String(DEFAULT_BEAUTIFIER_TRAINING.maxSteps) },
    'pretrain-steps': { type: 'string', default: '0' },
    candidates: { type: 'string', default: String(DEFAULT_BEAUTIFIER_RECIPE.candidates) },
  },
});
const integer = (flag: keyof typeof values) => {
  const value = Number(values[flag]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${flag} must be an integer >= 0, got ${values[flag]}`);
  return value;
};
const out = values.out;
if (values.fresh) await rm(`${out}.runs`, { recursive: true, force: true });

const started = performance.now();
const cpuStarted = process.cpuUsage();
const pretrainSteps = integer('pretrain-steps');
const recipe = {
  ...DEFAULT_BEAUTIFIER_RECIPE,
  pairs: integer('pairs'),
  seed: integer('seed'),
  candidates: Math.max(1, integer('candidates')),
};
const curated =
  recipe.candidates > 1
    ? await curateDefaultPairs({
        count: recipe.pairs,
        seed: recipe.seed,
        candidates: recipe.candidates,
        dropLosers: true,
        vocabulary: recipe.vocabulary,
        layout: recipe.layout,
      })
    : undefined;
if (curated) {
  console.log(
    `curated ${curated.pairs.length} pairs (best of ${recipe.candidates}; ${curated.dropped} dropped) in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
}
const result = await trainDefaultBeautifier({
  out,
  resume: true,
  recipe,
  ...(curated ? { pairs: curated.pairs } : {}),
  training: { maxSteps: integer('steps') },
  ...(pretrainSteps > 0
    ? { pretrain: { ...DEFAULT_BEAUTIFIER_TRAINING, maxSteps: pretrainSteps, evalEvery: 0, evalFraction: 0 } }
    : {}),
});
const cpu = process.cpuUsage(cpuStarted);
const seconds = (performance.now() - started) / 1000;
if (result.out === undefined) {
  console.log(`interrupted after ${seconds.toFixed(0)} s; run the command again to continue`);
} else {
  console.log(
    `wrote ${result.out} (${result.pairs} pairs, ${result.sft?.steps} steps, last loss ${result.sft?.lastLoss.toFixed(4)}, ` +
      `best eval loss ${result.sft?.bestEvalLoss.toFixed(4)}) in ${seconds.toFixed(0)} s wall, ` +
      `${((cpu.user + cpu.system) / 1e6).toFixed(0)} s CPU`,
  );
}
await result.model.dispose();
