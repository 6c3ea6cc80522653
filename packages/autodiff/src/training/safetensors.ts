import { type FileHandle, open } from 'node:fs/promises';
import { writeFileAtomic } from '@diffchat/core';
import { elementCount } from '../shape';
import type { Parameter, TensorValues } from './parameter-store';

/** Element types this reader converts to float32, with their size in bytes. */
const readableDtypes = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
} as const;

/** Element types the format defines that this reader recognises but cannot convert (8-bit and smaller floats, complex). */
const unreadableDtypes = new Set(['F8_E4M3', 'F8_E5M2', 'F8_E8M0', 'F6_E2M3', 'F6_E3M2', 'F4', 'C64']);

/** A safetensors element type this reader converts to float32. */
export type SafetensorsDtype = keyof typeof readableDtypes;

/** One tensor read from a safetensors file: its stored dtype, its shape, its values converted to float32. */
export interface SafetensorsTensor {
  /** Element type in the file (values were converted from it; 64-bit integers beyond 2^24 lose precision). */
  dtype: SafetensorsDtype;
  shape: number[];
  /** Values in row-major order, a copy independent of the file bytes. */
  data: Float32Array;
}

/** A parsed safetensors file. */
export interface SafetensorsContents {
  /** Tensors by name, in the order the header lists them. */
  tensors: Map<string, SafetensorsTensor>;
  /** The header's `__metadata__` string map (empty when absent). */
  metadata: Record<string, string>;
}

/** Options of {@link parseSafetensors} and {@link readSafetensors}. */
export interface SafetensorsReadOptions {
  /** Largest header accepted, in bytes, default {@link MAX_SAFETENSORS_HEADER_BYTES}. */
  maxHeaderBytes?: number;
}

/** Default cap of the JSON header (100 MB, the limit of the reference implementation). */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;

/** A malformed or unsupported safetensors file; the message starts with the file (or "safetensors bytes") and names the offending tensor or field. */
export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';
  constructor(
    /** The file path, or "safetensors bytes" for an in-memory buffer. */
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
  }
}

const hostLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Parses safetensors bytes: an 8-byte little-endian header length N, N bytes of UTF-8 JSON (tensor name ->
 * { dtype, shape, data_offsets: [begin, end] } relative to the data that follows, plus an optional `__metadata__`
 * string map), then the tensor data, which the tensors must cover exactly, without gaps or overlaps.
 * @throws SafetensorsError for a truncated file, a header length past the end or over the cap, invalid UTF-8 or JSON,
 *   a field of the wrong type, an unknown or unsupported dtype, offsets out of range, overlapping, leaving gaps or not
 *   matching shape x dtype size.
 */
export function parseSafetensors(
  bytes: Uint8Array,
  options: SafetensorsReadOptions & { source?: string } = {},
): SafetensorsContents {
  const fail = failWith(options.source ?? 'safetensors bytes');
  const headerLength = checkHeaderLength(bytes.subarray(0, 8), bytes.length, options, fail);
  const { entries, metadata } = parseHeader(bytes.subarray(8, 8 + headerLength), bytes.length - 8 - headerLength, fail);
  const dataStart = 8 + headerLength;
  const tensors = new Map<string, SafetensorsTensor>();
  for (const entry of entries) {
    const raw = bytes.subarray(dataStart + entry.begin, dataStart + entry.end);
    tensors.set(entry.name, { dtype: entry.dtype, shape: entry.shape, data: toFloat32(raw, entry.dtype) });
  }
  return { tensors, metadata };
}

/** Options of {@link readSafetensorsFile}. */
export interface SafetensorsFileReadOptions extends SafetensorsReadOptions {
  /** Tensors to read (all when absent); the others are validated in the header but their bytes are never read. */
  names?: Iterable<string>;
}

/**
 * Reads a safetensors file tensor by tensor through a file handle: the header first, validated against the file's
 * size, then each tensor's byte range by a positioned read into its own array. Files over 2 GiB are fine, and peak
 * memory is the float32 tensors read plus, for dtypes other than F32, one tensor's raw bytes.
 * @throws SafetensorsError naming the file and the offending tensor or field (see {@link parseSafetensors}), a
 *   requested name the file lacks, or a file that shrank while being read.
 */
