import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { vi } from 'vitest';

/** What a README's example printed (as console.log writes it), and what its `// prints:` comments say it prints. */
export interface ReadmeExampleRun {
  printed: string[];
  expected: string[];
  /** The arguments of every console.log call, as they were passed. */
  logged: unknown[][];
  /** The code that ran, after its imports of the package were pointed at the source. */
  code: string;
  /** The working directory it ran in (already removed when `cwd` was `'temp'`). */
  directory: string;
}

/** Which README block to run and where. */
export interface ReadmeExampleOptions {
  /**
   * The Markdown file, when not the package's README.md: another package's README whose example needs this package
   * (its imports of that package then come from that package's build).
   */
  readme?: string;
  /**
   * Take the blocks under this heading (its text without the leading `#`s, e.g. `'Example'`), up to the next heading
   * of the same or a higher level; by default the whole README.
   */
  section?: string;
  /** Which ```ts / ```js block of the section to run (0-based), or `'all'` to run them joined in order. Default 0. */
  block?: number | 'all';
  /**
   * The working directory to run in: a path, or `'temp'` for a fresh temporary folder (removed afterwards), so that
   * relative output folders start empty and the example can run twice. Default: the current working directory.
   */
  cwd?: string;
}

let runs = 0;

const codeBlockPattern = /^```(ts|js)\n([\s\S]*?)^```$/gm;

/** The ```ts and ```js blocks of `markdown`, or of the section under `heading`. */
function codeBlocks(markdown: string, heading: string | undefined, where: string): string[] {
  let text = markdown;
  if (heading !== undefined) {
    const lines = markdown.split('\n');
    const start = lines.findIndex((line) => /^#+ /.test(line) && line.replace(/^#+ /, '') === heading);
    if (start === -1) throw new Error(`${where}: no heading "${heading}"`);
    const level = /^#+/.exec(lines[start]!)![0].length;
    let end = start + 1;
    let fenced = false;
    for (; end < lines.length; end++) {
      if (lines[end]!.startsWith('```')) fenced = !fenced;
      const found = fenced ? null : /^(#+) /.exec(lines[end]!);
      if (found !== null && found[1]!.length <= level) break;
    }
    text = lines.slice(start + 1, end).join('\n');
  }
  return [...text.matchAll(codeBlockPattern)].map((found) => found[2]!);
}

/** Points `from '<packageName>'` and `from '<packageName>/<entry>'` at the package's source. */
function pointAtSource(code: string, packageName: string): string {
  const escaped = packageName.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return code
    .replaceAll(new RegExp(`from '${escaped}'`, 'g'), "from './index'")
    .replaceAll(new RegExp(`from '${escaped}/([\\w-]+)'`, 'g'), "from './$1/index'");
}

/**
 * Runs a ```ts or ```js example of a package's README against the package's source (its imports of `packageName`
 * and its subpath entries point at `src/`; other `@diffchat` packages come from their builds, as in the workspace),
 * capturing console.log, so that a test can hold the README to what the code does. By default the first block.
 */
export async function runReadmeExample(
  packageRoot: string,
  packageName: string,
  options: ReadmeExampleOptions = {},
): Promise<ReadmeExampleRun> {
  const where = options.readme ?? join(packageRoot, 'README.md');
  const blocks = codeBlocks(readFileSync(where, 'utf8'), options.section, where);
  const which = options.block ?? 0;
  const chosen = which === 'all' ? blocks : blocks.slice(which, which + 1);
  if (chosen.length === 0) {
    const place = options.section === undefined ? '' : ` under "${options.section}"`;
    throw new Error(`${where}: no ts or js example${place} (block ${which})`);
  }
  const code = pointAtSource(chosen.join('\n'), packageName);
  const expected = [...code.matchAll(/\/\/ prints: (.*)$/gm)].map((found) => found[1]!);
  // A new name for every run makes it a fresh module, so one example can run twice in one test file.
  const file = join(packageRoot, 'src', `.readme-example-${process.pid}-${++runs}.tmp.ts`);
  writeFileSync(file, code);
  const previousDirectory = process.cwd();
  const temporary = options.cwd === 'temp';
  const directory = temporary ? mkdtempSync(join(tmpdir(), 'readme-example-')) : (options.cwd ?? previousDirectory);
  const printed: string[] = [];
  const logged: unknown[][] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...values: unknown[]) => {
    logged.push(values);
    printed.push(format(...values));
  });
  try {
    process.chdir(directory);
    await import(file);
  } finally {
    log.mockRestore();
    process.chdir(previousDirectory);
    rmSync(file, { force: true });
    if (temporary) rmSync(directory, { recursive: true, force: true });
  }
  return { printed, expected, logged, code, directory };
}
