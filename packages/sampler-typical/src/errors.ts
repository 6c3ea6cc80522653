/**
 * Thrown for every bad argument this package detects: NaN or +Infinity logits, empty rows, options out of range,
 * masks that remove every token, rows whose length does not match. `field` names the offending argument or option
 * (`logits[17]`, `mass`, `topK`, ...). Programs branch on `code` rather than `instanceof`, which breaks when the
 * ESM and CJS builds of this package meet in one process.
 */
export class SamplerInputError extends Error {
  /** Stable kind of the error, for programs; the message is for people. */
  readonly code = 'SAMPLER_INPUT' as const;
  /** The argument or option at fault, e.g. `logits[3]`, `mass`, `allow[2]`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'SamplerInputError';
    this.field = field;
  }
}
