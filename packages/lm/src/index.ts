/** @packageDocumentation Causal language models on ONNX Runtime: tokenizers, GPT-2 and BLOOM, decoding, checkpoints, hub loading */
export {};
