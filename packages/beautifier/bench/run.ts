// The default beautifier on realistic prompts, then beautify throughput: `pnpm --filter @diffchat/beautifier bench`.
//   The default model is read from .cache/default-beautifier (or DEFAULT_BEAUTIFIER_DIR); when absent it is trained
//   there first with the default recipe (about 10 CPU-minutes).
// Quality on the 240 realistic prompts of fixtures/realistic-prompts.json (written outside the prompt world, most of
// their words unknown to it): keyword retention (content-integrity coverage of each prompt's keywords in its output),
// the share of outputs repeating a modifier and the share with broken attention-weight syntax, for the raw model
// outputs and for the default decoding (starting from the prompt, no repeated 3-gram, cleaned).
// Last line: open_retention=<n> open_dup_rate=<n> open_broken_rate=<n>
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keywordRetention } from '@diffchat/rewards';
import {
  type BeautifyOptions,
  beautify,
  DEFAULT_BEAUTIFY_OPTIONS,
  defaultBeautifierDirectory,
  hasBrokenWeightSyntax,
  loadBeautifier,
  repeatsModifier,
  trainDefaultBeautifier,
} from '../src/index';

const directory = process.env.DEFAULT_BEAUTIFIER_DIR ?? defaultBeautifierDirectory;
if (!existsSync(join(directory, 'config.json'))) {
  console.log(`no default beautifier in ${directory}; training it with the default recipe first`);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const trained = await trainDefaultBeautifier({ out: directory, resume: true });
  const used = process.cpuUsage(cpu);
  await trained.model.dispose();
  console.log(
    `trained in ${((performance.now() - started) / 1000).toFixed(0)} s wall, ` +
      `${((used.user + used.system) / 1e6).toFixed(0)} s CPU`,
  );
}

const prompts = JSON.parse(readFileSync(join('..', '..', 'fixtures', 'realistic-prompts.json'), 'utf8')) as string[];
const beautifier = await loadBeautifier(directory);

interface Figures {
  retention: number;
  duplicates: number;
  broken: number;
  outputs: string[];
  seconds: number;
}

async function measure(options: Omit<BeautifyOptions, 'model'>): Promise<Figures> {
  const started = performance.now();
  const results = await beautify(prompts, { model: beautifier, batchSize: 32, ...options });
  const seconds = (performance.now() - started) / 1000;
  const outputs = results.map((result) => result.beautiful);
  const retention = outputs.map((output, index) => (output === '' ? 0 : keywordRetention(prompts[index]!, output)));
  return {
    retention: retention.reduce((sum, value) => sum + value, 0) / outputs.length,
    duplicates: outputs.filter(repeatsModifier).length / outputs.length,
    broken: outputs.filter(hasBrokenWeightSyntax).length / outputs.length,
    outputs,
    seconds,
  };
}

const report = (name: string, figures: Figures) =>
  console.log(
    `${name}: retention ${figures.retention.toFixed(4)}, repeating a modifier ${(figures.duplicates * 100).toFixed(1)}%, ` +
      `broken weight syntax ${(figures.broken * 100).toFixed(1)}% (${prompts.length} prompts in ${figures.seconds.toFixed(1)} s)`,
  );

const raw = await measure({});
report('greedy, free completion', raw);
const uncleaned = await measure({
  ...DEFAULT_BEAUTIFY_OPTIONS,
  clean: false,
  sampler: { ...DEFAULT_BEAUTIFY_OPTIONS.sampler },
});
report('default decoding before cleaning', uncleaned);
const decoded = await measure({ ...DEFAULT_BEAUTIFY_OPTIONS, sampler: { ...DEFAULT_BEAUTIFY_OPTIONS.sampler } });
report('default decoding (start from the prompt, no repeated 3-gram, cleaned)', decoded);
for (const index of [0, 40, 80, 120, 160, 200]) {
  console.log(`  ${prompts[index]}\n    free:    ${raw.outputs[index]}\n    default: ${decoded.outputs[index]}`);
}

// Throughput of the default decoding, batch 1 against batch 32.
async function rate(batchSize: number, count: number): Promise<number> {
  const started = performance.now();
  await beautify(prompts.slice(0, count), {
    model: beautifier,
    batchSize,
    ...DEFAULT_BEAUTIFY_OPTIONS,
    sampler: { ...DEFAULT_BEAUTIFY_OPTIONS.sampler },
  });
  return count / ((performance.now() - started) / 1000);
}
const single = await rate(1, 16);
const batched = await rate(32, 64);
console.log(`beautify prompts/s: batch 1 ${single.toFixed(2)}, batch 32 ${batched.toFixed(2)}`);
await beautifier.model.dispose();
console.log(
  `open_retention=${decoded.retention.toFixed(4)} open_dup_rate=${decoded.duplicates.toFixed(4)} ` +
    `open_broken_rate=${decoded.broken.toFixed(4)}`,
);
