/*
 * Scratch buffers reused across calls: a 250,880-token row needs several megabytes of temporaries per decoding
 * step, and allocating (and zeroing) them every time costs as much as the filtering itself. JavaScript runs one call
 * at a time, so each buffer has exactly one user while a filter runs; a filter never calls another filter while it
 * holds one.
 */

let keyBuffer = new Float64Array(0);
let weightBuffer = new Float64Array(0);
let memberBuffer = new Int32Array(0);
let belowBuffer = new Int32Array(0);
let bucketMemberBuffer = new Int32Array(0);
let candidateBuffer = new Int32Array(0);
let candidateLogitBuffer = new Float32Array(0);
let scaledRowBuffer = new Float32Array(0);
let compactRowBuffer = new Float32Array(0);
let blockBuffer = new Int32Array(0);

/** Per-token sort keys (Float64Array of at least `length`; contents are garbage). */
export function keyScratch(length: number): Float64Array {
  if (keyBuffer.length < length) keyBuffer = new Float64Array(length);
  return keyBuffer;
}

/** Per-token weights: exponentials, then probabilities in units (Float64Array of at least `length`). */
export function weightScratch(length: number): Float64Array {
  if (weightBuffer.length < length) weightBuffer = new Float64Array(length);
  return weightBuffer;
}

/** Token ids under consideration by the cut search (Int32Array of at least `length`). */
export function memberScratch(length: number): Int32Array {
  if (memberBuffer.length < length) memberBuffer = new Int32Array(length);
  return memberBuffer;
}

/** Token ids in the histogram buckets below the one holding the cut (Int32Array of at least `length`). */
export function belowScratch(length: number): Int32Array {
  if (belowBuffer.length < length) belowBuffer = new Int32Array(length);
  return belowBuffer;
}

/** Token ids in the histogram bucket holding the cut (Int32Array of at least `length`). */
export function bucketMemberScratch(length: number): Int32Array {
  if (bucketMemberBuffer.length < length) bucketMemberBuffer = new Int32Array(length);
  return bucketMemberBuffer;
}

/** Candidate token ids: the tokens a filter orders exactly (Int32Array of at least `length`). */
export function candidateScratch(length: number): Int32Array {
  if (candidateBuffer.length < length) candidateBuffer = new Int32Array(length);
  return candidateBuffer;
}

/**
 * The candidates' logits, in the order of {@link candidateScratch} (Float32Array of at least `length`): the search
 * then reads them in sequence instead of gathering them from all over the row.
 */
export function candidateLogitScratch(length: number): Float32Array {
  if (candidateLogitBuffer.length < length) candidateLogitBuffer = new Float32Array(length);
  return candidateLogitBuffer;
}

/**
 * A row divided by the temperature, for the sampler's JavaScript path (a Float32Array of exactly `length`; contents
 * are garbage). Only the filter that reads it runs while it is in use.
 */
export function scaledRowScratch(length: number): Float32Array {
  if (scaledRowBuffer.length < length) scaledRowBuffer = new Float32Array(length);
  return scaledRowBuffer.length === length ? scaledRowBuffer : scaledRowBuffer.subarray(0, length);
}

/**
 * The sampler's compact row between two filters: the blocks of the row that hold a kept token (a Float32Array of at
 * least `length`; contents are garbage).
 */
export function compactRowScratch(length: number): Float32Array {
  if (compactRowBuffer.length < length) compactRowBuffer = new Float32Array(length);
  return compactRowBuffer;
}

/** The block numbers of the compact row's blocks (Int32Array of at least `length`; contents are garbage). */
export function blockScratch(length: number): Int32Array {
  if (blockBuffer.length < length) blockBuffer = new Int32Array(length);
  return blockBuffer;
}
