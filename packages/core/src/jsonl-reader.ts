import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import type { z } from 'zod';
import { ConfigError, JsonlError } from './errors';
import { describeIssues, toValidationIssues } from './validation';

/** What to do with a line that is not valid JSON or does not match the schema. */
export type OnInvalidLine = 'throw' | 'skip';

/** Options of {@link readJsonl}. */
export interface ReadJsonlOptions {
  /** `throw` (default): stop at the first bad line. `skip`: count it, report it, go on. */
  onInvalid?: OnInvalidLine;
  /**
   * Longest accepted line in bytes, counting a `\r` before the `\n` (default 16 MiB). A longer line
   * is a bad line, and the reader never holds more than this much of it, so a file without newlines
   * cannot exhaust memory.
   */
  maxLineBytes?: number;
  /** In `skip` mode, the most bad lines tolerated before giving up with a `too-many-invalid` error (default: no limit). */
  maxInvalid?: number;
  /** In `skip` mode, called with each bad line's error as it is skipped (e.g. to log it). */
  onSkip?: (error: JsonlError) => void;
  /** Bytes read from the file at a time (default 64 KiB). */
  chunkBytes?: number;
}

/** Counts of one reading pass, filled in while iterating. */
export interface JsonlReadStats {
  /** Lines seen, blank ones included. */
  lines: number;
  /** Records that passed validation and were yielded. */
  records: number;
  /** Bad lines skipped (`skip` mode only). */
  skipped: number;
  /** The first bad lines' errors (at most {@link keptErrors}), to report what was skipped. */
  errors: JsonlError[];
}

/** How many skipped-line errors {@link JsonlReadStats.errors} keeps. */
export const keptErrors = 20;

/** A validating JSONL reader: an async iterable of records, with the counts of the pass in `stats`. */
export interface JsonlReader<Record> extends AsyncIterable<Record> {
  /** Counts so far; final once iteration has finished. */
  readonly stats: JsonlReadStats;
}

/** Default cap on one JSONL line, in bytes (16 MiB). */
export const defaultMaxLineBytes = 16 * 1024 * 1024;
const newline = 0x0a;
const carriageReturn = 0x0d;
const byteOrderMark = [0xef, 0xbb, 0xbf];

function isBlank(text: string): boolean {
  return /^[ \t\r\n]*$/.test(text);
}

function checkOptions(options: ReadJsonlOptions): void {
  const { maxLineBytes, maxInvalid, chunkBytes, onInvalid } = options;
  if (onInvalid !== undefined && onInvalid !== 'throw' && onInvalid !== 'skip') {
    throw new ConfigError(`readJsonl: onInvalid must be 'throw' or 'skip', got ${String(onInvalid)}`);
  }
  if (maxLineBytes !== undefined && !(Number.isInteger(maxLineBytes) && maxLineBytes > 0)) {
    throw new ConfigError(`readJsonl: maxLineBytes must be a positive integer, got ${maxLineBytes}`);
  }
  if (maxInvalid !== undefined && !(maxInvalid >= 0)) {
    throw new ConfigError(`readJsonl: maxInvalid must be >= 0, got ${maxInvalid}`);
  }
  if (chunkBytes !== undefined && !(Number.isInteger(chunkBytes) && chunkBytes > 0)) {
    throw new ConfigError(`readJsonl: chunkBytes must be a positive integer, got ${chunkBytes}`);
  }
}

type SplitLine = { bytes: Buffer } | { tooLong: true };

const tooLongLine: SplitLine = { tooLong: true };

/**
 * Splits a byte stream into lines without ever holding more than `maxLineBytes` of one line.
 * Yields each line's bytes without its `\n`, its `\r` and (line 1 only) a UTF-8 byte order mark,
 * or `tooLong` for a line of more than `maxLineBytes` bytes, whose bytes are dropped as they come.
 */
async function* splitLines(chunks: AsyncIterable<Buffer>, maxLineBytes: number): AsyncGenerator<SplitLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;
  let firstLine = true;

  const append = (piece: Buffer): void => {
    if (tooLong || piece.length === 0) return;
    if (pendingBytes + piece.length > maxLineBytes) {
      pending = [];
      pendingBytes = 0;
      tooLong = true;
      return;
    }
    pending.push(piece);
    pendingBytes += piece.length;
  };

  const take = (): SplitLine => {
    let line: SplitLine = tooLongLine;
    if (!tooLong) {
      let bytes = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
      if (firstLine && bytes.length >= 3 && byteOrderMark.every((byte, index) => bytes[index] === byte)) {
        bytes = bytes.subarray(3);
      }
      if (bytes.length > 0 && bytes[bytes.length - 1] === carriageReturn) bytes = bytes.subarray(0, bytes.length - 1);
      line = { bytes };
    }
    pending = [];
    pendingBytes = 0;
    tooLong = false;
    firstLine = false;
    return line;
  };

  for await (const chunk of chunks) {
    let start = 0;
    for (let end = chunk.indexOf(newline); end !== -1; end = chunk.indexOf(newline, start)) {
      append(chunk.subarray(start, end));
      yield take();
      start = end + 1;
    }
    append(chunk.subarray(start));
  }
  if (tooLong || pendingBytes > 0) yield take();
}

