/**
 * @packageDocumentation
 * A typed ONNX graph builder with reverse-mode automatic differentiation, optimisers and
 * safetensors IO, executed by onnxruntime-node.
 */
export * from './composites';
export * from './data-type';
export * from './grad';
export * from './gradients';
export * from './graph';
export * from './ops';
export * from './reference-decoder';
export * from './serialize';
export * from './session';
export { broadcastShapes, type Dim, formatShape, isStatic, normalizeAxis, type Shape } from './shape';
export * from './training/index';
export * from './training-step';
