// Absurd config.json benchmark (run from bench/run.ts): how long loadModelDirectory takes to refuse a config
// with absurd sizes beside real weights. Before the limits, such a config ran for minutes and then aborted.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModelDirectory, ModelFormatError } from '../src/index';
import { saveTinyModel } from '../src/testing/index';

const ABSURD_FIELDS = {
  n_layer: 100_000_000,
  vocab_size: 1e12,
  n_embd: 1e9,
  // Within every limit, but 12 x 1024 x 65536^2 parameters: refused by the memory check.
  memory: { n_layer: 1024, n_embd: 65536, n_head: 1, vocab_size: 2 ** 24 },
} as const;

/** Times the refusal of each absurd config; returns the summary line (`absurd_config_max_ms=...`). */
export async function runConfigLimitsBenchmark(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'lm-config-limits-'));
  try {
    await saveTinyModel(directory);
    const configPath = join(directory, 'config.json');
    const config = JSON.parse(await readFile(configPath, 'utf8'));
    let slowest = 0;
    for (const [label, change] of Object.entries(ABSURD_FIELDS)) {
      const fields = typeof change === 'number' ? { [label]: change } : change;
      await writeFile(configPath, JSON.stringify({ ...config, ...fields }));
      const start = performance.now();
      const outcome = await loadModelDirectory(directory).then(
        () => 'loaded (unexpected)',
        (error: unknown) => (error instanceof ModelFormatError ? `ModelFormatError ${error.field ?? ''}` : `${error}`),
      );
      const milliseconds = performance.now() - start;
      slowest = Math.max(slowest, milliseconds);
      console.log(`absurd config (${label}): ${outcome.trim()} in ${milliseconds.toFixed(1)} ms`);
    }
    return `absurd_config_max_ms=${slowest.toFixed(1)}`;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
