/**
 * @packageDocumentation
 * Text-to-image backends behind one interface: AUTOMATIC1111, ComfyUI, OpenAI-compatible images,
 * in-process ONNX Stable Diffusion, and the embedded sketch renderer; plus a content-addressed render cache.
 */

export { type Automatic1111Options, Automatic1111TextToImage } from './automatic1111-backend';
export { type ClipTokenizer, loadClipTokenizer, ModelFolderError } from './clip-tokenizer';
export { type ComfyUiOptions, ComfyUiTextToImage } from './comfyui-backend';
export {
  type ComfyNode,
  type ComfyWorkflow,
  ComfyWorkflowError,
  type ComfyWorkflowMapping,
  type ComfyWorkflowValues,
  checkComfyMapping,
  defaultComfyMapping,
  defaultComfyWorkflow,
  fillComfyWorkflow,
  loadComfyWorkflow,
  parseComfyWorkflow,
} from './comfyui-workflow';
export {
  type CreateTextToImageOptions,
  createTextToImage,
  TextToImageSpecError,
} from './create-text-to-image';
export { DdimScheduler } from './ddim-scheduler';
export { createScheduler, type DiffusionScheduler, type SchedulerName } from './diffusion-scheduler';
export { EulerDiscreteScheduler } from './euler-discrete-scheduler';
export type { HttpBackendOptions } from './http-client';
export { latentNoise } from './latent-noise';
export {
  OnnxStableDiffusion,
  type OnnxStableDiffusionOptions,
  type StableDiffusionTimings,
} from './onnx-stable-diffusion';
export { type OpenAiImagesOptions, OpenAiImagesTextToImage } from './openai-images-backend';
export { readPngSize } from './png-header';
export {
  checkPngSize,
  defaultImageSizeLimits,
  type ImageSizeLimits,
  ImageTooLargeError,
} from './png-size-limits';
export { type CachedTextToImage, type RenderCacheOptions, renderCacheKey, withRenderCache } from './render-cache';
export { ResponseTooLargeError } from './response-size-limit';
export {
  alphasCumulativeProduct,
  inferenceTimesteps,
  type PredictionType,
  parseSchedulerConfig,
  type SchedulerConfig,
  SchedulerConfigError,
  stableDiffusionSchedulerConfig,
  type TimestepSpacing,
} from './scheduler-config';
export * from './sketch/index';
export type { GeneratedImage, GenerateOptions, GenerateRequest, TextToImage } from './text-to-image';
export { TextToImageError } from './text-to-image-error';
