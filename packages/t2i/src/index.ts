/**
 * @packageDocumentation
 * Text-to-image backends behind one interface: AUTOMATIC1111, ComfyUI, OpenAI-compatible images,
 * in-process ONNX Stable Diffusion, and the embedded sketch renderer.
 */
export type { GenerateOptions, GenerateRequest, GeneratedImage, TextToImage } from './text-to-image';
export * from './sketch/index';
