import type * as AutodiffModule from '@diffchat/autodiff';
import type * as LanguageModelModule from '@diffchat/lm';
import type * as TextToImageModule from '@diffchat/t2i';
import type * as WorldModule from '@diffchat/world';
import type * as OrtModule from 'onnxruntime-node';
import type SharpModule from 'sharp';
import { loadOptionalDependency } from './optional-dependency';

/** The onnxruntime-node module. */
export type OnnxRuntime = typeof OrtModule;
/** sharp's default export. */
export type Sharp = typeof SharpModule;
/** The @diffchat/autodiff module. */
export type Autodiff = typeof AutodiffModule;
/** The @diffchat/lm module. */
export type LanguageModels = typeof LanguageModelModule;
/** The @diffchat/t2i module. */
export type TextToImage = typeof TextToImageModule;
/** The @diffchat/world module. */
export type World = typeof WorldModule;

/** Loads onnxruntime-node on first use; a missing package is a `MissingDependencyError` naming it and `feature`. */
export function loadOnnxRuntime(feature: string): Promise<OnnxRuntime> {
  return loadOptionalDependency<OnnxRuntime>('onnxruntime-node', feature);
}

/** Loads sharp on first use (its CommonJS export arrives as `default` under `import()`). */
export async function loadSharp(feature: string): Promise<Sharp> {
  const module = await loadOptionalDependency<{ default?: Sharp }>('sharp', feature);
  return module.default ?? (module as unknown as Sharp);
}

/** Loads @diffchat/autodiff on first use. */
export function loadAutodiff(feature: string): Promise<Autodiff> {
  return loadOptionalDependency<Autodiff>('@diffchat/autodiff', feature);
}

/** Loads @diffchat/lm on first use. */
export function loadLanguageModels(feature: string): Promise<LanguageModels> {
  return loadOptionalDependency<LanguageModels>('@diffchat/lm', feature);
}

/** Loads @diffchat/t2i on first use. */
export function loadTextToImage(feature: string): Promise<TextToImage> {
  return loadOptionalDependency<TextToImage>('@diffchat/t2i', feature);
}

/** Loads @diffchat/world (the prompt world that the default models train on) on first use. */
export function loadWorld(feature: string): Promise<World> {
  return loadOptionalDependency<World>('@diffchat/world', feature);
}
