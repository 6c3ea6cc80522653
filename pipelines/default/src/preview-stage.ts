import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createRng, JsonlWriter, type RngSeed, readJsonl, tripletSchema, writeFileAtomic } from '@diffchat/core';
import { contentIntegrity } from '@diffchat/rewards';
import { renderSketch } from '@diffchat/t2i';
import { beautifyPrompt, rewriteWithInstruction } from '@diffchat/world';

/** One previewed chat turn: the user's prompt and instruction, the new prompt, and how well it kept the content. */
export interface PreviewRecord {
  index: number;
  source: string;
  instruction: string;
  /** The new prompt written for (source, instruction). */
  target: string;
  /** The triplet's ground-truth edited prompt, for comparison. */
  reference: string;
  coverage: number;
  contentIntegrity: 0 | 1;
  missing: string[];
  forbidden: string[];
  sourceImage: string;
  targetImage: string;
}

/** Options of {@link runPreviewStage}. */
export interface PreviewStageOptions {
  /** The corpus stage's triplets file. */
  triplets: string;
  /** Directory the preview goes to. */
  directory: string;
  seed: RngSeed;
  records: number;
  imageSize: number;
}

/**
 * Plays the first `records` triplets as chat turns with the stand-ins available today (the prompt world's beautifier
 * and its rule-based rewriter standing in for the DiffChat model), scores content integrity, renders both prompts with
 * the sketch renderer, and writes `preview.jsonl` plus a `preview.html` page to look at.
 */
export async function runPreviewStage(options: PreviewStageOptions): Promise<PreviewRecord[]> {
  const imagesDirectory = join(options.directory, 'images');
  await mkdir(imagesDirectory, { recursive: true });
  const root = createRng(options.seed);
  const records: PreviewRecord[] = [];
  for await (const triplet of readJsonl(options.triplets, tripletSchema)) {
    if (records.length >= options.records) break;
    const index = records.length;
    const rng = root.fork(`preview/${index}`);
    const target = rewriteWithInstruction(
      beautifyPrompt(triplet.input, () => rng.next()),
      triplet.edit,
    );
    const integrity = contentIntegrity({ source: triplet.input, instruction: triplet.edit, target });
    const name = String(index).padStart(3, '0');
    const images = { sourceImage: `images/${name}-source.png`, targetImage: `images/${name}-target.png` };
    const size = { width: options.imageSize, height: options.imageSize, seed: index };
    await writeFileAtomic(join(options.directory, images.sourceImage), renderSketch(triplet.input, size).png);
    await writeFileAtomic(join(options.directory, images.targetImage), renderSketch(target, size).png);
    records.push({
      index,
      source: triplet.input,
      instruction: triplet.edit,
      target,
      reference: triplet.output,
      coverage: integrity.coverage,
      contentIntegrity: integrity.reward,
      missing: integrity.missing,
      forbidden: integrity.forbidden,
      ...images,
    });
  }
  const writer = await JsonlWriter.open(join(options.directory, 'preview.jsonl'), { mode: 'overwrite' });
  await writer.writeAll(records);
  await writer.close();
  await writeFileAtomic(join(options.directory, 'preview.html'), previewPage(records));
  return records;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[character]!);

function previewPage(records: readonly PreviewRecord[]): string {
  const rows = records
    .map(
      (record) => `<tr>
  <td><img src="${record.sourceImage}" alt=""><p>${escapeHtml(record.source)}</p></td>
  <td class="instruction">${escapeHtml(record.instruction)}</td>
  <td><img src="${record.targetImage}" alt=""><p>${escapeHtml(record.target)}</p></td>
  <td>coverage ${record.coverage.toFixed(2)}<br>integrity ${record.contentIntegrity}${
    record.missing.length ? `<br>missing: ${escapeHtml(record.missing.join(', '))}` : ''
  }${record.forbidden.length ? `<br>forbidden: ${escapeHtml(record.forbidden.join(', '))}` : ''}</td>
</tr>`,
    )
    .join('\n');
  return `<!doctype html>
<meta charset="utf-8">
<title>DiffChat preview</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2rem; }
td { vertical-align: top; padding: 0.5rem; max-width: 18rem; }
img { display: block; }
.instruction { font-weight: bold; }
</style>
<h1>DiffChat preview</h1>
<p>Prompt, instruction, new prompt. Images from the embedded sketch renderer, a stand-in for a diffusion model.</p>
<table>
${rows}
</table>
`;
}
