/**
 * Throughput of the core pieces that sit on hot paths: JSONL reading (validated) and writing,
 * file hashing, and the seeded RNG. Run: `pnpm --filter @diffchat/core bench`.
 * Last line: `jsonl_read_records_per_s=<n> rng_next_per_s=<n>`.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRng, JsonlWriter, readJsonl, sha256File, tripletSchema } from '../src/index';

const records = 200_000;
const directory = mkdtempSync(join(tmpdir(), 'diffchat-core-bench-'));

function report(name: string, count: number, seconds: number, unit: string): number {
  const rate = count / seconds;
  console.log(
    `${name.padEnd(44)} ${rate.toExponential(3).padStart(10)} ${unit}/s  (${(seconds * 1000).toFixed(0)} ms)`,
  );
  return rate;
}

async function time(run: () => Promise<void> | void): Promise<number> {
  const start = performance.now();
  await run();
  return (performance.now() - start) / 1000;
}

try {
  const path = join(directory, 'triplets.jsonl');
  const rng = createRng('bench');
  const words = ['a cat', 'a red house', 'mountains at dawn', 'a city street', 'an old ship', 'a forest'];
  const edits = ['make it night', 'add snow', 'turn it into a watercolor', 'add a dog'];
  const lines: string[] = [];
  for (let index = 0; index < records; index++) {
    const input = `${rng.choice(words)}, photo ${index}`;
    const edit = rng.choice(edits);
    lines.push(JSON.stringify({ input, edit, output: `${input}, ${edit}` }));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  const megabytes = statSync(path).size / 2 ** 20;
  console.log(`file: ${records} triplets, ${megabytes.toFixed(1)} MiB`);

  const baselineSeconds = await time(() => {
    let count = 0;
    for (const line of readFileSync(path, 'utf8').split('\n')) if (line !== '') count += JSON.parse(line) ? 1 : 0;
    if (count !== records) throw new Error('baseline miscounted');
  });
  report('baseline: readFile + split + JSON.parse', records, baselineSeconds, 'records');

  let readCount = 0;
  const readSeconds = await time(async () => {
    for await (const _triplet of readJsonl(path, tripletSchema)) readCount++;
  });
  if (readCount !== records) throw new Error('reader miscounted');
  const readRate = report('readJsonl + triplet schema (streaming)', records, readSeconds, 'records');
  report('readJsonl bytes', megabytes, readSeconds, 'MiB');

  const writePath = join(directory, 'written.jsonl');
  const writeCount = 20_000;
  const writeSeconds = await time(async () => {
    const writer = await JsonlWriter.open(writePath, { schema: tripletSchema });
    for (let index = 0; index < writeCount; index++) {
      await writer.write({ input: `a cat ${index}`, edit: 'make it night', output: `a cat ${index} at night` });
    }
    await writer.close();
  });
  report('JsonlWriter.write (validated, awaited)', writeCount, writeSeconds, 'records');
  const batchedPath = join(directory, 'batched.jsonl');
  const batchedSeconds = await time(async () => {
    const writer = await JsonlWriter.open(batchedPath, { schema: tripletSchema });
    await writer.writeAll(
      (function* () {
        for (let index = 0; index < records; index++) {
          yield { input: `a cat ${index}`, edit: 'make it night', output: `a cat ${index} at night` };
        }
      })(),
    );
    await writer.close();
  });
  report('JsonlWriter.writeAll (validated, 1 MiB batches)', records, batchedSeconds, 'records');

  const hashSeconds = await time(async () => {
    await sha256File(path);
  });
  report('sha256File', megabytes, hashSeconds, 'MiB');

  const draws = 5_000_000;
  let sink = 0;
  const mathRandomSeconds = await time(() => {
    for (let index = 0; index < draws; index++) sink += Math.random();
  });
  report('baseline: Math.random', draws, mathRandomSeconds, 'draws');
  const nextRng = createRng(1);
  const nextSeconds = await time(() => {
    for (let index = 0; index < draws; index++) sink += nextRng.next();
  });
  const nextRate = report('rng.next', draws, nextSeconds, 'draws');
  const normalRng = createRng(2);
  const normalSeconds = await time(() => {
    for (let index = 0; index < draws; index++) sink += normalRng.normal();
  });
  report('rng.normal', draws, normalSeconds, 'draws');
  const intRng = createRng(3);
  const intSeconds = await time(() => {
    for (let index = 0; index < draws; index++) sink += intRng.int(0, 50_256);
  });
  report('rng.int(0, 50256)', draws, intSeconds, 'draws');
  if (Number.isNaN(sink)) console.log('unreachable');

  console.log(`jsonl_read_records_per_s=${Math.round(readRate)} rng_next_per_s=${Math.round(nextRate)}`);
} finally {
  rmSync(directory, { recursive: true, force: true });
}
