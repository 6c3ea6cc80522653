import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParameterStore } from './parameter-store';
import {
  parseSafetensors,
  readSafetensors,
  readSafetensorsFile,
  SafetensorsError,
  serializeSafetensors,
  writeSafetensors,
} from './safetensors';

/** A file built per the format by hand: u64 little-endian header length, the ASCII header, then the raw data bytes. */
function assemble(header: string, data: number[]): Uint8Array {
  const length = header.length;
  const lengthBytes = [length & 0xff, (length >> 8) & 0xff, (length >> 16) & 0xff, (length >> 24) & 0xff, 0, 0, 0, 0];
  return Uint8Array.from([...lengthBytes, ...[...header].map((character) => character.charCodeAt(0)), ...data]);
}

function tensorHeader(entries: Record<string, [string, number[], number, number]>, metadata?: object): string {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header.__metadata__ = metadata;
  for (const [name, [dtype, shape, begin, end]] of Object.entries(entries)) {
    header[name] = { dtype, shape, data_offsets: [begin, end] };
  }
  return JSON.stringify(header);
}

/** Parse, and map any SafetensorsError to its message; any other exception escapes and fails the test. */
function parseOrMessage(bytes: Uint8Array): string | undefined {
  try {
    parseSafetensors(bytes);
    return undefined;
  } catch (error) {
    if (error instanceof SafetensorsError) return error.message;
    throw error;
  }
}

