/** @packageDocumentation Shared records, validated JSONL streaming, atomic writes, run directories, seeded RNG and progress reporting for DiffChat */
export {};
