/**
 * @packageDocumentation
 * Shared pieces of DiffChat: record schemas, validated JSONL streaming, atomic writes, run
 * directories, seeded random numbers, progress reporting, and the prompt world (the vocabulary
 * and seeded generators behind the embedded default).
 */
export * from './world/index';