export async function readSafetensorsFile(
  path: string,
  options: SafetensorsFileReadOptions = {},
): Promise<SafetensorsContents> {
  const fail = failWith(path);
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const prefix = await readRange(handle, new Uint8Array(Math.min(8, size)), 0, fail);
    const headerLength = checkHeaderLength(prefix, size, options, fail);
    const header = await readRange(handle, new Uint8Array(headerLength), 8, fail);
    const { entries, metadata } = parseHeader(header, size - 8 - headerLength, fail);
    const wanted = options.names === undefined ? undefined : new Set(options.names);
    if (wanted !== undefined) {
      const present = new Set(entries.map((entry) => entry.name));
      for (const name of wanted) if (!present.has(name)) fail(`tensor ${JSON.stringify(name)} is not in the file`);
    }
    const dataStart = 8 + headerLength;
    const tensors = new Map<string, SafetensorsTensor>();
    for (const entry of entries) {
      if (wanted !== undefined && !wanted.has(entry.name)) continue;
      const position = dataStart + entry.begin;
      const byteLength = entry.end - entry.begin;
      let data: Float32Array;
      if (entry.dtype === 'F32' && hostLittleEndian) {
        // the file's bytes are already the array's bytes: read straight into it, no second copy
        data = new Float32Array(byteLength / 4);
        await readRange(handle, new Uint8Array(data.buffer), position, fail);
      } else {
        data = toFloat32(await readRange(handle, new Uint8Array(byteLength), position, fail), entry.dtype);
      }
      tensors.set(entry.name, { dtype: entry.dtype, shape: entry.shape, data });
    }
    return { tensors, metadata };
  } finally {
    await handle.close();
  }
}

/**
 * Reads a safetensors file (or parses bytes already in memory) into float32 tensors, converting F16, BF16, F64 and
 * integer types on the way. A path is read tensor by tensor with {@link readSafetensorsFile}, so its size is not
 * limited by the 2 GiB of a single buffer.
 * @throws SafetensorsError naming the file and the offending tensor or field (see {@link parseSafetensors}).
 */
export async function readSafetensors(
  source: string | Uint8Array,
  options: SafetensorsReadOptions = {},
): Promise<SafetensorsContents> {
  if (typeof source !== 'string') return parseSafetensors(source, options);
  return readSafetensorsFile(source, options);
}

type Fail = (message: string) => never;

interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

function failWith(source: string): Fail {
  return (message) => {
    throw new SafetensorsError(source, message);
  };
}

/** Positioned reads until `target` is full; one read call moves at most 2 GiB, so big tensors take several. */
async function readRange(handle: FileHandle, target: Uint8Array, position: number, fail: Fail): Promise<Uint8Array> {
  let done = 0;
  while (done < target.length) {
    const length = Math.min(target.length - done, maxReadBytes);
    const { bytesRead } = await handle.read(target, done, length, position + done);
    if (bytesRead === 0) fail(`truncated while reading: no bytes at offset ${position + done} (did the file change?)`);
    done += bytesRead;
  }
  return target;
}

const maxReadBytes = 1 << 30;

/** Checks the 8-byte header length against the file's size and the cap, and returns it. */
function checkHeaderLength(
  prefix: Uint8Array,
  totalLength: number,
  options: SafetensorsReadOptions,
  fail: Fail,
): number {
  const maxHeaderBytes = options.maxHeaderBytes ?? MAX_SAFETENSORS_HEADER_BYTES;
  if (totalLength < 8) fail(`truncated: ${totalLength} bytes, but the header length alone takes 8`);
  const declaredLength = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (declaredLength > BigInt(maxHeaderBytes)) {
    fail(`header length ${declaredLength} exceeds the cap of ${maxHeaderBytes} bytes`);
  }
  const headerLength = Number(declaredLength);
  if (8 + headerLength > totalLength) {
    fail(`truncated: the header length says ${headerLength} bytes but only ${totalLength - 8} follow it`);
  }
  return headerLength;
}

