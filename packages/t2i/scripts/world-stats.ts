/**
 * Prints, as Markdown, the distribution of lengths and modifiers of the prompt world's generated records over a
 * seed range (default seeds 0..9,999): the table in packages/world/README.md comes from this.
 * Run: pnpm --filter @diffchat/t2i exec tsx scripts/world-stats.ts [--seeds 10000]
 */
import { createRng } from '@diffchat/core';
import {
  beautifyPrompt,
  generateSimplePrompt,
  generateTriplet,
  parsePrompt,
  type Scene,
  tokenize,
} from '@diffchat/world';

const flag = process.argv.indexOf('--seeds');
const seedCount = flag >= 0 ? Number(process.argv[flag + 1]) : 10_000;
if (!Number.isSafeInteger(seedCount) || seedCount <= 0) throw new Error(`--seeds: expected a positive integer`);

function randomOf(seed: number, role: string): () => number {
  const rng = createRng(seed).fork(role);
  return () => rng.next();
}

function summary(values: number[]): string {
  const sorted = [...values].sort((left, right) => left - right);
  const at = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return `${sorted[0]} | ${at(0.1)} | ${at(0.5)} | ${mean.toFixed(1)} | ${at(0.9)} | ${sorted[sorted.length - 1]}`;
}

function percent(count: number, total: number): string {
  return `${((100 * count) / total).toFixed(1)}%`;
}

const simple: string[] = [];
const beautiful: string[] = [];
const triplets: ReturnType<typeof generateTriplet>[] = [];
for (let seed = 0; seed < seedCount; seed++) {
  const prompt = generateSimplePrompt(randomOf(seed, 'simple'));
  simple.push(prompt);
  beautiful.push(beautifyPrompt(prompt, randomOf(seed, 'beautify')));
  triplets.push(generateTriplet(randomOf(seed, 'triplet')));
}

const words = (text: string) => tokenize(text).length;
const lines: string[] = [];
lines.push(`Seeds 0..${seedCount - 1}, one record of each kind per seed.`, '');
lines.push(
  '| words per prompt | min | p10 | median | mean | p90 | max |',
  '| --- | --- | --- | --- | --- | --- | --- |',
);
lines.push(`| simple prompt | ${summary(simple.map(words))} |`);
lines.push(`| beautified prompt | ${summary(beautiful.map(words))} |`);
lines.push(`| edit instruction | ${summary(triplets.map((triplet) => words(triplet.edit)))} |`);
lines.push(`| triplet input | ${summary(triplets.map((triplet) => words(triplet.input)))} |`, '');

const scenes: Scene[] = simple.map((prompt) => parsePrompt(prompt).scene);
const subjects = scenes.flatMap((scene) => scene.subjects);
lines.push('| simple prompts with | share |', '| --- | --- |');
for (const size of [1, 2, 3]) {
  lines.push(
    `| ${size} subject(s) | ${percent(scenes.filter((scene) => scene.subjects.length === size).length, scenes.length)} |`,
  );
}
lines.push(
  `| a count above one (per subject) | ${percent(subjects.filter((subject) => subject.count > 1).length, subjects.length)} |`,
);
lines.push(
  `| a colour (per subject) | ${percent(subjects.filter((subject) => subject.colour).length, subjects.length)} |`,
);
lines.push(
  `| a material (per subject) | ${percent(subjects.filter((subject) => subject.material).length, subjects.length)} |`,
);
lines.push(
  `| an attribute (per subject) | ${percent(subjects.filter((subject) => subject.attributes.length > 0).length, subjects.length)} |`,
);
for (const field of ['background', 'time', 'weather', 'season', 'style'] as const) {
  lines.push(`| ${field} | ${percent(scenes.filter((scene) => scene[field] !== undefined).length, scenes.length)} |`);
}
lines.push('');

const beautifiedScenes = beautiful.map((prompt) => parsePrompt(prompt).scene);
const modifierCounts = beautifiedScenes.map((scene) => scene.quality.length);
lines.push(
  `Beautified prompts: quality modifiers per prompt ${summary(modifierCounts).replaceAll(' | ', ' / ')} (min / p10 / median / mean / p90 / max); `,
);
lines.push(
  `${percent(beautifiedScenes.filter((scene) => scene.style).length, beautifiedScenes.length)} carry a style.`,
  '',
);
const frequency = new Map<string, number>();
for (const scene of beautifiedScenes)
  for (const quality of scene.quality) frequency.set(quality, (frequency.get(quality) ?? 0) + 1);
lines.push('| modifier | share of beautified prompts |', '| --- | --- |');
for (const [quality, count] of [...frequency].sort((left, right) => right[1] - left[1])) {
  lines.push(`| ${quality} | ${percent(count, beautiful.length)} |`);
}
lines.push('');
const types = new Map<string, number>();
for (const triplet of triplets)
  types.set(triplet.meta.operation.type, (types.get(triplet.meta.operation.type) ?? 0) + 1);
lines.push('| edit operation | share of triplets |', '| --- | --- |');
for (const [type, count] of [...types].sort((left, right) => right[1] - left[1])) {
  lines.push(`| ${type} | ${percent(count, triplets.length)} |`);
}
lines.push(
  '',
  `Distinct: ${new Set(simple).size} simple prompts, ${new Set(beautiful).size} beautified prompts, ${new Set(triplets.map((triplet) => JSON.stringify([triplet.input, triplet.edit, triplet.output]))).size} triplets.`,
);
console.log(lines.join('\n'));
