import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { vi } from 'vitest';

/** What a README's first TypeScript example printed, and what its `// prints:` comments say it prints. */
export interface ReadmeExampleRun {
  printed: string[];
  expected: string[];
}

/**
 * Runs the first ```ts block of a package's README against the package's source (its imports of `packageName`
 * point at `src/index.ts`), capturing console.log, so that a test can hold the README to what the code does.
 */
export async function runReadmeExample(packageRoot: string, packageName: string): Promise<ReadmeExampleRun> {
  const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
  const match = /```ts\n([\s\S]*?)```/.exec(readme);
  if (match === null) throw new Error(`${packageRoot}/README.md has no ts example`);
  const code = match[1]!.replaceAll(`from '${packageName}'`, "from './index'");
  const expected = [...code.matchAll(/\/\/ prints: (.*)$/gm)].map((found) => found[1]!);
  const file = join(packageRoot, 'src', '.readme-example.tmp.ts');
  writeFileSync(file, code);
  const printed: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...values: unknown[]) => {
    printed.push(values.map(String).join(' '));
  });
  try {
    await import(file);
  } finally {
    log.mockRestore();
    rmSync(file, { force: true });
  }
  return { printed, expected };
}