/** Validates the JSON header against the `dataLength` bytes that follow it; returns the tensors in header order. */
function parseHeader(
  headerBytes: Uint8Array,
  dataLength: number,
  fail: Fail,
): { entries: HeaderEntry[]; metadata: Record<string, string> } {
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    fail('header is not valid UTF-8');
  }
  if (!text.startsWith('{'))
    fail(`header must be a JSON object starting with "{", got ${JSON.stringify(text.slice(0, 20))}`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    fail(`header is not valid JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(header)) fail('header must be a JSON object');

  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (!isPlainObject(info)) fail('__metadata__ must be an object of strings');
      for (const [key, value] of Object.entries(info as Record<string, unknown>)) {
        if (typeof value !== 'string') fail(`__metadata__.${key} must be a string, got ${describe(value)}`);
        // defineProperty, not assignment, so a key named "__proto__" stays an ordinary entry
        Object.defineProperty(metadata, key, { value, enumerable: true, writable: true, configurable: true });
      }
      continue;
    }
    const field = `tensor ${JSON.stringify(name)}`;
    if (!isPlainObject(info))
      fail(`${field} must be an object with dtype, shape and data_offsets, got ${describe(info)}`);
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    if (typeof dtype !== 'string') fail(`${field}: dtype must be a string, got ${describe(dtype)}`);
    if (!Object.hasOwn(readableDtypes, dtype as string)) {
      fail(
        unreadableDtypes.has(dtype as string)
          ? `${field}: dtype ${dtype} is not supported (readable: ${Object.keys(readableDtypes).join(', ')})`
          : `${field}: unknown dtype ${JSON.stringify(dtype)}`,
      );
    }
    if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
      fail(`${field}: shape must be an array of non-negative integers, got ${describe(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger)) {
      fail(`${field}: data_offsets must be [begin, end] of non-negative integers, got ${describe(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end) fail(`${field}: data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLength) {
      fail(`${field}: data_offsets [${begin}, ${end}] run past the ${dataLength} bytes of data after the header`);
    }
    const itemSize = readableDtypes[dtype as SafetensorsDtype];
    // compare against the span rather than multiplying out, so a shape like [2^40, 2^40] cannot overflow
    let elements = 1;
    for (const dimension of shape as number[]) {
      elements *= dimension;
      if (elements * itemSize > end - begin) break;
    }
    if ((shape as number[]).includes(0)) elements = 0;
    if (elements * itemSize !== end - begin) {
      fail(
        `${field}: shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${elementCount(shape as number[]) * itemSize} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`,
      );
    }
    entries.push({ name, dtype: dtype as SafetensorsDtype, shape: shape as number[], begin, end });
  }

  const byOffset = [...entries].sort((left, right) => left.begin - right.begin || left.end - right.end);
  let covered = 0;
  for (const entry of byOffset) {
    if (entry.begin < covered) {
      fail(`tensor ${JSON.stringify(entry.name)}: data_offsets [${entry.begin}, ${entry.end}] overlap another tensor`);
    }
    if (entry.begin > covered) {
      fail(
        `tensor ${JSON.stringify(entry.name)}: data_offsets begin at ${entry.begin}, leaving bytes ${covered}..${entry.begin} unused`,
      );
    }
    covered = entry.end;
  }
  if (covered !== dataLength) fail(`${dataLength - covered} bytes after the last tensor belong to no tensor`);
  return { entries, metadata };
}

/** Tensors to write: a map of name -> { shape, data }, or named parameters such as a `ParameterStore`. */
export type SafetensorsInput = ReadonlyMap<string, TensorValues> | Iterable<Parameter>;

/**
 * Encodes float32 tensors as safetensors bytes: tensors sorted by name and packed in that order, the header padded
 * with spaces so the data starts at a multiple of 8 bytes.
 * @param metadata written as `__metadata__` (string values only) when not empty.
 * @throws Error naming a tensor whose data length does not match its shape, a duplicate name, or a reserved name.
 */
export function serializeSafetensors(tensors: SafetensorsInput, metadata: Record<string, string> = {}): Uint8Array {
  const named = namedTensors(tensors);
  const header: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') throw new Error(`serializeSafetensors: metadata.${key} must be a string`);
  }
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, tensor] of named) {
    const size = tensor.data.length * 4;
    Object.defineProperty(header, name, {
      value: { dtype: 'F32', shape: [...tensor.shape], data_offsets: [offset, offset + size] },
      enumerable: true,
    });
    offset += size;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = json.length + ((8 - ((8 + json.length) % 8)) % 8);
  const bytes = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  bytes.set(json, 8);
  bytes.fill(0x20, 8 + json.length, 8 + headerLength);
  let position = 8 + headerLength;
  for (const [, tensor] of named) {
    if (hostLittleEndian) {
      bytes.set(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength), position);
    } else {
      for (let index = 0; index < tensor.data.length; index++)
        view.setFloat32(position + index * 4, tensor.data[index]!, true);
    }
    position += tensor.data.byteLength;
  }
  return bytes;
}

