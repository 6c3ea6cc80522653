import { join } from 'node:path';
import { createProgress, createRng, JsonlWriter, promptPairSchema, type RngSeed } from '@diffchat/core';
import { beautifyPrompt, generateSimplePrompt, generateTriplet } from '@diffchat/world';

/** Files the corpus stage writes into its directory. */
export const CORPUS_FILES = { promptPairs: 'prompt-pairs.jsonl', triplets: 'triplets.jsonl' } as const;

/** Options of {@link runCorpusStage}. */
export interface CorpusStageOptions {
  /** Directory the JSONL files go to (created by the caller). */
  directory: string;
  seed: RngSeed;
  promptPairs: number;
  triplets: number;
  /** Prints progress; silent under tests. */
  silent?: boolean;
}

/**
 * Writes the embedded default's corpus: `{simple, beautiful}` pairs for the beautifier and `{input, edit, output,
 * meta}` triplets for InstructPE, both from the prompt world. Record i depends only on (seed, i), so an interrupted
 * run resumes where its files end and produces the same bytes as an uninterrupted one.
 */
export async function runCorpusStage(options: CorpusStageOptions): Promise<{ promptPairs: number; triplets: number }> {
  const root = createRng(options.seed);
  const pairs = await writeRecords(join(options.directory, CORPUS_FILES.promptPairs), options.promptPairs, {
    label: 'prompt pairs',
    silent: options.silent,
    make: (index) => {
      const rng = root.fork(`pair/${index}`);
      const next = () => rng.next();
      const simple = generateSimplePrompt(next);
      return promptPairSchema.parse({ simple, beautiful: beautifyPrompt(simple, next) });
    },
  });
  const triplets = await writeRecords(join(options.directory, CORPUS_FILES.triplets), options.triplets, {
    label: 'triplets',
    silent: options.silent,
    make: (index) => {
      const rng = root.fork(`triplet/${index}`);
      return generateTriplet(() => rng.next());
    },
  });
  return { promptPairs: pairs, triplets };
}

async function writeRecords(
  path: string,
  total: number,
  options: { label: string; silent?: boolean; make: (index: number) => unknown },
): Promise<number> {
  const writer = await JsonlWriter.open(path, { mode: 'resume' });
  const progress = createProgress({ total, initial: writer.count, label: options.label, silent: options.silent });
  try {
    const batch: unknown[] = [];
    for (let index = writer.count; index < total; index += 1) {
      batch.push(options.make(index));
      if (batch.length === 500 || index === total - 1) {
        await writer.writeAll(batch.splice(0));
        progress.update(index + 1);
      }
    }
  } finally {
    progress.stop();
    await writer.close();
  }
  return total;
}
