/**
 * @packageDocumentation
 * Shared pieces of DiffChat: record schemas, validated JSONL streaming, atomic writes, run
 * directories, seeded random numbers, progress reporting, and the prompt world (the vocabulary
 * and seeded generators behind the embedded default).
 */
export * from './atomic-write';
export * from './errors';
export * from './file-hash';
export * from './json-diff';
export * from './jsonl-reader';
export * from './jsonl-writer';
export * from './progress';
export * from './records';
export * from './rng';
export * from './run-directory';
export * from './trainer-config';
export * from './validation';
export * from './world/index';
