import type { ArchitectureDefinition, ModelConfigBase } from './architecture-definition';
import { bloomArchitecture } from './bloom-architecture';
import { gpt2Architecture } from './gpt2-architecture';
import { validateJson } from './json-file';
import { ModelFormatError } from './model-format-error';

const registry = new Map<string, ArchitectureDefinition>([
  ['gpt2', gpt2Architecture as unknown as ArchitectureDefinition],
  ['bloom', bloomArchitecture as unknown as ArchitectureDefinition],
]);

/**
 * Adds an architecture under its `model_type`. Registering a type that exists replaces it only
 * with `{ replace: true }`, so two packages cannot silently fight over a name.
 */
export function registerArchitecture<Config extends ModelConfigBase>(
  definition: ArchitectureDefinition<Config>,
  options: { replace?: boolean } = {},
): void {
  if (registry.has(definition.modelType) && !options.replace) {
    throw new Error(
      `architecture "${definition.modelType}" is already registered; pass { replace: true } to replace it`,
    );
  }
  registry.set(definition.modelType, definition as unknown as ArchitectureDefinition);
}

/** The `model_type`s that can be loaded, sorted. */
export function supportedModelTypes(): string[] {
  return [...registry.keys()].sort();
}

/** The architecture registered for a `model_type`; the error lists the supported ones. */
export function getArchitecture(modelType: string): ArchitectureDefinition {
  const definition = registry.get(modelType);
  if (definition === undefined) {
    throw new Error(`unsupported model_type "${modelType}"; supported: ${supportedModelTypes().join(', ')}`);
  }
  return definition;
}

/** A validated config and the architecture it belongs to. */
export interface ParsedModelConfig {
  config: ModelConfigBase;
  architecture: ArchitectureDefinition;
}

/**
 * Validates a parsed `config.json`: picks the architecture by `model_type`, renames aliases to the
 * canonical field names, checks every field and fills in defaults.
 * @param file named in errors
 * @throws ModelFormatError naming the file and the field
 */
export function parseModelConfig(value: unknown, file = 'config.json'): ParsedModelConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ModelFormatError(file, 'expected a JSON object');
  }
  const modelType = (value as { model_type?: unknown }).model_type;
  if (typeof modelType !== 'string') {
    throw new ModelFormatError(
      file,
      `must be a string naming the architecture (one of ${supportedModelTypes().join(', ')})`,
      'model_type',
    );
  }
  const architecture = registry.get(modelType);
  if (architecture === undefined) {
    throw new ModelFormatError(
      file,
      `unsupported model_type "${modelType}"; supported: ${supportedModelTypes().join(', ')}`,
      'model_type',
    );
  }
  const renamed: Record<string, unknown> = { ...value };
  for (const [alias, canonical] of Object.entries(architecture.configAliases ?? {})) {
    if (!(alias in renamed)) continue;
    if (canonical in renamed && renamed[canonical] !== renamed[alias]) {
      throw new ModelFormatError(
        file,
        `${JSON.stringify(renamed[alias])} disagrees with ${canonical} = ${JSON.stringify(renamed[canonical])}`,
        alias,
      );
    }
    renamed[canonical] = renamed[alias];
    delete renamed[alias];
  }
  return { config: validateJson(architecture.configSchema, renamed, file), architecture };
}