describe('parseSafetensors on hand-assembled files', () => {
  it('reads F32, F16, BF16, F64, I64, I32, U8 and BOOL tensors and the metadata', () => {
    const header =
      '{"__metadata__":{"format":"pt"},' +
      '"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
      '"h":{"dtype":"F16","shape":[3],"data_offsets":[8,14]},' +
      '"b":{"dtype":"BF16","shape":[1,2],"data_offsets":[14,18]},' +
      '"d":{"dtype":"F64","shape":[1],"data_offsets":[18,26]},' +
      '"l":{"dtype":"I64","shape":[1],"data_offsets":[26,34]},' +
      '"i":{"dtype":"I32","shape":[1],"data_offsets":[34,38]},' +
      '"u":{"dtype":"U8","shape":[2],"data_offsets":[38,40]},' +
      '"t":{"dtype":"BOOL","shape":[],"data_offsets":[40,41]}}';
    const data = [
      ...[0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0], // f32 1.0 = 0x3F800000, -2.0 = 0xC0000000
      ...[0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b], // f16 1.0 = 0x3C00, -2.0 = 0xC000, 65504 = 0x7BFF (largest finite)
      ...[0x80, 0x3f, 0x49, 0x40], // bf16 1.0 = 0x3F80, 3.140625 = 0x4049
      ...[0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf8, 0x3f], // f64 1.5 = 0x3FF8000000000000
      ...[0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // i64 -3
      ...[0x00, 0x01, 0x00, 0x00], // i32 256
      ...[0x07, 0xff], // u8 7, 255
      0x01, // bool true
    ];
    const { tensors, metadata } = parseSafetensors(assemble(header, data));
    expect(metadata).toEqual({ format: 'pt' });
    expect([...tensors.keys()]).toEqual(['a', 'h', 'b', 'd', 'l', 'i', 'u', 't']);
    expect(tensors.get('a')).toEqual({ dtype: 'F32', shape: [2], data: new Float32Array([1, -2]) });
    expect(tensors.get('h')).toEqual({ dtype: 'F16', shape: [3], data: new Float32Array([1, -2, 65504]) });
    expect(tensors.get('b')).toEqual({ dtype: 'BF16', shape: [1, 2], data: new Float32Array([1, 3.140625]) });
    expect([...tensors.get('d')!.data]).toEqual([1.5]);
    expect([...tensors.get('l')!.data]).toEqual([-3]);
    expect([...tensors.get('i')!.data]).toEqual([256]);
    expect([...tensors.get('u')!.data]).toEqual([7, 255]);
    expect(tensors.get('t')).toEqual({ dtype: 'BOOL', shape: [], data: new Float32Array([1]) });
  });

  it('converts f16 subnormals, signed zero, infinities and NaN', () => {
    const patterns = [0x0001, 0x03ff, 0x0400, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x3555, 0x3c01];
    const header = tensorHeader({ h: ['F16', [patterns.length], 0, patterns.length * 2] });
    const { data } = parseSafetensors(
      assemble(
        header,
        patterns.flatMap((bits) => [bits & 0xff, bits >> 8]),
      ),
    ).tensors.get('h')!;
    expect(data[0]).toBe(2 ** -24); // smallest subnormal: 1 * 2^-24
    expect(data[1]).toBe(1023 * 2 ** -24); // largest subnormal
    expect(data[2]).toBe(2 ** -14); // smallest normal
    expect(Object.is(data[3], -0)).toBe(true);
    expect(data[4]).toBe(Number.POSITIVE_INFINITY);
    expect(data[5]).toBe(Number.NEGATIVE_INFINITY);
    expect(Number.isNaN(data[6])).toBe(true);
    expect(data[7]).toBe((1 + 0x155 / 1024) * 2 ** -2); // 0.333251953125, the f16 nearest 1/3
    expect(data[8]).toBe(1 + 1 / 1024); // one ulp above 1
  });

  it('converts every f16 mantissa of the exponent of 1.0: 0x3C00 + k = 1 + k / 1024', () => {
    const patterns = Array.from({ length: 1024 }, (_, k) => 0x3c00 + k);
    const header = tensorHeader({ h: ['F16', [1024], 0, 2048] });
    const { data } = parseSafetensors(
      assemble(
        header,
        patterns.flatMap((bits) => [bits & 0xff, bits >> 8]),
      ),
    ).tensors.get('h')!;
    patterns.forEach((_, k) => {
      expect(data[k]).toBe(1 + k / 1024);
    });
  });

  it('converts bf16 subnormals, infinities and NaN exactly', () => {
    const patterns = [0x0001, 0x8000, 0x7f80, 0xff80, 0x7fc0, 0xc000, 0x7f7f];
    const header = tensorHeader({ b: ['BF16', [patterns.length], 0, patterns.length * 2] });
    const { data } = parseSafetensors(
      assemble(
        header,
        patterns.flatMap((bits) => [bits & 0xff, bits >> 8]),
      ),
    ).tensors.get('b')!;
    expect(data[0]).toBe(2 ** -133); // smallest bf16 subnormal: float32 bits 0x00010000
    expect(Object.is(data[1], -0)).toBe(true);
    expect(data[2]).toBe(Number.POSITIVE_INFINITY);
    expect(data[3]).toBe(Number.NEGATIVE_INFINITY);
    expect(Number.isNaN(data[4])).toBe(true);
    expect(data[5]).toBe(-2);
    expect(data[6]).toBe((2 - 2 ** -7) * 2 ** 127); // largest finite bf16
  });

  it('accepts header padding, zero-sized tensors and tensors listed out of offset order', () => {
    const header = `${tensorHeader({ late: ['F32', [1], 4, 8], empty: ['F32', [0, 3], 4, 4], early: ['F32', [1], 0, 4] })}   `;
    const { tensors } = parseSafetensors(assemble(header, [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]));
    expect([...tensors.get('early')!.data]).toEqual([1]);
    expect([...tensors.get('late')!.data]).toEqual([2]);
    expect(tensors.get('empty')!.data.length).toBe(0);
  });
});

describe('parseSafetensors errors', () => {
  const four = [0, 0, 0x80, 0x3f];
  const cases: [string, Uint8Array, RegExp][] = [
    ['a file shorter than the length field', Uint8Array.from([1, 2, 3, 4, 5]), /truncated: 5 bytes/],
    [
      'a header length past the end',
      assemble('{}', []).map((byte, index) => (index === 0 ? 200 : byte)),
      /header length says 200 bytes but only 2 follow/,
    ],
    [
      'a huge header length',
      Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0x80, 0x7b, 0x7d]),
      /header length 9223372036854775808 exceeds the cap of 100000000 bytes/,
    ],
    ['invalid UTF-8', assemble('{"\xff":1}', []).map((byte) => (byte === 0xff ? 0xc3 : byte)), /not valid UTF-8/],
    ['bad JSON', assemble('{"a":', []), /header is not valid JSON/],
    ['a header that is not an object', assemble('[1, 2]', []), /must be a JSON object starting with "\{"/],
    [
      'a tensor entry that is not an object',
      assemble('{"w":3}', []),
      /tensor "w" must be an object with dtype, shape and data_offsets, got 3/,
    ],
    [
      'a non-string dtype',
      assemble(tensorHeader({ w: [5 as unknown as string, [1], 0, 4] }), four),
      /tensor "w": dtype must be a string, got 5/,
    ],
    ['an unknown dtype', assemble(tensorHeader({ w: ['F17', [1], 0, 4] }), four), /tensor "w": unknown dtype "F17"/],
    [
      'an unsupported dtype',
      assemble(tensorHeader({ w: ['F8_E4M3', [4], 0, 4] }), four),
      /tensor "w": dtype F8_E4M3 is not supported/,
    ],
    [
      'a bad shape',
      assemble('{"w":{"dtype":"F32","shape":"2","data_offsets":[0,4]}}', four),
      /tensor "w": shape must be an array of non-negative integers, got "2"/,
    ],
    ['a negative dimension', assemble(tensorHeader({ w: ['F32', [-1], 0, 4] }), four), /tensor "w": shape must be/],
    [
      'bad offsets',
      assemble('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}}', four),
      /tensor "w": data_offsets must be \[begin, end\]/,
    ],
    [
      'offsets that end before they begin',
      assemble(tensorHeader({ w: ['F32', [0], 4, 0] }), four),
      /\[4, 0\] end before they begin/,
    ],
    [
      'offsets out of range',
      assemble(tensorHeader({ w: ['F32', [2], 0, 8] }), four),
      /\[0, 8\] run past the 4 bytes of data/,
    ],
    [
      'a size not matching shape x dtype',
      assemble(tensorHeader({ w: ['F32', [3], 0, 4] }), four),
      /shape \[3\] of F32 needs 12 bytes but data_offsets \[0, 4\] hold 4/,
    ],
    [
      'a huge shape',
      assemble(tensorHeader({ w: ['F32', [2 ** 40, 2 ** 40], 0, 4] }), four),
      /tensor "w": shape \[1099511627776, 1099511627776\] of F32 needs/,
    ],
    [
      'overlapping tensors',
      assemble(tensorHeader({ a: ['F32', [2], 0, 8], b: ['F32', [2], 4, 12] }), [...four, ...four, ...four]),
      /tensor "b": data_offsets \[4, 12\] overlap another tensor/,
    ],
    [
      'a gap between tensors',
      assemble(tensorHeader({ a: ['F32', [1], 0, 4], b: ['F32', [1], 8, 12] }), [...four, ...four, ...four]),
      /tensor "b": data_offsets begin at 8, leaving bytes 4..8 unused/,
    ],
    [
      'trailing bytes',
      assemble(tensorHeader({ a: ['F32', [1], 0, 4] }), [...four, 1, 2]),
      /2 bytes after the last tensor belong to no tensor/,
    ],
    ['non-string metadata', assemble(tensorHeader({}, { epoch: 3 }), []), /__metadata__.epoch must be a string, got 3/],
    [
      'metadata that is not an object',
      assemble('{"__metadata__":[]}', []),
      /__metadata__ must be an object of strings/,
    ],
  ];
  it.each(cases)('rejects %s with a SafetensorsError', (_, bytes, message) => {
    expect(() => parseSafetensors(bytes)).toThrow(SafetensorsError);
    expect(() => parseSafetensors(bytes)).toThrow(message);
  });

  it('honours a lower header cap', () => {
    expect(() => parseSafetensors(assemble('{}      ', []), { maxHeaderBytes: 4 })).toThrow(
      /exceeds the cap of 4 bytes/,
    );
  });
});

