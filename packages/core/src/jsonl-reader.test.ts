import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, JsonlError } from './errors';
import { readJsonl, readJsonlAll } from './jsonl-reader';
import { tripletSchema } from './records';
import { useTemporaryDirectories } from './test-support';

const temporaryDirectory = useTemporaryDirectories();

function fileWith(content: string | Uint8Array, name = 'data.jsonl'): string {
  const path = join(temporaryDirectory(), name);
  writeFileSync(path, content);
  return path;
}

async function rejection(promise: Promise<unknown>): Promise<JsonlError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof JsonlError) return error;
    throw error;
  }
  throw new Error('expected a JsonlError');
}

const triplet = (index: number) => ({ input: `cat ${index}`, edit: 'make it night', output: `cat ${index} at night` });

describe('readJsonl', () => {
  it('reads records, skipping blank lines, with LF, CRLF, a BOM and no final newline', async () => {
    const text = `\uFEFF${JSON.stringify(triplet(1))}\r\n\n   \r\n${JSON.stringify(triplet(2))}\n${JSON.stringify(triplet(3))}`;
    const { records, stats } = await readJsonlAll(fileWith(text), tripletSchema);
    expect(records).toEqual([triplet(1), triplet(2), triplet(3)]);
    expect(stats).toEqual({ lines: 5, records: 3, skipped: 0, errors: [] });
  });

  it('names file, line and field of a schema error', async () => {
    const lines = [triplet(1), triplet(2), { input: 'a', edit: 7, output: 'b' }].map((value) => JSON.stringify(value));
    const path = fileWith(`${lines.join('\n')}\n`);
    const error = await rejection(readJsonlAll(path, tripletSchema));
    expect(error.message).toBe(`${path}:3: field "edit": expected string, received number`);
    expect(error).toMatchObject({ file: path, line: 3, reason: 'schema', code: 'JSONL' });
    expect(error.issues).toEqual([{ path: ['edit'], message: 'expected string, received number' }]);
  });

  it('says "missing" for an absent field and reports unknown keys', async () => {
    const path = fileWith(`${JSON.stringify({ input: 'a', output: 'b', edits: 'c' })}\n`);
    const error = await rejection(readJsonlAll(path, tripletSchema));
    expect(error.message).toBe(`${path}:1: field "edit": missing (expected string); Unrecognized key: "edits"`);
  });

  it('reports invalid JSON and invalid UTF-8 with their line', async () => {
    const json = await rejection(readJsonlAll(fileWith(`${JSON.stringify(triplet(1))}\n{"input": \n`), tripletSchema));
    expect(json.line).toBe(2);
    expect(json.reason).toBe('json');
    expect(json.message).toMatch(/:2: invalid JSON: /);
    const bytes = Buffer.concat([Buffer.from('{"input":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')]);
    const encoding = await rejection(readJsonlAll(fileWith(bytes), z.unknown()));
    expect(encoding).toMatchObject({ line: 1, reason: 'encoding' });
  });

  it('skips, counts and reports bad lines in skip mode', async () => {
    const lines = ['{"input":"a","edit":"b","output":"c"}', 'not json', '{"input":"a"}', '', '[1,2]'];
    const skipped: number[] = [];
    const reader = readJsonl(fileWith(lines.join('\n')), tripletSchema, {
      onInvalid: 'skip',
      onSkip: (error) => skipped.push(error.line),
    });
    const records = [];
    for await (const record of reader) records.push(record);
    expect(records).toEqual([{ input: 'a', edit: 'b', output: 'c' }]);
    expect(reader.stats).toMatchObject({ lines: 5, records: 1, skipped: 3 });
    expect(reader.stats.errors.map((error) => [error.line, error.reason])).toEqual([
      [2, 'json'],
      [3, 'schema'],
      [5, 'schema'],
    ]);
    expect(skipped).toEqual([2, 3, 5]);
    expect(reader.stats.errors[2]?.message).toMatch(/:5: expected object, received array$/);
  });

  it('gives up in skip mode once maxInvalid is passed', async () => {
    const path = fileWith('x\ny\nz\n');
    const error = await rejection(readJsonlAll(path, z.unknown(), { onInvalid: 'skip', maxInvalid: 1 }));
    expect(error).toMatchObject({ reason: 'too-many-invalid', line: 2 });
    expect(error.message).toContain(`${path}:1: invalid JSON`);
  });

  it('caps line length: a line at the cap parses, one byte more is rejected, the next line is read', async () => {
    const atCap = JSON.stringify({ text: 'x'.repeat(100) });
    const overCap = JSON.stringify({ text: 'x'.repeat(101) });
    const path = fileWith(`${atCap}\n${overCap}\r\n${atCap}\r\n`);
    const options = { onInvalid: 'skip', maxLineBytes: atCap.length + 1 } as const;
    const { records, stats } = await readJsonlAll(path, z.object({ text: z.string() }), options);
    expect(records).toHaveLength(2);
    expect(stats.errors.map((error) => [error.line, error.reason])).toEqual([[2, 'line-too-long']]);
    const strict = await rejection(readJsonlAll(path, z.unknown(), { maxLineBytes: atCap.length }));
    expect(strict.message).toBe(`${path}:2: line longer than ${atCap.length} bytes`);
  });

  it('rejects a huge file without newlines at the cap instead of buffering it', async () => {
    const path = fileWith(Buffer.alloc(8 * 1024 * 1024, 0x61));
    const error = await rejection(readJsonlAll(path, z.unknown(), { maxLineBytes: 1024, chunkBytes: 4096 }));
    expect(error).toMatchObject({ line: 1, reason: 'line-too-long' });
  });

  it('stops reading when the consumer breaks early', async () => {
    const path = fileWith(`${[1, 2, 3].map((index) => JSON.stringify(triplet(index))).join('\n')}\n`);
    const reader = readJsonl(path, tripletSchema);
    for await (const record of reader) {
      expect(record).toEqual(triplet(1));
      break;
    }
    expect(reader.stats.records).toBe(1);
  });

  it('names the file in system errors', async () => {
    const directory = temporaryDirectory();
    await expect(readJsonlAll(directory, z.unknown())).rejects.toThrow(`${directory}: EISDIR`);
    await expect(readJsonlAll(join(directory, 'missing.jsonl'), z.unknown())).rejects.toThrow(/ENOENT.*missing\.jsonl/);
  });

  it('rejects bad options as ConfigError', () => {
    expect(() => readJsonl('x', z.unknown(), { maxLineBytes: 0 })).toThrow(ConfigError);
    expect(() => readJsonl('x', z.unknown(), { onInvalid: 'ignore' as 'skip' })).toThrow(ConfigError);
  });
});

