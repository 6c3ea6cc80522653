import { MissingDependencyError } from './errors';

/** Loads a module by specifier; injectable so tests (and bundlers) can supply their own resolution. */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

const importByName: ModuleImporter = (specifier) => import(specifier);

const notFoundCodes: ReadonlySet<string> = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND']);

function isModuleNotFound(error: unknown, packageName: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  // A missing transitive dependency of an installed package is a different fault; only report the package itself.
  return (
    typeof code === 'string' && notFoundCodes.has(code) && typeof message === 'string' && message.includes(packageName)
  );
}

/**
 * Imports an optional peer dependency (onnxruntime-node, sharp, @diffchat/lm...) on first use. The model-based
 * rewards call this instead of a static import, so `@diffchat/rewards` itself loads without them; when the package
 * is absent the error names it and how to install it.
 *
 * @param packageName - the npm package to import, e.g. `'onnxruntime-node'`.
 * @param feature - what needs it, for the message, e.g. `'the aesthetic reward'`.
 * @param importer - how to import; defaults to the runtime's dynamic `import()`.
 * @throws {@link MissingDependencyError} when the package cannot be found; other load errors pass through.
 */
export async function loadOptionalDependency<Module = unknown>(
  packageName: string,
  feature: string,
  importer: ModuleImporter = importByName,
): Promise<Module> {
  try {
    return (await importer(packageName)) as Module;
  } catch (error) {
    if (isModuleNotFound(error, packageName)) throw new MissingDependencyError(packageName, feature, error);
    throw error;
  }
}
