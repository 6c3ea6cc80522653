/*
 * Regenerates src/softmax-kernel-bytes.ts from src/softmax-kernel.wat:
 *
 *   pnpm --filter @diffchat/sampler-typical build:wasm
 */
import { writeFileSync } from 'node:fs';
import { compileKernel, KERNEL_MODULE_PATH, kernelModuleText } from './compile-kernel';

const bytes = await compileKernel();
writeFileSync(KERNEL_MODULE_PATH, kernelModuleText(bytes));
console.log(`wrote ${KERNEL_MODULE_PATH} (${bytes.length} bytes of WebAssembly)`);