/**
 * Reads a JSONL file as a stream, validating each line against `schema` and yielding the parsed
 * records (the schema's output, so importers can map released formats on the fly).
 *
 * Accepts LF and CRLF line ends, blank lines (skipped, not counted as bad), a last line without a
 * newline, and a UTF-8 byte order mark. A bad line (invalid UTF-8, invalid JSON, schema mismatch,
 * longer than `maxLineBytes`) throws a {@link JsonlError} such as
 * `data.jsonl:17: field "edit": expected string, received number`, or in `skip` mode is counted in
 * `stats` and passed to `onSkip`.
 *
 * @example
 * const reader = readJsonl('pairs.jsonl', promptPairSchema, { onInvalid: 'skip' });
 * for await (const pair of reader) use(pair);
 * console.log(`${reader.stats.skipped} bad lines skipped`);
 */
export function readJsonl<Schema extends z.ZodType>(
  path: string,
  schema: Schema,
  options: ReadJsonlOptions = {},
): JsonlReader<z.output<Schema>> {
  checkOptions(options);
  const onInvalid = options.onInvalid ?? 'throw';
  const maxLineBytes = options.maxLineBytes ?? defaultMaxLineBytes;
  const maxInvalid = options.maxInvalid ?? Number.POSITIVE_INFINITY;
  const stats: JsonlReadStats = { lines: 0, records: 0, skipped: 0, errors: [] };

  const reject = (error: JsonlError): void => {
    if (onInvalid === 'throw') throw error;
    stats.skipped += 1;
    if (stats.errors.length < keptErrors) stats.errors.push(error);
    options.onSkip?.(error);
    if (stats.skipped > maxInvalid) {
      throw new JsonlError(
        path,
        error.line,
        'too-many-invalid',
        `more than ${maxInvalid} invalid lines; the first was ${stats.errors[0]?.message}`,
      );
    }
  };

  async function* records(): AsyncGenerator<z.output<Schema>> {
    const stream = createReadStream(path, { highWaterMark: options.chunkBytes ?? 64 * 1024 });
    try {
      for await (const line of splitLines(stream, maxLineBytes)) {
        stats.lines += 1;
        const lineNumber = stats.lines;
        if ('tooLong' in line) {
          reject(new JsonlError(path, lineNumber, 'line-too-long', `line longer than ${maxLineBytes} bytes`));
          continue;
        }
        if (!isUtf8(line.bytes)) {
          reject(new JsonlError(path, lineNumber, 'encoding', 'not valid UTF-8'));
          continue;
        }
        const text = line.bytes.toString('utf8');
        if (isBlank(text)) continue;
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (cause) {
          reject(new JsonlError(path, lineNumber, 'json', `invalid JSON: ${(cause as Error).message}`, [], { cause }));
          continue;
        }
        const result = schema.safeParse(value);
        if (!result.success) {
          const issues = toValidationIssues(result.error.issues, value);
          reject(new JsonlError(path, lineNumber, 'schema', describeIssues(issues), issues, { cause: result.error }));
          continue;
        }
        stats.records += 1;
        yield result.data;
      }
    } catch (error) {
      // Some system errors (EISDIR, EIO) do not say which file; every error here should.
      const systemError = error as NodeJS.ErrnoException;
      if (typeof systemError?.code === 'string' && !systemError.message.includes(path)) {
        throw Object.assign(new Error(`${path}: ${systemError.message}`, { cause: error }), { code: systemError.code });
      }
      throw error;
    } finally {
      stream.destroy();
    }
  }

  return {
    stats,
    [Symbol.asyncIterator]: () => records(),
  };
}

/** Reads a whole JSONL file into an array (see {@link readJsonl}); for files that fit in memory. */
export async function readJsonlAll<Schema extends z.ZodType>(
  path: string,
  schema: Schema,
  options: ReadJsonlOptions = {},
): Promise<{ records: z.output<Schema>[]; stats: JsonlReadStats }> {
  const reader = readJsonl(path, schema, options);
  const records: z.output<Schema>[] = [];
  for await (const record of reader) records.push(record);
  return { records, stats: reader.stats };
}
