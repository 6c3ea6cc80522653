import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReadmeExample } from '../../../readme-example';

const packageRoot = join(__dirname, '..');

/** The stdout lines of the README's "It prints something like this" block, as patterns (temp folders vary). */
function documentedOutput(): RegExp[] {
  const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
  const block = /It prints something like this[^\n]*\n\n```\n([\s\S]*?)```/.exec(readme);
  if (block === null) throw new Error('README.md: no "It prints something like this" block');
  return block[1]!
    .trim()
    .split('\n')
    .filter((line) => !line.startsWith('write:')) // progress goes to stderr
    .map((line) => {
      const escaped = line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replaceAll('/tmp/diffchat-XXXX', '.*diffchat-[^/]+');
      return new RegExp(`^${escaped}$`);
    });
}

describe('README example', () => {
  it('prints what the README shows and writes the shuffled valid records into a completed run folder', async () => {
    const { printed } = await runReadmeExample(packageRoot, '@diffchat/core');
    const patterns = documentedOutput();
    expect(printed).toHaveLength(patterns.length);
    for (const [index, line] of printed.entries()) expect(line).toMatch(patterns[index]!);

    const runFolder = printed[1]!.replace('run folder: ', '');
    try {
      const written = readFileSync(join(runFolder, 'shuffled.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { input: string });
      // The two valid lines of the input, in some order; the one whose edit is a number is not among them.
      expect(written.map((record) => record.input).sort()).toEqual(['a cat on a sofa', 'a harbour']);
      expect(existsSync(join(runFolder, 'manifest.json'))).toBe(true);
      expect(readFileSync(join(runFolder, 'metrics.jsonl'), 'utf8')).toContain('"written":2');
    } finally {
      rmSync(dirname(dirname(runFolder)), { recursive: true, force: true });
    }
  });
});
