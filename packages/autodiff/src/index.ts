/** @packageDocumentation Typed ONNX graph builder with reverse-mode autodiff and optimisers, executed by ONNX Runtime */
export {};
