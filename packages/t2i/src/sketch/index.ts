/**
 * The embedded `sketch` renderer: draws prompts of the prompt world as simple scenes. A stand-in for a diffusion
 * model, offline and deterministic.
 */
export { renderSketch, type SketchImage, type SketchOptions } from './render-sketch';
export { SketchTextToImage } from './sketch-text-to-image';
