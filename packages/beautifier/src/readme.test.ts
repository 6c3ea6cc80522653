import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runReadmeExample } from '../../../readme-example';

const packageRoot = join(__dirname, '..');
const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** Runs the README's example with a fresh folder as working directory (its `runs/my-beautifier` is relative). */
async function runInFreshFolder() {
  const folder = mkdtempSync(join(tmpdir(), 'beautifier-readme-'));
  folders.push(folder);
  const { logged } = await runReadmeExample(packageRoot, '@diffchat/beautifier', { section: 'Example', cwd: folder });
  return { logged, folder };
}

describe('README example', () => {
  it('trains the toy, writes its model folder and prints one greedy and four sampled outputs, the same twice', async () => {
    const first = await runInFreshFolder();
    for (const file of [
      'config.json',
      'tokenizer.json',
      'model.safetensors',
      'generation_config.json',
      'template.json',
    ]) {
      expect(existsSync(join(first.folder, 'runs', 'my-beautifier', 'model', file))).toBe(true);
    }
    // A 50-step toy writes gibberish, so only the shape is fixed: (text, log-probability) for the greedy output, then
    // for each of the n = 4 samples; a log-probability of generated tokens is finite and at most 0.
    expect(first.logged).toHaveLength(1 + 4);
    for (const [text, logProb] of first.logged) {
      expect(typeof text).toBe('string');
      expect(Number.isFinite(logProb)).toBe(true);
      expect(logProb as number).toBeLessThanOrEqual(0);
    }

    // Seeded pairs, weights, data order and sampling: a second run in a fresh folder repeats the first.
    const second = await runInFreshFolder();
    expect(second.logged).toEqual(first.logged);
  });
});
