import { defineConfig, type Options } from 'tsup';

/**
 * The one build every package shares: ESM + CJS + declarations for each entry, for Node 20.
 * Dependencies stay external (tsup's default), so each package ships only its own code.
 */
export function packageBuild(entry: Record<string, string> | string[] = ['src/index.ts'], extra: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: true,
    treeshake: true,
    ...extra,
  });
}
