// Quality of a beautifier on the embedded default: `pnpm --filter @diffchat/beautifier quality [flags]`.
//   --model <dir>     beautifier folder (default .cache/default-beautifier)
//   --rewards <dir>   default reward models (default .cache/default-rewards, else ../rewards/.cache/default-rewards;
//                     trained into .cache/default-rewards when neither exists, about 10 minutes)
//   --count <n>       held-out simple prompts (default 500)
//   --repetition-penalty <x>  decode greedily with this penalty (default: the model's generation_config.json)
//   --free            let the model write the whole prompt (default for a source-first recipe: DEFAULT_BEAUTIFY_OPTIONS,
//                     which starts from the simple prompt)
//   --reference       score the prompt world's rule-based beautifier instead of the model (the training targets)
// Held-out prompts are drawn from their own seed and exclude every training prompt named in the model folder's
// default-beautifier.json. Last line: keyword_retention=<n> aesthetic_win_rate=<n>
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRng } from '@diffchat/core';
import { keywordRetention, type RewardRecord } from '@diffchat/rewards';
import { defaultRewardsDirectory, loadDefaultRewards, trainDefaultRewards } from '@diffchat/rewards/defaults';
import { renderSketch } from '@diffchat/t2i';
import {
  beautify,
  DEFAULT_BEAUTIFIER_RECIPE,
  DEFAULT_BEAUTIFY_OPTIONS,
  type DefaultRecipe,
  defaultBeautifierDirectory,
  dressPrompt,
  heldOutPrompts,
  loadBeautifier,
  RECIPE_FILE,
  readRecipe,
} from '../src/index';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: defaultBeautifierDirectory },
    rewards: { type: 'string' },
    count: { type: 'string', default: '500' },
    reference: { type: 'boolean', default: false },
    'repetition-penalty': { type: 'string' },
    free: { type: 'boolean', default: false },
  },
});
const count = Number(values.count);
if (!Number.isInteger(count) || count < 1) throw new Error(`--count must be an integer >= 1, got ${values.count}`);

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
async function rewardsDirectory(): Promise<string> {
  if (values.rewards !== undefined) return values.rewards;
  for (const candidate of [defaultRewardsDirectory, join('..', 'rewards', defaultRewardsDirectory)]) {
    if (await exists(join(candidate, 'config.json'))) return candidate;
  }
  console.error(`no default reward models found; training them into ${defaultRewardsDirectory} first`);
  await trainDefaultRewards({ outDir: defaultRewardsDirectory });
  return defaultRewardsDirectory;
}

const started = performance.now();
async function recipeOf(): Promise<DefaultRecipe> {
  if (values.reference) return DEFAULT_BEAUTIFIER_RECIPE;
  if (await exists(join(values.model, RECIPE_FILE))) return readRecipe(values.model);
  // A checkpoint folder of the default run has no recipe file; its data is the default recipe's.
  console.error(`${values.model} has no ${RECIPE_FILE}; holding out prompts from the default recipe`);
  return DEFAULT_BEAUTIFIER_RECIPE;
}
const recipe = await recipeOf();
const prompts = heldOutPrompts(count, recipe);

// 1. Beautify the held-out prompts (greedy), or dress them with the rule-based beautifier.
let outputs: string[];
if (values.reference) {
  const rng = createRng('reference');
  outputs = prompts.map((prompt) => dressPrompt(prompt, () => rng.next(), recipe.layout));
} else {
  const beautifier = await loadBeautifier(values.model);
  const penalty = values['repetition-penalty'];
  const decoding = recipe.layout === 'source-first' && !values.free ? DEFAULT_BEAUTIFY_OPTIONS : {};
  const results = await beautify(prompts, {
    model: beautifier,
    batchSize: 50,
    ...decoding,
    ...(penalty === undefined
      ? {}
      : { sampler: { ...DEFAULT_BEAUTIFY_OPTIONS.sampler, repetitionPenalty: Number(penalty) } }),
  });
  outputs = results.map((result) => result.beautiful);
  await beautifier.model.dispose();
}
const beautified = performance.now();

// 2. Keyword retention: content-integrity coverage of each simple prompt's keywords in its output.
const retention = prompts.map((prompt, index) =>
  outputs[index]!.trim() === '' ? 0 : keywordRetention(prompt, outputs[index]!),
);

// 3. Aesthetic reward of the rendered output against the rendered simple prompt (same size and seed).
const { rewards } = await loadDefaultRewards(await rewardsDirectory());
const record = (prompt: string, target: string, seed: number): RewardRecord => ({
  source: prompt,
  instruction: '',
  target: target.trim() === '' ? prompt : target,
  images: [{ png: renderSketch(target.trim() === '' ? prompt : target, { width: 64, height: 64, seed }).png }],
});
const plain = await rewards.aesthetic.score(prompts.map((prompt, index) => record(prompt, prompt, index)));
const dressed = await rewards.aesthetic.score(prompts.map((prompt, index) => record(prompt, outputs[index]!, index)));
const wins = dressed.filter((result, index) => result.value > plain[index]!.value).length;

const mean = (list: readonly number[]) => list.reduce((sum, value) => sum + value, 0) / list.length;
for (let index = 0; index < Math.min(5, prompts.length); index++) {
  console.log(`${prompts[index]}\n  -> ${outputs[index]}`);
}
console.log(
  `${values.reference ? 'rule-based reference' : values.model}: ${count} held-out prompts, ` +
    `beautify ${((beautified - started) / 1000).toFixed(1)} s, total ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
    `mean aesthetic ${mean(plain.map((result) => result.value)).toFixed(3)} -> ${mean(dressed.map((result) => result.value)).toFixed(3)}; ` +
    `perfect retention on ${retention.filter((value) => value === 1).length}`,
);
console.log(`keyword_retention=${mean(retention).toFixed(4)} aesthetic_win_rate=${(wins / count).toFixed(4)}`);
