import { open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { syncDirectory } from './atomic-write';
import { ConfigError, JsonlError } from './errors';
import { defaultMaxLineBytes, readJsonl } from './jsonl-reader';
import { validate } from './validation';

/** How {@link JsonlWriter.open} treats an existing file. */
export type JsonlWriteMode = 'create' | 'overwrite' | 'resume';

/** Options of {@link JsonlWriter.open}. */
export interface JsonlWriterOptions<Schema extends z.ZodType> {
  /**
   * `create` (default): the file must not exist. `overwrite`: start empty. `resume`: keep the
   * existing records (each checked against `schema`), drop a torn last line, append after them.
   */
  mode?: JsonlWriteMode;
  /** Checks each record before it is written (and the existing ones on resume). */
  schema?: Schema;
  /** Longest line accepted when checking existing lines on resume (see `readJsonl`; default 16 MiB). */
  maxLineBytes?: number;
}

/** What resuming found in the existing file. */
export interface JsonlResumeReport {
  /** Valid records already in the file, now counted in {@link JsonlWriter.count}. */
  existingRecords: number;
  /** Bytes of a torn (incomplete, unparseable) last line that were cut off; 0 if none. */
  truncatedBytes: number;
}

const newlineByte = 0x0a;

/** Offset just past the last `\n` of an open file, or 0 if it has none; reads backwards in chunks. */
async function endOfLastCompleteLine(handle: Awaited<ReturnType<typeof open>>, size: number): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const { bytesRead } = await handle.read(chunk, 0, end - start, start);
    const index = chunk.subarray(0, bytesRead).lastIndexOf(newlineByte);
    if (index !== -1) return start + index + 1;
    end = start;
  }
  return 0;
}

/**
 * Appends records to a JSONL file, one whole line per write, safe to resume after a crash.
 *
 * Each record becomes one `write` of its JSON plus `\n` to a file opened for appending, and writes
 * are serialised, so a crash can leave at most one torn line at the end, never interleaved lines;
 * `resume` mode cuts that torn line off. `close()` syncs the file to disk. One writer per file:
 * two processes appending to the same file are not coordinated.
 *
 * @example
 * const writer = await JsonlWriter.open('out.jsonl', { mode: 'resume', schema: tripletSchema });
 * for (const triplet of remaining.slice(writer.count)) await writer.write(triplet);
 * await writer.close();
 */
export class JsonlWriter<Record = unknown> {
  /** The file being written. */
  readonly path: string;
  /** What resuming found; all zeros unless opened in `resume` mode over an existing file. */
  readonly resumed: JsonlResumeReport;
  readonly #handle: Awaited<ReturnType<typeof open>>;
  readonly #schema: z.ZodType | undefined;
  #count: number;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  #failure: unknown;

  private constructor(
    path: string,
    handle: Awaited<ReturnType<typeof open>>,
    schema: z.ZodType | undefined,
    resumed: JsonlResumeReport,
  ) {
    this.path = path;
    this.#handle = handle;
    this.#schema = schema;
    this.resumed = resumed;
    this.#count = resumed.existingRecords;
  }