describe('readJsonl fuzzing', () => {
  const textRecord = fc.record({
    input: fc.string({ minLength: 1 }).filter((text) => /\S/.test(text)),
    n: fc.integer(),
  });
  const schema = z.strictObject({ input: z.string().regex(/\S/), n: z.number() });

  it('round-trips records whatever the line ends, blank lines, BOM and chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(textRecord, fc.constantFrom('\n', '\r\n'), fc.nat(2))),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 64 }),
        async (rows, bom, finalNewline, chunkBytes) => {
          let text = bom ? '\uFEFF' : '';
          rows.forEach(([record, end, blanks], index) => {
            text += JSON.stringify(record);
            if (index < rows.length - 1 || finalNewline) text += end;
            if (index < rows.length - 1) text += end.repeat(blanks);
          });
          const { records, stats } = await readJsonlAll(fileWith(text), schema, { chunkBytes });
          expect(records).toEqual(rows.map(([record]) => record));
          expect(stats.skipped).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('on random bytes, only ever throws JsonlError in throw mode and never throws in skip mode', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 400 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 80 }),
        async (bytes, chunkBytes, maxLineBytes) => {
          const path = fileWith(bytes);
          const expectedLines = bytes.filter((byte) => byte === 0x0a).length + (bytes.at(-1) === 0x0a ? 0 : 1);
          const skip = await readJsonlAll(path, schema, { onInvalid: 'skip', chunkBytes, maxLineBytes });
          expect(skip.stats.lines).toBe(bytes.length === 0 ? 0 : expectedLines);
          expect(skip.stats.records + skip.stats.skipped).toBeLessThanOrEqual(skip.stats.lines);
          try {
            await readJsonlAll(path, schema, { chunkBytes, maxLineBytes });
          } catch (error) {
            expect(error).toBeInstanceOf(JsonlError);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reads a truncated file as its complete lines plus at most one bad last line', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(textRecord, { minLength: 1, maxLength: 8 }), fc.nat(), async (rows, cut) => {
        const full = Buffer.from(rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
        const truncated = full.subarray(0, cut % (full.length + 1));
        const completeLines = truncated.filter((byte) => byte === 0x0a).length;
        const { records, stats } = await readJsonlAll(fileWith(truncated), schema, { onInvalid: 'skip' });
        expect(records.slice(0, completeLines)).toEqual(rows.slice(0, completeLines));
        // A torn last line is either rejected or, cut exactly before its newline, complete.
        expect(records.length - completeLines + stats.skipped).toBeLessThanOrEqual(1);
        if (stats.skipped === 1) expect(stats.errors[0]?.line).toBe(completeLines + 1);
      }),
      { numRuns: 100 },
    );
  });

  it('names the line and field of wrongly typed values among good records', async () => {
    const wrongValue = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.nat()), fc.object());
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(fc.tuple(fc.constantFrom('input', 'edit', 'output'), wrongValue), { freq: 2 }), {
          maxLength: 12,
        }),
        async (plan) => {
          const lines = plan.map((wrong, index) =>
            JSON.stringify(wrong ? { ...triplet(index), [wrong[0]]: wrong[1] } : triplet(index)),
          );
          const { records, stats } = await readJsonlAll(fileWith(lines.join('\n')), tripletSchema, {
            onInvalid: 'skip',
          });
          expect(records).toEqual(plan.flatMap((wrong, index) => (wrong ? [] : [triplet(index)])));
          const expected = plan.flatMap((wrong, index) =>
            wrong ? [`:${index + 1}: field "${wrong[0]}": expected string`] : [],
          );
          expect(
            stats.errors.map((error) => error.message.replace(/^.*?(:\d+: field "\w+": expected string).*$/, '$1')),
          ).toEqual(expected.slice(0, 20));
        },
      ),
      { numRuns: 60 },
    );
  });
});