/**
 * Writes float32 tensors to a safetensors file atomically (temporary file, flush, rename), so a crash never leaves a
 * half-written file at `path`. See {@link serializeSafetensors} for the layout.
 */
export async function writeSafetensors(
  path: string,
  tensors: SafetensorsInput,
  metadata: Record<string, string> = {},
): Promise<void> {
  await writeFileAtomic(path, serializeSafetensors(tensors, metadata));
}

function namedTensors(tensors: SafetensorsInput): [string, TensorValues][] {
  const entries: [string, TensorValues][] =
    tensors instanceof Map ? [...tensors.entries()] : [...(tensors as Iterable<Parameter>)].map((p) => [p.name, p]);
  const seen = new Set<string>();
  for (const [name, tensor] of entries) {
    if (name === '__metadata__')
      throw new Error('serializeSafetensors: "__metadata__" is reserved and cannot name a tensor');
    if (seen.has(name)) throw new Error(`serializeSafetensors: tensor "${name}" appears twice`);
    seen.add(name);
    if (!(tensor.data instanceof Float32Array))
      throw new Error(`serializeSafetensors: tensor "${name}" must hold a Float32Array`);
    if (!tensor.shape.every(isNonNegativeInteger) || elementCount(tensor.shape) !== tensor.data.length) {
      throw new Error(
        `serializeSafetensors: tensor "${name}" has shape [${tensor.shape.join(', ')}] but ${tensor.data.length} values`,
      );
    }
  }
  return entries.sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
}

function toFloat32(raw: Uint8Array, dtype: SafetensorsDtype): Float32Array {
  const count = raw.length / readableDtypes[dtype];
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const result = new Float32Array(count);
  switch (dtype) {
    case 'F32':
      if (hostLittleEndian) {
        new Uint8Array(result.buffer).set(raw);
      } else {
        for (let index = 0; index < count; index++) result[index] = view.getFloat32(index * 4, true);
      }
      break;
    case 'F16': {
      const table = halfTable();
      for (let index = 0; index < count; index++) result[index] = table[view.getUint16(index * 2, true)]!;
      break;
    }
    case 'BF16': {
      // bfloat16 is the top half of a float32, so widening is exact: shift the bits into place
      const bits = new Uint32Array(result.buffer);
      for (let index = 0; index < count; index++) bits[index] = view.getUint16(index * 2, true) << 16;
      break;
    }
    case 'F64':
      for (let index = 0; index < count; index++) result[index] = view.getFloat64(index * 8, true);
      break;
    case 'I64':
      for (let index = 0; index < count; index++) result[index] = Number(view.getBigInt64(index * 8, true));
      break;
    case 'U64':
      for (let index = 0; index < count; index++) result[index] = Number(view.getBigUint64(index * 8, true));
      break;
    case 'I32':
      for (let index = 0; index < count; index++) result[index] = view.getInt32(index * 4, true);
      break;
    case 'U32':
      for (let index = 0; index < count; index++) result[index] = view.getUint32(index * 4, true);
      break;
    case 'I16':
      for (let index = 0; index < count; index++) result[index] = view.getInt16(index * 2, true);
      break;
    case 'U16':
      for (let index = 0; index < count; index++) result[index] = view.getUint16(index * 2, true);
      break;
    case 'I8':
      for (let index = 0; index < count; index++) result[index] = view.getInt8(index);
      break;
    case 'U8':
    case 'BOOL':
      for (let index = 0; index < count; index++) result[index] = raw[index]!;
      break;
  }
  return result;
}

let halfValues: Float32Array | undefined;

/** Float32 value of every IEEE 754 binary16 bit pattern (256 KiB, built on first use). */
function halfTable(): Float32Array {
  if (halfValues !== undefined) return halfValues;
  halfValues = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const mantissa = bits & 0x3ff;
    let magnitude: number;
    if (exponent === 0) magnitude = mantissa * 2 ** -24;
    else if (exponent === 31) magnitude = mantissa === 0 ? Number.POSITIVE_INFINITY : Number.NaN;
    else magnitude = (1 + mantissa / 1024) * 2 ** (exponent - 15);
    halfValues[bits] = sign * magnitude;
  }
  return halfValues;
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonNegativeInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function describe(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // a pathologically nested value overflows the stack of JSON.stringify
    text = Array.isArray(value) ? 'a deeply nested array' : typeof value;
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
