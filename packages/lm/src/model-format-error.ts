/**
 * A model file (config.json, tokenizer.json, model.safetensors, ...) that is missing or does not
 * say what it must. The message starts with the file, then the field where one is to blame.
 */
export class ModelFormatError extends Error {
  override readonly name = 'ModelFormatError';

  /**
   * @param file path of the offending file
   * @param problem what is wrong, in words
   * @param field dotted path of the offending field (e.g. `model.vocab`), when one is to blame
   */
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly field?: string,
  ) {
    super(`${file}: ${field === undefined ? '' : `field ${field}: `}${problem}`);
  }
}
