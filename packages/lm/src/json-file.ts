import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { ModelFormatError } from './model-format-error';

/** Files larger than this are not JSON metadata; refusing them keeps a wrong path from filling memory. */
const JSON_FILE_LIMIT_BYTES = 1 << 30;

/** Reads and parses a JSON file; a missing file or bad JSON becomes a {@link ModelFormatError} naming line and column. */
export async function readJsonFile(path: string): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ModelFormatError(path, code === 'ENOENT' ? 'file not found' : `cannot read: ${(error as Error).message}`);
  }
  if (bytes.length > JSON_FILE_LIMIT_BYTES) throw new ModelFormatError(path, 'file too large for a JSON file');
  return parseJsonText(bytes.toString('utf8'), path);
}

/** Parses JSON text; errors name the file and the line:column of the fault. */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    if (position === null) throw new ModelFormatError(file, `invalid JSON: ${message}`);
    const offset = Number(position[1]);
    const before = text.slice(0, offset).split('\n');
    const line = before.length;
    const column = before[before.length - 1]!.length + 1;
    throw new ModelFormatError(`${file}:${line}:${column}`, `invalid JSON: ${message}`);
  }
}

/** Validates a parsed JSON value with a zod schema; the first failing field is named in the error. */
export function validateJson<Schema extends z.ZodType>(schema: Schema, value: unknown, file: string): z.output<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length === 0 ? undefined : issue.path.map(String).join('.');
  throw new ModelFormatError(file, issue.message, field);
}