describe('serializeSafetensors', () => {
  it('writes the layout of the format byte for byte, padding the header to 8 bytes', () => {
    const bytes = serializeSafetensors(new Map([['x', { shape: [2], data: new Float32Array([1, -2]) }]]));
    // the 54-byte header is padded by 2 spaces so that 8 + 56 is a multiple of 8
    const expected = assemble(
      '{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}  ',
      [0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0],
    );
    expect([...bytes]).toEqual([...expected]);
  });

  it('sorts tensors by name, writes metadata, and accepts a ParameterStore', () => {
    const store = new ParameterStore();
    store.add('z', [1], new Float32Array([3]));
    store.add('a', [2, 1], new Float32Array([1, 2]));
    const bytes = serializeSafetensors(store, { step: '7' });
    const headerLength = new DataView(bytes.buffer).getUint32(0, true);
    expect((8 + headerLength) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    expect(header).toEqual({
      __metadata__: { step: '7' },
      a: { dtype: 'F32', shape: [2, 1], data_offsets: [0, 8] },
      z: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
    });
  });

  it('rejects data not matching the shape, duplicate and reserved names', () => {
    expect(() => serializeSafetensors(new Map([['w', { shape: [3], data: new Float32Array(2) }]]))).toThrow(
      /"w" has shape \[3\] but 2 values/,
    );
    expect(() => serializeSafetensors(new Map([['__metadata__', { shape: [0], data: new Float32Array(0) }]]))).toThrow(
      /reserved/,
    );
    const twice = [
      { name: 'w', shape: [1], data: new Float32Array(1) },
      { name: 'w', shape: [1], data: new Float32Array(1) },
    ];
    expect(() => serializeSafetensors(twice)).toThrow(/"w" appears twice/);
  });

  it('round-trips any float32 tensors bit for bit, NaN payloads and -0 included', () => {
    const tensorArbitrary = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }).chain((shape) =>
      fc
        .array(fc.integer(), {
          minLength: shape.reduce((a, b) => a * b, 1),
          maxLength: shape.reduce((a, b) => a * b, 1),
        })
        .map((bits) => ({ shape, data: new Float32Array(Int32Array.from(bits).buffer) })),
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), tensorArbitrary, { maxKeys: 5 }),
        fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
        (record, metadata) => {
          delete record.__metadata__;
          const tensors = new Map(Object.entries(record));
          const { tensors: read, metadata: readMetadata } = parseSafetensors(serializeSafetensors(tensors, metadata));
          expect(readMetadata).toEqual(Object.keys(metadata).length > 0 ? metadata : {});
          expect(new Set(read.keys())).toEqual(new Set(tensors.keys()));
          for (const [name, tensor] of tensors) {
            expect(read.get(name)!.shape).toEqual(tensor.shape);
            expect(new Uint8Array(read.get(name)!.data.buffer)).toEqual(new Uint8Array(tensor.data.buffer));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('readSafetensors and writeSafetensors on files', () => {
  let directory = '';
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'safetensors-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('writes a file that reads back, and names the file in errors', async () => {
    const path = join(directory, 'model.safetensors');
    await writeSafetensors(path, new Map([['w', { shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) }]]), {
      note: 'x',
    });
    const { tensors, metadata } = await readSafetensors(path);
    expect([...tensors.get('w')!.data]).toEqual([1, 2, 3, 4]);
    expect(metadata).toEqual({ note: 'x' });
    const bytes = await readFile(path);
    const broken = join(directory, 'broken.safetensors');
    await writeFile(broken, bytes.subarray(0, bytes.length - 1));
    await expect(readSafetensors(broken)).rejects.toThrow(
      `${broken}: tensor "w": data_offsets [0, 16] run past the 15 bytes`,
    );
  });
});

describe('readSafetensorsFile', () => {
  let directory = '';
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'safetensors-file-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('reads every dtype as parseSafetensors does, and only the requested names', async () => {
    const header = tensorHeader({
      h: ['F16', [2], 0, 4],
      a: ['F32', [2], 4, 12],
      b: ['BF16', [1], 12, 14],
      u: ['U8', [2], 14, 16],
    });
    // f16 1.0 = 0x3C00, -2.0 = 0xC000; f32 0.5 = 0x3F000000, 3.0 = 0x40400000; bf16 -1.0 = 0xBF80; u8 7, 255
    const data = [0x00, 0x3c, 0x00, 0xc0, 0, 0, 0, 0x3f, 0, 0, 0x40, 0x40, 0x80, 0xbf, 7, 255];
    const path = join(directory, 'dtypes.safetensors');
    await writeFile(path, assemble(header, data));
    const all = await readSafetensorsFile(path);
    expect([...all.tensors.keys()]).toEqual(['h', 'a', 'b', 'u']);
    expect([...all.tensors.values()].map((tensor) => [...tensor.data])).toEqual([[1, -2], [0.5, 3], [-1], [7, 255]]);
    const some = await readSafetensorsFile(path, { names: ['u', 'a'] });
    expect([...some.tensors.keys()]).toEqual(['a', 'u']);
    expect(some.tensors.get('a')).toEqual({ dtype: 'F32', shape: [2], data: new Float32Array([0.5, 3]) });
    await expect(readSafetensorsFile(path, { names: ['missing'] })).rejects.toThrow(
      `${path}: tensor "missing" is not in the file`,
    );
  });

  it('gives the same tensors or the same error as parseSafetensors for damaged files', async () => {
    const valid = serializeSafetensors(
      new Map([
        ['a', { shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) }],
        ['b', { shape: [1], data: new Float32Array([7]) }],
      ]),
    );
    const path = join(directory, 'damaged.safetensors');
    const outcome = async (read: () => Promise<unknown>) => {
      try {
        return await read();
      } catch (error) {
        if (error instanceof SafetensorsError) return error.message;
        throw error;
      }
    };
    const damaged = fc.oneof(
      fc.nat(valid.length).map((length) => valid.slice(0, length)),
      fc
        .array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })
        .map((changes) => {
          const bytes = valid.slice();
          for (const [index, value] of changes) bytes[index] = value;
          return bytes;
        }),
      fc.uint8Array({ maxLength: 200 }),
    );
    await fc.assert(
      fc.asyncProperty(damaged, async (bytes) => {
        await writeFile(path, bytes);
        const expected = await outcome(async () => parseSafetensors(bytes, { source: path }));
        expect(await outcome(() => readSafetensorsFile(path))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

/** Whether `directory`'s filesystem leaves the gap of an extended file unallocated (a hole). */
async function makesSparseFiles(directory: string): Promise<boolean> {
  const path = join(directory, 'sparse-probe');
  const handle = await open(path, 'w');
  try {
    await handle.truncate(64 * 1024 * 1024);
    return (await handle.stat()).blocks * 512 < 1024 * 1024;
  } finally {
    await handle.close();
    await rm(path, { force: true });
  }
}

const largeDirectory = await mkdtemp(join(tmpdir(), 'safetensors-large-'));
const sparse = await makesSparseFiles(largeDirectory);
// just past 2 GiB, where a single Buffer (and so readFile) gives up; smaller only where holes are not available
const fillerBytes = sparse ? 2 ** 31 + 8 : 32 * 1024 * 1024;

describe('readSafetensorsFile on a large file', () => {
  afterAll(async () => {
    await rm(largeDirectory, { recursive: true, force: true });
  });

  it(
    sparse
      ? 'reads the last tensor of a sparse file just over 2 GiB'
      : 'reads the last tensor of a 32 MiB file (this filesystem makes no sparse files, so not over 2 GiB)',
    async () => {
      const header = tensorHeader({
        filler: ['U8', [fillerBytes], 0, fillerBytes],
        last: ['F32', [4], fillerBytes, fillerBytes + 16],
      });
      const headerBytes = assemble(header, []);
      const lastPosition = headerBytes.length + fillerBytes;
      const known = new DataView(new ArrayBuffer(16));
      for (const [index, value] of [1.5, -2, 3.25, 65536].entries()) known.setFloat32(index * 4, value, true);
      const path = join(largeDirectory, 'large.safetensors');
      const handle = await open(path, 'w');
      try {
        await handle.write(headerBytes, 0, headerBytes.length, 0);
        await handle.truncate(lastPosition + 16);
        await handle.write(new Uint8Array(known.buffer), 0, 16, lastPosition);
      } finally {
        await handle.close();
      }
      try {
        expect((await stat(path)).size).toBe(headerBytes.length + fillerBytes + 16);
        const { tensors } = await readSafetensorsFile(path, { names: ['last'] });
        expect([...tensors.keys()]).toEqual(['last']);
        expect(tensors.get('last')).toEqual({
          dtype: 'F32',
          shape: [4],
          data: new Float32Array([1.5, -2, 3.25, 65536]),
        });
      } finally {
        await rm(path, { force: true });
      }
    },
  );
});

describe('parseSafetensors fuzzing: only SafetensorsError, never a crash, a hang or a huge allocation', () => {
  const valid = serializeSafetensors(
    new Map([
      ['a', { shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) }],
      ['b', { shape: [1], data: new Float32Array([7]) }],
    ]),
    { kind: 'test' },
  );

  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        parseOrMessage(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('every truncation of a valid file', () => {
    for (let length = 0; length < valid.length; length++) {
      expect(parseOrMessage(valid.subarray(0, length))).toBeDefined();
    }
  });

  it('random byte changes in a valid file', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        (changes) => {
          const bytes = valid.slice();
          for (const [index, value] of changes) bytes[index] = value;
          const message = parseOrMessage(bytes);
          if (message === undefined) expect(parseSafetensors(bytes).tensors.size).toBeLessThanOrEqual(2);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('headers of wrong types and values', () => {
    const value = fc.oneof(
      fc.jsonValue(),
      fc.constantFrom('F32', 'F16', 'BF16', 'I64', 'BOOL', 'F8_E5M2', -1, 2 ** 53, 1e300),
    );
    const info = fc.record(
      {
        dtype: value,
        shape: fc.oneof(fc.array(fc.oneof(fc.nat(5), value), { maxLength: 3 }), value),
        data_offsets: fc.oneof(fc.tuple(fc.nat(40), fc.nat(40)), fc.array(value, { maxLength: 3 }), value),
      },
      { requiredKeys: [] },
    );
    const header = fc.dictionary(
      fc.oneof(fc.string({ maxLength: 4 }), fc.constant('__metadata__')),
      fc.oneof(info, value),
      { maxKeys: 4 },
    );
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 40 }), (json, data) => {
        parseOrMessage(assemble(JSON.stringify(json).replace(/[^\x20-\x7e]/g, '?'), [...data]));
      }),
      { numRuns: 500 },
    );
  });

  it('deeply nested JSON values are reported, not a stack overflow', () => {
    const nested = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    expect(parseOrMessage(assemble(`{"w":{"dtype":"F32","shape":${nested},"data_offsets":[0,0]}}`, []))).toMatch(
      /shape must be/,
    );
  });
});
