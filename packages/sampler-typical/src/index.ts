/** @packageDocumentation Locally typical sampling and Hugging Face-compatible logits warpers, with no runtime dependencies */
export {};
