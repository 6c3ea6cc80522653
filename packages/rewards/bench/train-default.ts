// Trains the embedded default reward models: `pnpm --filter @diffchat/rewards train-default [outDir]`.
// Environment: DEFAULT_REWARDS_SEED, DEFAULT_REWARDS_PAIRS, DEFAULT_REWARDS_STEPS override the defaults.
import { defaultRewardsDirectory, trainDefaultRewards } from '../src/defaults/index';

const outDir = process.argv[2] ?? defaultRewardsDirectory;
const number = (name: string) => (process.env[name] === undefined ? undefined : Number(process.env[name]));
const start = performance.now();
const result = await trainDefaultRewards({
  outDir,
  seed: number('DEFAULT_REWARDS_SEED'),
  pairs: number('DEFAULT_REWARDS_PAIRS'),
  steps: number('DEFAULT_REWARDS_STEPS'),
  onProgress: ({ step, steps, loss, contrastive }) =>
    console.log(`step ${step}/${steps}: loss ${loss.toFixed(4)} (contrastive ${contrastive.toFixed(4)})`),
});
console.log(
  `wrote ${result.directory} in ${((performance.now() - start) / 1000).toFixed(1)} s ` +
    `(render ${result.seconds.render.toFixed(1)} s, train ${result.seconds.train.toFixed(1)} s)`,
);