  /** Opens `path` for appending records; see {@link JsonlWriterOptions} for how an existing file is treated. */
  static async open<Schema extends z.ZodType = z.ZodType<unknown>>(
    path: string,
    options: JsonlWriterOptions<Schema> = {},
  ): Promise<JsonlWriter<z.input<Schema>>> {
    const mode = options.mode ?? 'create';
    if (mode !== 'create' && mode !== 'overwrite' && mode !== 'resume') {
      throw new ConfigError(`JsonlWriter: mode must be 'create', 'overwrite' or 'resume', got ${String(mode)}`);
    }
    let resumed: JsonlResumeReport = { existingRecords: 0, truncatedBytes: 0 };
    if (mode === 'resume') resumed = await JsonlWriter.#prepareResume(path, options);
    const flags = mode === 'create' ? 'ax' : mode === 'overwrite' ? 'w' : 'a';
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, flags);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new ConfigError(`${path} already exists; open it with mode 'resume' or 'overwrite'`, { cause });
      }
      throw cause;
    }
    await syncDirectory(dirname(path));
    return new JsonlWriter(path, handle, options.schema, resumed);
  }

  /**
   * Checks every line first and changes nothing unless the file is JSONL: then a torn last line is
   * cut (or, if it is in fact a complete valid record, given its newline) and the records counted.
   * Anything else (a bad line before the end, a last line that is not a prefix of a JSON value, or
   * one too long to check) throws a `JsonlError` naming the file and line, leaving the file as it was.
   */
  static async #prepareResume(path: string, options: JsonlWriterOptions<z.ZodType>): Promise<JsonlResumeReport> {
    const size = await stat(path).then(
      (stats) => stats.size,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      },
    );
    if (size === undefined) return { existingRecords: 0, truncatedBytes: 0 };
    const schema = options.schema ?? z.unknown();
    const maxLineBytes = options.maxLineBytes ?? defaultMaxLineBytes;
    // Every line is read and checked before anything is written; a bad line is kept aside until the
    // pass ends, since only the very last line may be torn.
    let badLine: JsonlError | undefined;
    const reader = readJsonl(path, schema, {
      onInvalid: 'skip',
      maxLineBytes,
      onSkip: (error) => {
        if (badLine !== undefined) throw JsonlWriter.#cannotResume(badLine);
        badLine = error;
      },
    });
    for await (const _record of reader) {
      // Only the count matters here; every line is validated by the reader.
    }
    const handle = await open(path, 'r+');
    try {
      const completeEnd = await endOfLastCompleteLine(handle, size);
      const tailBytes = size - completeEnd;
      if (badLine === undefined) {
        // The file is JSONL; a valid last line without its newline gets one, so appends start a new line.
        if (
          tailBytes > 0 &&
          reader.stats.lines > 0 &&
          (await JsonlWriter.#tailIsRecord(handle, completeEnd, tailBytes))
        ) {
          await handle.write('\n', size);
          await handle.sync();
        }
        return { existingRecords: reader.stats.records, truncatedBytes: 0 };
      }
      const isTornTail =
        tailBytes > 0 &&
        badLine.line === reader.stats.lines &&
        (badLine.reason === 'json' || badLine.reason === 'encoding') &&
        JsonlWriter.#isTornJson(await JsonlWriter.#readTail(handle, completeEnd, tailBytes));
      if (!isTornTail) throw JsonlWriter.#cannotResume(badLine);
      await handle.truncate(completeEnd);
      await handle.sync();
      return { existingRecords: reader.stats.records, truncatedBytes: tailBytes };
    } finally {
      await handle.close();
    }
  }

  static #cannotResume(cause: JsonlError): JsonlError {
    return new JsonlError(
      cause.file,
      cause.line,
      cause.reason,
      `${cause.detail} (cannot resume: not a JSONL file with at most a torn last line; the file was left unchanged)`,
      cause.issues,
      { cause },
    );
  }

  static async #readTail(handle: Awaited<ReturnType<typeof open>>, start: number, bytes: number): Promise<Buffer> {
    const tail = Buffer.alloc(bytes);
    await handle.read(tail, 0, bytes, start);
    return tail;
  }

  /** Whether the unterminated last line holds something (not only blanks), which the reader then accepted. */
  static async #tailIsRecord(handle: Awaited<ReturnType<typeof open>>, start: number, bytes: number): Promise<boolean> {
    return !/^[ \t\r\uFEFF]*$/.test((await JsonlWriter.#readTail(handle, start, bytes)).toString('utf8'));
  }

  /**
   * Whether `tail` is the start of a JSON value cut short, as a crash mid-write leaves it: it parses
   * only up to its very end (a multi-byte character cut in half counts as an end too).
   */
  static #isTornJson(tail: Buffer): boolean {
    let text: string;
    try {
      // `stream: true` holds back a character cut in half at the end instead of failing on it.
      text = new TextDecoder('utf-8', { fatal: true }).decode(tail, { stream: true });
    } catch {
      return false;
    }
    if (text.trim() === '') return false;
    try {
      JSON.parse(text);
      return false;
    } catch (error) {
      const message = (error as Error).message;
      if (message.includes('Unexpected end of JSON input')) return true;
      const position = /at position (\d+)/.exec(message)?.[1];
      return position !== undefined && Number(position) >= text.length;
    }
  }

  /** Records in the file: those found on resume plus those written since. */
  get count(): number {
    return this.#count;
  }

  /**
   * Validates `record` (if a schema was given; a `ValidationError` names the field) and appends it
   * as one line. Calls may overlap: lines land in call order.
   */
  write(record: Record): Promise<void> {
    try {
      this.#checkWritable();
      const line = this.#encode(record, this.#count + 1);
      this.#count += 1;
      return this.#append(line);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Appends several records in order, each as its own line, gathering up to `batchBytes` (default
   * 1 MiB) of whole lines into one write: much faster than awaiting `write` per record, and still
   * only a torn last line after a crash. A record that fails validation stops the call after the
   * records before it are written.
   */
  async writeAll(
    records: Iterable<Record> | AsyncIterable<Record>,
    options: { batchBytes?: number } = {},
  ): Promise<void> {
    const batchBytes = options.batchBytes ?? 1024 * 1024;
    let batch: Buffer[] = [];
    let bytes = 0;
    const flushBatch = async () => {
      if (batch.length === 0) return;
      const lines = Buffer.concat(batch, bytes);
      this.#count += batch.length;
      batch = [];
      bytes = 0;
      await this.#append(lines);
    };
    this.#checkWritable();
    try {
      for await (const record of records) {
        const line = this.#encode(record, this.#count + batch.length + 1);
        batch.push(line);
        bytes += line.length;
        if (bytes >= batchBytes) await flushBatch();
      }
    } finally {
      await flushBatch();
    }
  }

  #checkWritable(): void {
    if (this.#closed) throw new ConfigError(`JsonlWriter(${this.path}): write after close`);
    if (this.#failure !== undefined) {
      throw new ConfigError(`JsonlWriter(${this.path}): an earlier write failed; reopen with mode 'resume'`, {
        cause: this.#failure,
      });
    }
  }

  /** Validates (when a schema was given) and serialises one record as a line; `ordinal` is its 1-based place in the file. */
  #encode(record: Record, ordinal: number): Buffer {
    const value =
      this.#schema === undefined ? record : validate(this.#schema, record, `${this.path} (record ${ordinal})`);
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`JsonlWriter(${this.path}): record ${ordinal} has no JSON form`);
    return Buffer.from(`${json}\n`);
  }

  /** Queues whole lines for one append; a failure marks the writer failed. */
  #append(lines: Buffer): Promise<void> {
    return this.#enqueue(async () => {
      // After a failed write the file may end in a torn line; appending more would bury it mid-file.
      if (this.#failure !== undefined) throw new ConfigError(`JsonlWriter(${this.path}): an earlier write failed`);
      try {
        let offset = 0;
        while (offset < lines.length) {
          const { bytesWritten } = await this.#handle.write(lines, offset, lines.length - offset);
          offset += bytesWritten;
        }
      } catch (error) {
        this.#failure = error;
        throw error;
      }
    });
  }

  /** Waits for pending writes and syncs the file to disk (e.g. before recording a checkpoint). */
  flush(): Promise<void> {
    return this.#enqueue(() => this.#handle.sync());
  }

  /** Waits for pending writes, syncs the file to disk and closes it. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return this.#queue;
    this.#closed = true;
    await this.#enqueue(async () => {
      try {
        await this.#handle.sync();
      } finally {
        await this.#handle.close();
      }
    });
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(task);
    // A failed write must not wedge later ones; the caller of the failed one still sees its error.
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
