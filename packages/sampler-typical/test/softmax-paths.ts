import { afterAll, beforeAll, describe } from 'vitest';
import { forceJavaScriptSoftmax, softmaxKernel } from '../src/softmax-kernel';

/**
 * Declares the tests of `body` twice: once with the WebAssembly softmax kernel (which Node 20 always has) and once
 * with the JavaScript path forced, so that both face the same references.
 */
export function forEachSoftmaxPath(body: () => void): void {
  describe.each(['WebAssembly', 'JavaScript'])('%s softmax', (path) => {
    beforeAll(() => {
      forceJavaScriptSoftmax(path === 'JavaScript');
      // Fails loudly rather than testing the JavaScript path twice where the kernel would not load.
      if ((softmaxKernel() === undefined) !== (path === 'JavaScript'))
        throw new Error(`the ${path} path is not in use`);
    });
    afterAll(() => forceJavaScriptSoftmax(false));
    body();
  });
}
