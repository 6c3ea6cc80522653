// Safetensors loading benchmark: tsx bench/load-safetensors.ts (also run by bench/run.ts).
// Writes a sparse safetensors file just over 2 GiB (one float32 tensor, zeros but for a few known values), loads it
// with readSafetensorsFile in a child process, and prints the child's peak resident memory. The weights alone take
// about 2150 MB, so a figure near that plus Node's baseline means the file was never held twice.
import { execFile } from 'node:child_process';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readSafetensorsFile } from '@diffchat/autodiff';

const ELEMENTS = Math.floor((2.1 * 2 ** 30) / 4);
/** Element index -> value written into the zero tensor, the last one past the 2 GiB mark. */
const KNOWN_VALUES: [number, number][] = [
  [0, 1.5],
  [12_345_678, -2.25],
  [ELEMENTS - 1, 4096],
];
const CHILD_FLAG = '--load-safetensors-child';

/** Writes the header, extends the file to full length (a hole, no disk blocks), then the few non-zero values. */
async function writeSparseCheckpoint(path: string): Promise<number> {
  const json = JSON.stringify({ weight: { dtype: 'F32', shape: [ELEMENTS], data_offsets: [0, ELEMENTS * 4] } });
  const header = Buffer.alloc(8 + json.length);
  header.writeBigUInt64LE(BigInt(json.length), 0);
  header.write(json, 8, 'latin1');
  const handle = await open(path, 'w');
  try {
    await handle.write(header, 0, header.length, 0);
    await handle.truncate(header.length + ELEMENTS * 4);
    for (const [index, value] of KNOWN_VALUES) {
      const bytes = Buffer.alloc(4);
      bytes.writeFloatLE(value, 0);
      await handle.write(bytes, 0, 4, header.length + index * 4);
    }
    return (await handle.stat()).size;
  } finally {
    await handle.close();
  }
}

/** Child side: load everything, check the known values, report peak RSS in KB. */
async function loadInChild(path: string): Promise<void> {
  const { tensors } = await readSafetensorsFile(path);
  const data = tensors.get('weight')?.data;
  const correct = data !== undefined && KNOWN_VALUES.every(([index, value]) => data[index] === value);
  process.stdout.write(JSON.stringify({ correct, maxRssKilobytes: process.resourceUsage().maxRSS }));
}

/** Runs the benchmark and returns its summary line, `load_2gib_peak_rss_mb=<n>`. */
export async function runLoadSafetensorsBenchmark(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'load-safetensors-bench-'));
  try {
    const path = join(directory, 'model.safetensors');
    const size = await writeSparseCheckpoint(path);
    const started = performance.now();
    // tsx's loader flags are in execArgv, so the child runs this same TypeScript file
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), CHILD_FLAG, path],
      { maxBuffer: 1 << 20 },
    );
    const seconds = (performance.now() - started) / 1000;
    const { correct, maxRssKilobytes } = JSON.parse(stdout) as { correct: boolean; maxRssKilobytes: number };
    if (!correct) throw new Error(`load-safetensors: the known values did not read back from ${path}`);
    const weightsMegabytes = (ELEMENTS * 4) / 2 ** 20;
    console.log(
      `load_2gib: file ${(size / 2 ** 30).toFixed(2)} GiB, weights ${Math.round(weightsMegabytes)} MB, loaded in ${seconds.toFixed(2)} s`,
    );
    return `load_2gib_peak_rss_mb=${Math.round(maxRssKilobytes / 1024)}`;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

if (process.argv[2] === CHILD_FLAG) {
  await loadInChild(process.argv[3]!);
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(await runLoadSafetensorsBenchmark());
}
