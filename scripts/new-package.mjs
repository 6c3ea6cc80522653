#!/usr/bin/env node
// Creates packages/<name> with the layout every @diffchat package shares:
// package.json (exports for ESM + CJS + types), tsconfig.json, tsup.config.ts,
// vitest.config.ts, src/index.ts, README.md. Usage: node scripts/new-package.mjs <name> "<description>"
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [name, description = ''] = process.argv.slice(2);
if (!name || !/^[a-z][a-z0-9-]*$/.test(name)) {
  console.error('usage: node scripts/new-package.mjs <kebab-case-name> "<description>"');
  process.exit(2);
}
const dir = join('packages', name);
if (existsSync(dir)) {
  console.error(`${dir} already exists`);
  process.exit(2);
}
mkdirSync(join(dir, 'src'), { recursive: true });
mkdirSync(join(dir, 'bench'), { recursive: true });

const pkg = {
  name: `@diffchat/${name}`,
  version: '0.1.0',
  description,
  license: 'Apache-2.0',
  type: 'module',
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.ts',
  exports: {
    '.': {
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
    },
    './package.json': './package.json',
  },
  files: ['dist', 'README.md'],
  sideEffects: false,
  engines: { node: '>=20' },
  scripts: {
    build: 'tsup',
    typecheck: 'tsc --noEmit',
    lint: 'biome check .',
    test: 'vitest run --passWithNoTests --reporter=default --reporter=json --outputFile.json=.test-report.json',
    bench: 'tsx bench/run.ts',
  },
  dependencies: {},
  devDependencies: {},
};
const write = (file, text) => writeFileSync(join(dir, file), text);
write('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
write(
  'tsconfig.json',
  `${JSON.stringify({ extends: '../../tsconfig.base.json', include: ['src', 'bench', 'test', '*.ts'] }, null, 2)}\n`,
);
write('tsup.config.ts', "import { packageBuild } from '../../tsup.base';\n\nexport default packageBuild();\n");
write('vitest.config.ts', "export { default } from '../../vitest.shared.ts';\n");
write('src/index.ts', `/** @packageDocumentation ${description} */\nexport {};\n`);
write(
  'README.md',
  `# @diffchat/${name}\n\n${description}\n\n## Install\n\n\`\`\`sh\npnpm add @diffchat/${name}\n\`\`\`\n`,
);
console.log(`created ${dir}`);
