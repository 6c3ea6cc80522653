/**
 * The DiffChat pipeline on the embedded default. Stages run in order and each resumes where it stopped:
 *   corpus   prompt pairs and edit triplets from the prompt world          -> <run>/corpus/
 *   preview  chat turns rendered with the sketch renderer and scored        -> <run>/preview/
 * Run: pnpm --filter @diffchat/pipeline-default start [--profile quick|full] [--run-dir runs/default] [--seed 0]
 *      [--stages corpus,preview]
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, createRun } from '@diffchat/core';
import { CORPUS_FILES, runCorpusStage } from './corpus-stage';
import { runPreviewStage } from './preview-stage';
import { isProfileName, PROFILES } from './profiles';

const STAGES = ['corpus', 'preview'] as const;
type Stage = (typeof STAGES)[number];

const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: 'quick' },
    'run-dir': { type: 'string', default: 'runs/default' },
    seed: { type: 'string', default: '0' },
    stages: { type: 'string', default: STAGES.join(',') },
  },
  strict: true,
});

if (!isProfileName(values.profile)) {
  throw new ConfigError(`--profile: expected one of ${Object.keys(PROFILES).join(', ')}, got "${values.profile}"`);
}
const seed = Number(values.seed);
if (!Number.isSafeInteger(seed)) throw new ConfigError(`--seed: expected an integer, got "${values.seed}"`);
const stages = values.stages.split(',').map((stage) => stage.trim());
for (const stage of stages) {
  if (!(STAGES as readonly string[]).includes(stage)) {
    throw new ConfigError(`--stages: unknown stage "${stage}"; stages are ${STAGES.join(', ')}`);
  }
}
const profile = PROFILES[values.profile];
// Relative paths are taken from where the user typed the command, not from this package's folder.
const runPath = resolve(process.env.INIT_CWD ?? process.cwd(), values['run-dir']);
const run = await createRun({
  root: resolve(runPath, '..'),
  name: runPath.split('/').at(-1)!,
  config: { profile: values.profile, ...profile },
  seed,
  ifExists: 'resume',
});
const corpusDirectory = join(run.path, 'corpus');
const previewDirectory = join(run.path, 'preview');
await mkdir(corpusDirectory, { recursive: true });

const has = (stage: Stage) => stages.includes(stage);
if (has('corpus')) {
  const written = await runCorpusStage({ directory: corpusDirectory, seed, ...profile });
  console.log(`corpus: ${written.promptPairs} prompt pairs, ${written.triplets} triplets in ${corpusDirectory}`);
}
if (has('preview')) {
  const records = await runPreviewStage({
    triplets: join(corpusDirectory, CORPUS_FILES.triplets),
    directory: previewDirectory,
    seed,
    records: profile.previewRecords,
    imageSize: profile.imageSize,
  });
  const kept = records.filter((record) => record.contentIntegrity === 1).length;
  console.log(`preview: ${records.length} chat turns, content integrity ${kept}/${records.length}`);
  console.log(`open ${join(previewDirectory, 'preview.html')}`);
}
await run.complete();
