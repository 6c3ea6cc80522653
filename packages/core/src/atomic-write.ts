import { open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomicLibrary from 'write-file-atomic';
import type { z } from 'zod';
import { ValidationError } from './errors';
import { validate } from './validation';

/**
 * Flushes a directory's entry list to disk, so a rename or a new file inside it survives a power
 * loss. Best effort: some platforms and file systems cannot open or sync a directory.
 */
export async function syncDirectory(directory: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // Not supported here (e.g. Windows); the file itself is already synced.
  } finally {
    await handle?.close();
  }
}

/**
 * Replaces `path` with `data` all at once: readers see the old file or the new one, never a part.
 * Writes a temporary file beside it, syncs it, renames it over `path`, then syncs the directory.
 * Strings are written as UTF-8.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await writeFileAtomicLibrary(
    path,
    typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    {
      fsync: true,
    },
  );
  await syncDirectory(dirname(path));
}

/** Options of {@link writeJsonAtomic}. */
export interface WriteJsonOptions {
  /** Spaces of indentation (default 2); 0 writes one line. */
  indent?: number;
}

/** Writes `value` as JSON (with a final newline) through {@link writeFileAtomic}. */
export async function writeJsonAtomic(path: string, value: unknown, options: WriteJsonOptions = {}): Promise<void> {
  const text = JSON.stringify(value, null, options.indent ?? 2);
  if (text === undefined) throw new TypeError(`writeJsonAtomic(${path}): the value has no JSON form`);
  await writeFileAtomic(path, `${text}\n`);
}

/** 1-based line of a character offset, from the "position N" that V8's JSON.parse messages carry. */
function lineOfParseError(text: string, message: string): number | undefined {
  const position = /position (\d+)/.exec(message)?.[1];
  if (position === undefined) return undefined;
  let line = 1;
  for (let index = 0; index < Math.min(Number(position), text.length); index++)
    if (text.charCodeAt(index) === 10) line++;
  return line;
}

/**
 * Reads a JSON file (UTF-8, optional byte order mark) and validates it against `schema`. Either
 * failure throws a `ValidationError` naming the file: `run/manifest.json:3: invalid JSON: ...` or
 * `run/manifest.json: field "seed": expected number, received string`.
 */
export async function readJsonFile<Schema extends z.ZodType>(path: string, schema: Schema): Promise<z.output<Schema>> {
  const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    const message = (cause as Error).message;
    const line = lineOfParseError(text, message);
    throw new ValidationError(`${path}${line === undefined ? '' : `:${line}`}: invalid JSON: ${message}`, [], path, {
      cause,
    });
  }
  return validate(schema, value, path);
}
