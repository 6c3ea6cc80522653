/**
 * @packageDocumentation
 * Shared pieces of DiffChat: record schemas, validated JSONL streaming, atomic writes, run
 * directories, seeded random numbers, progress reporting and the shared trainer config. The prompt
 * world lives in `@diffchat/world`.
 */
export * from './atomic-write';
export * from './errors';
export * from './file-hash';
export * from './json-diff';
export * from './jsonl-reader';
export * from './jsonl-writer';
export * from './process-alive';
export * from './progress';
export * from './records';
export * from './rng';
export * from './run-directory';
export * from './trainer-config';
export * from './validation';
