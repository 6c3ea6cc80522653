import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const packageRoot = join(__dirname, '..');
const exampleFile = join(__dirname, '.readme-example.tmp.ts');

/** The first TypeScript block of the README, importing this package from source. */
function readmeExample(): string {
  const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
  const match = /```ts\n([\s\S]*?)```/.exec(readme);
  if (match === null) throw new Error('README.md has no ts example');
  return match[1]!.replace("from '@diffchat/world'", "from './index'");
}

afterAll(() => rmSync(exampleFile, { force: true }));

describe('README example', () => {
  it('runs and prints what its comments say', async () => {
    const code = readmeExample();
    const expected = [...code.matchAll(/\/\/ prints: (.*)$/gm)].map((match) => match[1]);
    writeFileSync(exampleFile, code);
    const printed: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...values: unknown[]) => {
      printed.push(values.map(String).join(' '));
    });
    try {
      await import(exampleFile);
    } finally {
      log.mockRestore();
    }
    expect(printed).toEqual(expected);
  });
});
