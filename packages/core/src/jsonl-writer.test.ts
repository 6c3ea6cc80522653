import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, JsonlError, ValidationError } from './errors';
import { readJsonlAll } from './jsonl-reader';
import { JsonlWriter } from './jsonl-writer';
import { tripletSchema } from './records';
import { useTemporaryDirectories } from './test-support';

const temporaryDirectory = useTemporaryDirectories();
const triplet = (index: number) => ({ input: `dog ${index}`, edit: 'add a hat', output: `dog ${index} in a hat` });
const line = (index: number) => `${JSON.stringify(triplet(index))}\n`;

describe('JsonlWriter', () => {
  it('writes one line per record, in call order even when calls overlap', async () => {
    const path = join(temporaryDirectory(), 'out.jsonl');
    const writer = await JsonlWriter.open(path, { schema: tripletSchema });
    await Promise.all([0, 1, 2, 3].map((index) => writer.write(triplet(index))));
    await writer.close();
    expect(readFileSync(path, 'utf8')).toBe([0, 1, 2, 3].map(line).join(''));
    expect(writer.count).toBe(4);
  });

  it('refuses an existing file in create mode and empties it in overwrite mode', async () => {
    const path = join(temporaryDirectory(), 'out.jsonl');
    writeFileSync(path, line(0));
    await expect(JsonlWriter.open(path)).rejects.toThrow(/already exists; open it with mode 'resume'/);
    const writer = await JsonlWriter.open(path, { mode: 'overwrite' });
    await writer.write(triplet(5));
    await writer.close();
    expect(readFileSync(path, 'utf8')).toBe(line(5));
  });

  it('validates records before writing and names the field', async () => {
    const path = join(temporaryDirectory(), 'out.jsonl');
    const writer = await JsonlWriter.open(path, { schema: tripletSchema });
    const bad = { input: 'a', edit: '', output: 'b' };
    await expect(writer.write(bad)).rejects.toThrow(ValidationError);
    await expect(writer.write(bad)).rejects.toThrow(`${path} (record 1): field "edit": must not be empty or blank`);
    await writer.write(triplet(1));
    await writer.close();
    expect(readFileSync(path, 'utf8')).toBe(line(1));
    await expect(writer.write(triplet(2))).rejects.toThrow(ConfigError);
  });

  it('resumes: counts existing records and appends after them', async () => {
    const path = join(temporaryDirectory(), 'out.jsonl');
    writeFileSync(path, `${line(0)}\n${line(1)}`);
    const writer = await JsonlWriter.open(path, { mode: 'resume', schema: tripletSchema });
    expect(writer.resumed).toEqual({ existingRecords: 2, truncatedBytes: 0 });
    await writer.write(triplet(2));
    await writer.close();
    expect(writer.count).toBe(3);
    expect(readFileSync(path, 'utf8')).toBe(`${line(0)}\n${line(1)}${line(2)}`);
  });

  it('resumes over a missing file as a new one', async () => {
    const path = join(temporaryDirectory(), 'new.jsonl');
    const writer = await JsonlWriter.open(path, { mode: 'resume' });
    expect(writer.resumed).toEqual({ existingRecords: 0, truncatedBytes: 0 });
    await writer.close();
    expect(existsSync(path)).toBe(true);
  });

  it('keeps a complete last record that only lacks its newline', async () => {
    const path = join(temporaryDirectory(), 'out.jsonl');
    writeFileSync(path, `${line(0)}${line(1).trimEnd()}`);
    const writer = await JsonlWriter.open(path, { mode: 'resume', schema: tripletSchema });
    expect(writer.resumed).toEqual({ existingRecords: 2, truncatedBytes: 0 });
    await writer.write(triplet(2));
    await writer.close();
    expect(readFileSync(path, 'utf8')).toBe(`${line(0)}${line(1)}${line(2)}`);
  });

  it('refuses to resume over a bad line that is not the torn end', async () => {
    const path = join(temporaryDirectory(), 'out.jsonl');
    writeFileSync(path, `${line(0)}{"input": 3}\n${line(2)}`);
    const error = await JsonlWriter.open(path, { mode: 'resume', schema: tripletSchema }).catch((caught) => caught);
    expect(error).toBeInstanceOf(JsonlError);
    expect(error.message).toMatch(/out\.jsonl:2: field "input": expected string, received number; .*\(cannot resume/);
  });

  it('writeAll batches whole lines and, on a bad record, keeps the ones before it', async () => {
    const path = join(temporaryDirectory(), 'out.jsonl');
    const writer = await JsonlWriter.open(path, { schema: tripletSchema });
    await writer.writeAll(
      (function* () {
        for (let index = 0; index < 50; index++) yield triplet(index);
      })(),
      { batchBytes: 200 },
    );
    const bad = { input: 'x', edit: 5, output: 'y' } as unknown as ReturnType<typeof triplet>;
    await expect(writer.writeAll([triplet(50), triplet(51), bad, triplet(52)])).rejects.toThrow(
      `${path} (record 53): field "edit": expected string, received number`,
    );
    await writer.close();
    expect(writer.count).toBe(52);
    expect(readFileSync(path, 'utf8')).toBe(Array.from({ length: 52 }, (_, index) => line(index)).join(''));
  });

  it('on resume, cuts any unterminated garbage tail but refuses a complete garbage line (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 4 }),
        fc.uint8Array({ minLength: 1, maxLength: 40 }),
        async (rows, garbage) => {
          const tail = Buffer.from(garbage.filter((byte) => byte !== 0x0a));
          const head = Array.from({ length: rows }, (_, index) => line(index)).join('');
          const directory = temporaryDirectory();
          const torn = join(directory, 'torn.jsonl');
          writeFileSync(torn, Buffer.concat([Buffer.from(head), tail]));
          let tailIsRecord = false;
          try {
            tailIsRecord = tripletSchema.safeParse(JSON.parse(tail.toString('utf8'))).success;
          } catch {
            tailIsRecord = false;
          }
          const writer = await JsonlWriter.open(torn, { mode: 'resume', schema: tripletSchema });
          await writer.close();
          expect(writer.resumed.existingRecords).toBe(rows + (tailIsRecord ? 1 : 0));
          expect(readFileSync(torn, 'utf8')).toBe(head + (tailIsRecord ? `${tail.toString('utf8')}\n` : ''));
          const complete = join(directory, 'complete.jsonl');
          writeFileSync(complete, Buffer.concat([Buffer.from(head), tail, Buffer.from(`\n${line(9)}`)]));
          const blank = tail.toString('latin1').trim() === '';
          if (!tailIsRecord && !blank) {
            await expect(JsonlWriter.open(complete, { mode: 'resume', schema: tripletSchema })).rejects.toThrow(
              JsonlError,
            );
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('after a crash at any byte, resume cuts only the torn line and the file reads back whole', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.nat(),
        fc.integer({ min: 0, max: 3 }),
        async (rows, cut, more) => {
          const full = Buffer.from(Array.from({ length: rows }, (_, index) => line(index)).join(''));
          const kept = full.subarray(0, cut % (full.length + 1));
          const path = join(temporaryDirectory(), 'crash.jsonl');
          writeFileSync(path, kept);
          const writer = await JsonlWriter.open(path, { mode: 'resume', schema: tripletSchema });
          const complete = kept.filter((byte) => byte === 0x0a).length;
          const tornIsWholeRecord =
            kept.length > 0 && kept.at(-1) !== 0x0a && kept.length === full.indexOf(0x0a, kept.length - 1);
          const survivors = complete + (tornIsWholeRecord ? 1 : 0);
          expect(writer.resumed.existingRecords).toBe(survivors);
          for (let index = survivors; index < survivors + more; index++) await writer.write(triplet(index));
          await writer.close();
          const { records } = await readJsonlAll(path, tripletSchema);
          expect(records).toEqual(Array.from({ length: survivors + more }, (_, index) => triplet(index)));
        },
      ),
      { numRuns: 80 },
    );
  });
});
