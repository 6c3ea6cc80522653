/*
 * Compiles src/softmax-kernel.wat, the source of truth for the WebAssembly kernel, into the TypeScript module that
 * src/ imports (the bytes as base64), so that the kernel loads without file I/O from the ESM and CJS builds and from
 * the tests alike. Used by scripts/build-wasm.ts and by the test that checks the committed module is up to date.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabt from 'wabt';

/** Path of the kernel's text source. */
export const KERNEL_SOURCE_PATH = fileURLToPath(new URL('../src/softmax-kernel.wat', import.meta.url));
/** Path of the generated module holding the compiled bytes. */
export const KERNEL_MODULE_PATH = fileURLToPath(new URL('../src/softmax-kernel-bytes.ts', import.meta.url));

/** The kernel's binary, compiled from its text source (no debug names, so the bytes depend on the code only). */
export async function compileKernel(): Promise<Uint8Array> {
  const toolkit = await wabt();
  const parsed = toolkit.parseWat('softmax-kernel.wat', readFileSync(KERNEL_SOURCE_PATH, 'utf8'), { simd: true });
  try {
    parsed.resolveNames();
    parsed.validate();
    return parsed.toBinary({ log: false, write_debug_names: false }).buffer;
  } finally {
    parsed.destroy();
  }
}

/** The text of the generated TypeScript module for `bytes`. */
export function kernelModuleText(bytes: Uint8Array): string {
  const base64 = Buffer.from(bytes).toString('base64');
  const lines = base64.match(/.{1,100}/g) ?? [];
  return `// Generated from softmax-kernel.wat by \`pnpm build:wasm\` (scripts/build-wasm.ts): do not edit.

/** The compiled softmax kernel (${bytes.length} bytes), base64. */
export const SOFTMAX_KERNEL_BASE64 =
${lines.map((line) => `  '${line}'`).join(' +\n')};
`;
}
