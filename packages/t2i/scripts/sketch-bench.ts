/**
 * Sketch renderer throughput at 256x256 on one thread, over a fixed mix of simple and beautified prompts.
 * Prints wall-clock and process-CPU rates; the last line is `sketch_img_s=<n>` (wall clock), for bench/run.ts.
 * Run: pnpm --filter @diffchat/t2i exec tsx scripts/sketch-bench.ts [--renders 300]
 */
import { createRng } from '@diffchat/core';
import { beautifyPrompt, generateSimplePrompt } from '@diffchat/world';
import { renderSketch } from '../src/sketch/index';

const flag = process.argv.indexOf('--renders');
const renders = flag >= 0 ? Number(process.argv[flag + 1]) : 300;
if (!Number.isSafeInteger(renders) || renders <= 0) throw new Error('--renders: expected a positive integer');

const prompts: string[] = [];
for (let seed = 0; seed < renders; seed++) {
  const rng = createRng(seed).fork('sketch-bench');
  const random = () => rng.next();
  const simple = generateSimplePrompt(random);
  prompts.push(seed % 2 === 0 ? simple : beautifyPrompt(simple, random));
}
for (const prompt of prompts.slice(0, 20)) renderSketch(prompt);

const cpuBefore = process.cpuUsage();
const started = performance.now();
for (const [seed, prompt] of prompts.entries()) renderSketch(prompt, { seed });
const wallSeconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;

console.log(`sketch renders: ${renders} at 256x256 (half simple, half beautified prompts)`);
console.log(
  `wall clock: ${((wallSeconds * 1000) / renders).toFixed(2)} ms per image, ${(renders / wallSeconds).toFixed(1)} images/s`,
);
console.log(
  `process CPU: ${((cpuSeconds * 1000) / renders).toFixed(2)} ms per image, ${(renders / cpuSeconds).toFixed(1)} images per CPU-second`,
);
console.log(`sketch_img_s=${(renders / wallSeconds).toFixed(1)}`);
