/**
 * Throughput of the prompt world: curated and open simple prompts, open triplets, and the rewriter on the
 * realistic prompts fixture. Run: pnpm --filter @diffchat/world bench
 */
import { readFileSync } from 'node:fs';
import { createRng } from '@diffchat/core';
import { generateSimplePrompt, generateTriplet, openPools, rewriteWithInstruction } from '../src/index';

function random(seed: number): () => number {
  const rng = createRng(seed);
  return () => rng.next();
}

function rate(label: string, count: number, run: (index: number) => unknown): number {
  const start = performance.now();
  for (let index = 0; index < count; index++) run(index);
  const perSecond = count / ((performance.now() - start) / 1000);
  console.log(`  ${label}: ${perSecond.toFixed(0)}/s`);
  return perSecond;
}

const buildStart = performance.now();
openPools();
console.log(`open vocabulary built in ${((performance.now() - buildStart) / 1000).toFixed(2)} s`);
rate('curated simple prompts', 5000, (seed) => generateSimplePrompt(random(seed)));
const openSimple = rate('open simple prompts', 5000, (seed) =>
  generateSimplePrompt(random(seed), { vocabulary: 'open' }),
);
const openTriplets = rate('open triplets', 2000, (seed) => generateTriplet(random(seed), { vocabulary: 'open' }));
const prompts: string[] = JSON.parse(
  readFileSync(new URL('../../../fixtures/realistic-prompts.json', import.meta.url), 'utf8'),
);
const rewrites = rate('rewrites of realistic prompts', prompts.length * 4, (index) =>
  rewriteWithInstruction(
    prompts[index % prompts.length]!,
    ['make it night', 'add a red scarf', 'make it a dog', 'in the style of cubism'][index % 4]!,
  ),
);
console.log(
  `open_simple_prompts_per_s=${openSimple.toFixed(0)} open_triplets_per_s=${openTriplets.toFixed(0)} rewrites_per_s=${rewrites.toFixed(0)}`,
);
