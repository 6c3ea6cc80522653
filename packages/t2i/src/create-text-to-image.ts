import { Automatic1111TextToImage } from './automatic1111-backend';
import { ComfyUiTextToImage } from './comfyui-backend';
import { type ComfyWorkflow, type ComfyWorkflowMapping, loadComfyWorkflow } from './comfyui-workflow';
import type { HttpBackendOptions } from './http-client';
import { OnnxStableDiffusion, type OnnxStableDiffusionOptions } from './onnx-stable-diffusion';
import { OpenAiImagesTextToImage } from './openai-images-backend';
import { withRenderCache } from './render-cache';
import { SketchTextToImage } from './sketch/index';
import type { TextToImage } from './text-to-image';

/** Options of {@link createTextToImage}; each backend reads the ones that concern it. */
export interface CreateTextToImageOptions extends HttpBackendOptions {
  /** a1111: `sampler_name` (default `Euler a`). */
  sampler?: string;
  /** openai: `model`. */
  model?: string;
  /** openai: API key, sent as a bearer token. */
  apiKey?: string;
  /** a1111 / openai: more request fields merged over the built ones. */
  extra?: Record<string, unknown>;
  /** comfyui: a workflow in API format, or the path of its JSON file. */
  workflow?: ComfyWorkflow | string;
  /** comfyui: where the request fields go in `workflow`. */
  mapping?: ComfyWorkflowMapping;
  /** comfyui: checkpoint file for the default workflow. */
  checkpoint?: string;
  /** onnx-sd: sampler, execution providers, threads and default steps/guidance (the folder comes from the spec). */
  onnx?: Omit<OnnxStableDiffusionOptions, 'folder'>;
  /** Wrap the backend in a render cache in this folder. */
  cacheDir?: string;
}

/** Thrown for a backend spec that names no known backend or carries a bad URL; the message quotes the spec. */
export class TextToImageSpecError extends Error {
  override readonly name = 'TextToImageSpecError';
}

const specForms = 'a1111:<url>, comfyui:<url>, openai:<url>, onnx-sd:<folder> or sketch';

function httpUrl(spec: string, rest: string): string {
  let url: URL;
  try {
    url = new URL(rest);
  } catch {
    throw new TextToImageSpecError(`invalid text-to-image spec "${spec}": "${rest}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TextToImageSpecError(`invalid text-to-image spec "${spec}": the URL must start with http:// or https://`);
  }
  return rest.replace(/\/+$/, '');
}

/**
 * Builds a backend from a URL-like spec, the form the CLI and config files use:
 * `a1111:http://host:7860`, `comfyui:http://host:8188`, `openai:http://host/v1`, `onnx-sd:./folder` or `sketch`.
 * @throws TextToImageSpecError naming the spec when it is not one of these
 */
export async function createTextToImage(spec: string, options: CreateTextToImageOptions = {}): Promise<TextToImage> {
  const colon = spec.indexOf(':');
  const name = colon === -1 ? spec : spec.slice(0, colon);
  const rest = colon === -1 ? '' : spec.slice(colon + 1);
  let backend: TextToImage;
  switch (name) {
    case 'a1111':
      backend = new Automatic1111TextToImage({ ...options, url: httpUrl(spec, rest) });
      break;
    case 'comfyui': {
      const workflow =
        typeof options.workflow === 'string' ? await loadComfyWorkflow(options.workflow) : options.workflow;
      backend = new ComfyUiTextToImage({ ...options, url: httpUrl(spec, rest), workflow });
      break;
    }
    case 'openai':
      backend = new OpenAiImagesTextToImage({ ...options, url: httpUrl(spec, rest) });
      break;
    case 'onnx-sd':
      if (rest === '') throw new TextToImageSpecError(`invalid text-to-image spec "${spec}": onnx-sd needs a folder`);
      backend = await OnnxStableDiffusion.load({ ...options.onnx, folder: rest });
      break;
    case 'sketch': {
      if (rest !== '') throw new TextToImageSpecError(`invalid text-to-image spec "${spec}": sketch takes no argument`);
      backend = new SketchTextToImage();
      break;
    }
    default:
      throw new TextToImageSpecError(
        `invalid text-to-image spec "${spec}": unknown backend "${name}" (expected ${specForms})`,
      );
  }
  return options.cacheDir
    ? withRenderCache(backend, { dir: options.cacheDir, imageSizeLimits: options.imageSizeLimits })
    : backend;
}
