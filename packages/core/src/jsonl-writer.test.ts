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

  it('refuses to resume a pretty-printed JSON file and leaves it byte for byte', async () => {
    const path = join(temporaryDirectory(), 'config.json');
    for (const text of ['{\n  "input": "dog",\n  "edit": "hat"\n}', '{\n  "input": "dog"\n}\n']) {
      writeFileSync(path, text);
      const error = await JsonlWriter.open(path, { mode: 'resume' }).catch((caught) => caught);
      expect(error).toBeInstanceOf(JsonlError);
      expect(error.message).toMatch(/config\.json:1: invalid JSON: .*\(cannot resume: .*left unchanged\)/);
      expect(readFileSync(path, 'utf8')).toBe(text);
    }
  });

  it('refuses a file without newlines that is longer than a line may be, leaving it whole', async () => {
    const path = join(temporaryDirectory(), 'blob.jsonl');
    const blob = Buffer.from(`{"input": "${'x'.repeat(5000)}`);
    writeFileSync(path, blob);
    const error = await JsonlWriter.open(path, { mode: 'resume', maxLineBytes: 1024 }).catch((caught) => caught);
    expect(error).toBeInstanceOf(JsonlError);
    expect(error.message).toMatch(/blob\.jsonl:1: line longer than 1024 bytes/);
    expect(readFileSync(path).equals(blob)).toBe(true);
  });

  it('refuses a last line that cannot be the start of a JSON value, leaving the file whole', async () => {
    const path = join(temporaryDirectory(), 'out.jsonl');
    const text = `${line(0)}${line(1)}not json at all`;
    writeFileSync(path, text);
    await expect(JsonlWriter.open(path, { mode: 'resume', schema: tripletSchema })).rejects.toThrow(
      `${path}:3: invalid JSON`,
    );
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('on resume, random bytes are left untouched unless they are JSONL with a torn last line (property)', async () => {
    // A JSON text can only start (after blanks) with one of these; a tail starting otherwise is not a torn record.
    const jsonStart = /^[ \t\r]*($|[{["\-0-9tfn])/;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3 }),
        fc.uint8Array({ minLength: 1, maxLength: 40 }),
        fc.boolean(),
        async (rows, garbage, withNewline) => {
          const tail = Buffer.from(garbage.filter((byte) => byte !== 0x0a));
          const head = Buffer.from(Array.from({ length: rows }, (_, index) => line(index)).join(''));
          const before = Buffer.concat([head, tail, Buffer.from(withNewline ? '\n' : '')]);
          const path = join(temporaryDirectory(), 'random.jsonl');
          writeFileSync(path, before);
          const outcome = await JsonlWriter.open(path, { mode: 'resume' }).then(
            async (writer) => {
              await writer.close();
              return writer.resumed;
            },
            (error) => error,
          );
          const after = readFileSync(path);
          if (outcome instanceof Error) {
            expect(outcome).toBeInstanceOf(JsonlError);
            expect(after.equals(before)).toBe(true);
            return;
          }
          if (after.equals(before)) return;
          // Changed: only an unterminated last line may have been cut, or given its newline.
          expect(withNewline).toBe(false);
          if (after.equals(Buffer.concat([before, Buffer.from('\n')]))) {
            expect(() => JSON.parse(tail.toString('utf8'))).not.toThrow();
            return;
          }
          expect(after.equals(head)).toBe(true);
          expect(outcome.truncatedBytes).toBe(tail.length);
          expect(() => JSON.parse(tail.toString('utf8'))).toThrow();
          expect(tail.toString('latin1')).toMatch(jsonStart);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('on resume, cuts a torn JSON line of any kind, even one cut inside a character (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.jsonValue(), { maxLength: 3 }),
        fc.jsonValue(),
        fc.nat(),
        async (values, last, cut) => {
          const head = Buffer.from(values.map((value) => `${JSON.stringify(value)}\n`).join(''));
          const whole = Buffer.from(JSON.stringify(last));
          const torn = whole.subarray(0, 1 + (cut % whole.length));
          const path = join(temporaryDirectory(), 'torn.jsonl');
          writeFileSync(path, Buffer.concat([head, torn]));
          const writer = await JsonlWriter.open(path, { mode: 'resume' });
          await writer.close();
          let tornIsValue = true;
          try {
            JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(torn));
          } catch {
            tornIsValue = false;
          }
          // A cut that still parses (`12` of `123`, or the whole value) is indistinguishable from a record.
          const expected = tornIsValue ? Buffer.concat([head, torn, Buffer.from('\n')]) : head;
          expect(readFileSync(path).equals(expected)).toBe(true);
          expect(writer.resumed).toEqual({
            existingRecords: values.length + (tornIsValue ? 1 : 0),
            truncatedBytes: tornIsValue ? 0 : torn.length,
          });
        },
      ),
      { numRuns: 200 },
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
