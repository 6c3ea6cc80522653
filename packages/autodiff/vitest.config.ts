import { fileURLToPath } from 'node:url';
import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The README's example imports the package by name, exactly as a user would; tests resolve that name to the source.
export default mergeConfig(shared, {
  resolve: { alias: { '@diffchat/autodiff': fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
});
