/** @packageDocumentation Text-to-image backends behind one interface: AUTOMATIC1111, ComfyUI, OpenAI images, ONNX Stable Diffusion, embedded sketch renderer */
export {};
