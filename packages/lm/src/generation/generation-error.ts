/**
 * A generation argument that cannot be honoured: a token id outside the vocabulary, a prompt or a length past
 * the model's limit, a malformed option. Thrown before anything runs, so no ONNX Runtime error or typed-array
 * RangeError reaches the caller. It extends RangeError, which these checks threw before.
 */
export class GenerationError extends RangeError {
  override readonly name = 'GenerationError';

  /**
   * @param field the offending argument, as the caller wrote it (`maxNewTokens`, `prompts[1][3]`)
   * @param problem what is wrong, in words
   */
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}
