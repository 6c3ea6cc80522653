/**
 * @packageDocumentation
 * A typed ONNX graph builder with reverse-mode automatic differentiation, optimisers and
 * safetensors IO, executed by onnxruntime-node.
 */
export * from './training/index';
