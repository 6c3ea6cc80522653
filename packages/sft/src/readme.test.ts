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

/** Runs the README's example with a fresh folder as working directory (its `runs/sft-demo` is relative). */
async function runInFreshFolder() {
  const folder = mkdtempSync(join(tmpdir(), 'sft-readme-'));
  folders.push(folder);
  const { logged } = await runReadmeExample(packageRoot, '@diffchat/sft', { section: 'Example', cwd: folder });
  return { logged, folder };
}

describe('README example', () => {
  it('fits the two pairs: the loss ends below 0.01 and the model writes the trained completion', async () => {
    const first = await runInFreshFolder();
    expect(first.logged).toHaveLength(2);
    const [stopReason, lastLoss, outputPath] = first.logged[0] as [string, number, string];
    expect(stopReason).toBe('completed');
    expect(lastLoss).toBeGreaterThanOrEqual(0);
    expect(lastLoss).toBeLessThan(0.01);
    expect(outputPath).toBe(join('runs', 'sft-demo', 'model'));
    for (const file of ['config.json', 'tokenizer.json', 'model.safetensors']) {
      expect(existsSync(join(first.folder, outputPath, file))).toBe(true);
    }
    // The completion of the first pair, as the template renders it (a space, then the beautiful prompt).
    expect(first.logged[1]).toEqual([' a calm cat, oil painting, highly detailed']);

    // Seeded data order and weights: a second run in a fresh folder repeats the first.
    const second = await runInFreshFolder();
    expect(second.logged).toEqual(first.logged);
  });
});
