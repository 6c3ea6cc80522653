// Aesthetic curation of the default pairs, in the spirit of BeautifulPrompt's data filter (it kept pairs whose
// high-quality prompt scored well): each simple prompt gets several rule-based beautifications, each is drawn by the
// sketch renderer, and the one with the highest pixel-level aesthetic measure is kept, if it beats the simple
// prompt's own drawing; otherwise the pair is dropped.
import { createRng, type PromptPair } from '@diffchat/core';
import { pixelAesthetics } from '@diffchat/rewards/defaults';
import { renderSketch } from '@diffchat/t2i';
import sharp from 'sharp';
import { dressPrompt, generateSimplePrompts, type PairLayout, type PairVocabulary } from '../src/index';

/** Side of the drawings the curation compares, in pixels (the default reward models' training size). */
const RENDER_SIZE = 64;

async function aestheticOf(prompt: string, seed: number): Promise<number> {
  const { png } = renderSketch(prompt, { width: RENDER_SIZE, height: RENDER_SIZE, seed });
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return pixelAesthetics({ width: info.width, height: info.height, pixels: new Uint8Array(data) }).score;
}

/** Options of {@link curateDefaultPairs}. */
export interface CurateOptions {
  /** Simple prompts drawn (pairs kept are at most this many). */
  count: number;
  seed: number;
  /** Beautifications tried per simple prompt. */
  candidates: number;
  /** Drop a pair whose best beautification does not beat the simple prompt. */
  dropLosers: boolean;
  vocabulary: PairVocabulary;
  layout: PairLayout;
}

/** The curated pairs, and how many simple prompts were dropped. */
export async function curateDefaultPairs(options: CurateOptions): Promise<{ pairs: PromptPair[]; dropped: number }> {
  const simple = generateSimplePrompts(options.count, options.seed, new Set(), options.vocabulary);
  const rng = createRng(options.seed).fork('curated');
  const random = () => rng.next();
  const pairs: PromptPair[] = [];
  for (let index = 0; index < simple.length; index++) {
    const prompt = simple[index]!;
    const plain = await aestheticOf(prompt, index);
    let best = { text: '', score: Number.NEGATIVE_INFINITY };
    for (let candidate = 0; candidate < options.candidates; candidate++) {
      const text = dressPrompt(prompt, random, options.layout);
      const score = await aestheticOf(text, index);
      if (score > best.score) best = { text, score };
    }
    if (!options.dropLosers || best.score > plain) pairs.push({ simple: prompt, beautiful: best.text });
  }
  return { pairs, dropped: simple.length - pairs.length };
}
