import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format } from 'node:util';
import ts from 'typescript';
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { z } from 'zod';
import { RewardError } from './errors';
import { RewardRegistry } from './registry';
import { defineReward, type RewardRecord } from './reward';

const constant = (value: number) => () =>
  defineReward({ name: 'constant', score: (records) => records.map(() => ({ value, details: {} })) });

const builtIns = ['aesthetic', 'clipScore', 'contentIntegrity', 'distilled', 'pickscore', 'relevance'];
const context = { field: 'promptLength' };
const record: RewardRecord = { source: 'a cat', instruction: '', target: 'a small grey cat on a mat' };

describe('RewardRegistry', () => {
  it('registers, lists sorted, replaces on request and unregisters', () => {
    const registry = new RewardRegistry();
    registry.register('zeta', constant(1));
    registry.register('alpha', constant(2));
    expect(registry.names()).toEqual(['alpha', 'zeta']);
    expect(() => registry.register('alpha', constant(3))).toThrow(
      /^alpha: a reward named "alpha" is already registered/,
    );
    registry.register('alpha', constant(3), { replace: true });
    expect(registry.unregister('zeta')).toBe(true);
    expect(registry.unregister('zeta')).toBe(false);
    expect(registry.names()).toEqual(['alpha']);
  });

  it('rejects names that cannot be config keys, factories that are not functions and schema-less registrations', () => {
    const registry = new RewardRegistry();
    expect(() => registry.register('', constant(1))).toThrow(/^name: /);
    expect(() => registry.register('has space', constant(1))).toThrow(/^name: /);
    expect(() => registry.register('ok', 5 as never)).toThrow(
      /^ok: expected a factory function or \{ options, create \}/,
    );
    expect(() => registry.register('ok', { create: constant(1) } as never)).toThrow(
      /^ok\.options: expected a zod schema/,
    );
    expect(registry.names()).toEqual([]);
  });

  it('withBuiltIns starts from the built-in rewards, apart from any other registry', () => {
    expect(new RewardRegistry().names()).toEqual([]);
    const first = RewardRegistry.withBuiltIns();
    const second = RewardRegistry.withBuiltIns();
    expect(first.names()).toEqual(builtIns);
    first.register('promptLength', constant(1));
    expect(first.names()).toContain('promptLength');
    expect(second.names()).toEqual(builtIns);
  });
});

describe('RewardRegistry with an options schema', () => {
  const registry = new RewardRegistry();
  const seen: unknown[] = [];
  registry.register('promptLength', {
    options: z.object({ maxWords: z.number().int().positive().default(40), label: z.string().optional() }),
    create: (options, { field }) => {
      expectTypeOf(options).toEqualTypeOf<{ maxWords: number; label?: string | undefined }>();
      seen.push({ ...options, field });
      return constant(options.maxWords)();
    },
  });
  const factory = registry.get('promptLength')!;
  afterEach(() => {
    seen.length = 0;
  });

  it('gives the factory its options parsed, defaults filled in', async () => {
    const reward = await factory({}, context);
    expect(await reward.score([record])).toEqual([{ value: 40, details: {} }]);
    await factory({ maxWords: 8, label: 'short' }, { field: 'length' });
    expect(seen).toEqual([
      { maxWords: 40, field: 'promptLength' },
      { maxWords: 8, label: 'short', field: 'length' },
    ]);
  });

  it('rejects a misspelt option by name, with the closest known one', () => {
    expect(() => factory({ maxWord: 8 }, context)).toThrow(
      new RewardError('promptLength', 'unknown option "maxWord" (did you mean "maxWords"?)'),
    );
    expect(() => factory({ colour: 'red' }, context)).toThrow(/^promptLength: unknown option "colour"$/);
    expect(seen).toEqual([]);
  });

  it('names the field of a value of the wrong type', () => {
    expect(() => factory({ maxWords: '8' }, context)).toThrow(/^promptLength\.maxWords: .*expected number/);
    expect(() => factory({ maxWords: 0 }, context)).toThrow(/^promptLength\.maxWords: /);
    expect(() => factory({ maxWords: 8, label: 3 }, context)).toThrow(/^promptLength\.label: /);
  });

  it('lets other keys through a loose schema', async () => {
    const loose = new RewardRegistry();
    loose.register('anything', {
      options: z.looseObject({ scale: z.number().default(1) }),
      create: (options) => constant(options.scale + Object.keys(options).length)(),
    });
    const reward = await loose.get('anything')!({ scale: 2, extra: true }, { field: 'anything' });
    expect((await reward.score([record]))[0]!.value).toBe(4);
  });

  it('keeps a bare factory working, with its options unchecked', async () => {
    const bare = new RewardRegistry();
    bare.register('bare', (options) => {
      expectTypeOf(options).toEqualTypeOf<Record<string, unknown>>();
      return constant(Object.keys(options).length)();
    });
    const reward = await bare.get('bare')!({ anything: 1, goes: 2 }, { field: 'bare' });
    expect((await reward.score([record]))[0]!.value).toBe(2);
  });
});

const packageDirectory = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The first ```ts block of the README's "Custom rewards" section, importing this package's source. */
function customRewardsExample(): string {
  const readme = readFileSync(join(packageDirectory, 'README.md'), 'utf8');
  const section = readme.split(/^### Custom rewards$/m)[1]?.split(/^#{1,3} /m)[0];
  const block = section?.match(/^```ts\n([\s\S]*?)^```$/m)?.[1];
  if (block === undefined) throw new Error('README.md: no ```ts block in "### Custom rewards"');
  return block.replaceAll(`from '@diffchat/rewards'`, `from './index'`);
}

describe('README "Custom rewards" example', () => {
  it('type-checks under strict and prints the values it documents', async () => {
    const code = customRewardsExample();
    expect(code).toContain(`from './index'`);
    // Beside index.ts so that its imports resolve as in the package; a unique name, as tests may run concurrently.
    const file = join(packageDirectory, 'src', `readme-custom-rewards-${process.pid}-${Date.now()}.tmp.ts`);
    writeFileSync(file, code);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const configFile = ts.readConfigFile(join(packageDirectory, 'tsconfig.json'), ts.sys.readFile);
      const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, packageDirectory);
      const program = ts.createProgram([file], { ...options, strict: true, noEmit: true });
      const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(file));
      const host = {
        getCanonicalFileName: (name: string) => name,
        getCurrentDirectory: () => '',
        getNewLine: () => '\n',
      };
      expect(ts.formatDiagnostics(diagnostics, host)).toBe('');

      await import(pathToFileURL(file).href);
      expect(log).toHaveBeenCalledTimes(1);
      const [value, promptLength] = log.mock.calls[0]!;
      // By hand: content integrity keeps dog and park (1, weight 2); 9 words is one over 8 (-1, weight 0.1).
      expect(value).toBeCloseTo(2 * 1 + 0.1 * -1, 12);
      expect(promptLength).toEqual({ raw: -1, normalized: -1, weighted: -0.1, details: { words: 9 } });
      const lines = code.split('\n');
      const documented = lines[lines.findIndex((line) => line.startsWith('console.log(')) + 1];
      expect(documented).toBe(`// ${format(...log.mock.calls[0]!)}`);
    } finally {
      log.mockRestore();
      rmSync(file, { force: true });
    }
  }, 120_000);
});
