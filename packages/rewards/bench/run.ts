// Content-integrity throughput on one core: `pnpm --filter @diffchat/rewards bench`.
// Records mimic PPO scoring: each (source, instruction) pair is scored against many distinct targets, so the
// analysis of sources and instructions is cached while every target is analysed afresh.
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
console.log(`ci_records_s=${median.toFixed(0)} img_s=NA retrieval_top1=NA aesthetic_spearman=NA`);
