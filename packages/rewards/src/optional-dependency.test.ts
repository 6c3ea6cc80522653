import { describe, expect, it } from 'vitest';
import { MissingDependencyError } from './errors';
import { loadOptionalDependency } from './optional-dependency';

describe('loadOptionalDependency', () => {
  it('names the package to install when it is missing', async () => {
    const error = await loadOptionalDependency('diffchat-package-that-does-not-exist', 'the test reward').catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(MissingDependencyError);
    expect((error as MissingDependencyError).packageName).toBe('diffchat-package-that-does-not-exist');
    expect(String(error)).toMatch(/the test reward needs the optional package "diffchat-package-that-does-not-exist"/);
    expect(String(error)).toMatch(/npm install diffchat-package-that-does-not-exist/);
  });

  it('tells how to install onnxruntime-node without its CUDA download', async () => {
    const missing = Object.assign(new Error("Cannot find package 'onnxruntime-node'"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    const error = await loadOptionalDependency('onnxruntime-node', 'the aesthetic reward', () =>
      Promise.reject(missing),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MissingDependencyError);
    expect(String(error)).toContain('ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node');
  });

  it('loads a package that is installed', async () => {
    const zod = await loadOptionalDependency<{ z: unknown }>('zod', 'a test');
    expect(zod.z).toBeDefined();
  });

  it('passes other failures through: a missing dependency of the package is not the package missing', async () => {
    const inner = Object.assign(new Error("Cannot find package 'protobufjs'"), { code: 'ERR_MODULE_NOT_FOUND' });
    await expect(loadOptionalDependency('onnxruntime-node', 'a test', () => Promise.reject(inner))).rejects.toBe(inner);
    const broken = new Error('native binding failed');
    await expect(loadOptionalDependency('sharp', 'a test', () => Promise.reject(broken))).rejects.toBe(broken);
  });
});
