/**
 * Machine-readable error kinds. Callers branch on `code` rather than on `instanceof`, which breaks
 * when two copies of this package end up in one process (ESM and CJS builds, or nested installs).
 */
export type DiffchatErrorCode = 'VALIDATION' | 'JSONL' | 'CONFIG' | 'RUN_MISMATCH';

/** Base of every error this project throws on purpose; `code` says which kind it is. */
export class DiffchatError extends Error {
  /** Stable kind of the error, for programs; the message is for people. */
  readonly code: DiffchatErrorCode;

  constructor(code: DiffchatErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** One problem found in a value: where (`path`, empty for the value itself) and what. */
export interface ValidationIssue {
  /** Keys and array indices from the root of the value down to the offending field. */
  path: readonly (string | number)[];
  /** What is wrong, e.g. `expected string, received number`. */
  message: string;
}

/** A value (a record, a config, a manifest) does not have the expected shape. */
export class ValidationError extends DiffchatError {
  /** Every problem found, not only the first. */
  readonly issues: readonly ValidationIssue[];
  /** Where the value came from (a file name, `config`, ...), when known. */
  readonly source: string | undefined;

  constructor(message: string, issues: readonly ValidationIssue[], source?: string, options?: { cause?: unknown }) {
    super('VALIDATION', message, options);
    this.issues = issues;
    this.source = source;
  }
}

/** Why a JSONL line was rejected. */
export type JsonlErrorReason = 'encoding' | 'json' | 'schema' | 'line-too-long' | 'too-many-invalid';

/** A JSONL line could not be read: names the file, the 1-based line and, for schema errors, the fields. */
export class JsonlError extends DiffchatError {
  /** The file as the caller named it. */
  readonly file: string;
  /** 1-based line number; for `too-many-invalid`, the line at which the limit was passed. */
  readonly line: number;
  /** What kind of failure it was. */
  readonly reason: JsonlErrorReason;
  /** The message without its `file:line: ` prefix. */
  readonly detail: string;
  /** For `schema` failures, the problems in the record. */
  readonly issues: readonly ValidationIssue[];

  constructor(
    file: string,
    line: number,
    reason: JsonlErrorReason,
    detail: string,
    issues: readonly ValidationIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super('JSONL', `${file}:${line}: ${detail}`, options);
    this.file = file;
    this.line = line;
    this.reason = reason;
    this.detail = detail;
    this.issues = issues;
  }
}

/** A configuration (options object, config file, CLI flag) is invalid or inconsistent. */
export class ConfigError extends DiffchatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG', message, options);
  }
}

/** Resuming a run with a config, seed or inputs that differ from the ones it was started with. */
export class RunMismatchError extends DiffchatError {
  /** One line per difference, e.g. `config.optimizer.lr: 0.001 in the run, 0.0005 now`. */
  readonly differences: readonly string[];

  constructor(runPath: string, differences: readonly string[]) {
    super(
      'RUN_MISMATCH',
      `cannot resume ${runPath}: it was started with different settings:\n  ${differences.join('\n  ')}`,
    );
    this.differences = differences;
  }
}
