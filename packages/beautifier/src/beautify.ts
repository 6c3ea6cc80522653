import { ConfigError } from '@diffchat/core';
import { CausalLM, type FinishReason, type ResolveModelOptions } from '@diffchat/lm';
import type { SamplerOptions } from '@diffchat/sampler-typical';
import { type BuiltInTemplateName, type PromptTemplateInput, renderPrompt } from '@diffchat/sft';
import { type Beautifier, beautifierTemplate, loadBeautifier } from './beautifier-model';
import { cleanPrompt } from './clean-prompt';
import { completionLead } from './completion-lead';

/**
 * How the next token is chosen. Absent fields fall back to the model's generation_config.json, then to greedy
 * decoding without processors. `noRepeatNgramSize` counts the n-grams of the completion only (with
 * `startWithSource`, the simple prompt written at its start included), not those of the template's prompt.
 */
export type BeautifySampler = Pick<
  SamplerOptions,
  'temperature' | 'topK' | 'topP' | 'typicalP' | 'minTokensToKeep' | 'repetitionPenalty' | 'noRepeatNgramSize'
> & {
  /** Sample from the processed distribution (true) or take its most likely token (false). */
  doSample?: boolean;
};

/** BeautifulPrompt's model-card sampling: temperature 1, top-k 50, top-p 0.95, repetition penalty 1.2. */
export const BEAUTIFUL_PROMPT_SAMPLING: Readonly<BeautifySampler> = Object.freeze({
  doSample: true,
  temperature: 1,
  topK: 50,
  topP: 0.95,
  repetitionPenalty: 1.2,
});

/** Options of {@link beautify}. */
export interface BeautifyOptions {
  /** A loaded beautifier or model, or a local folder / hub id for {@link loadBeautifier}. */
  model: Beautifier | CausalLM | string;
  /** Template of a bare `CausalLM` (a loaded {@link Beautifier} brings its own). Default BeautifulPrompt's. */
  template?: BuiltInTemplateName | PromptTemplateInput;
  /** Token choice; see {@link BeautifySampler}. Default greedy. */
  sampler?: BeautifySampler;
  /** Most tokens written per output, the end-of-sequence token included. Default 96. */
  maxNewTokens?: number;
  /** Outputs per prompt; more than one needs `sampler.doSample`. Default 1. */
  n?: number;
  /** Sequences decoded together (prompts x n). Default 16. */
  batchSize?: number;
  /** Seed of the sampling stream; batch b uses `seed + b`. Default 0. */
  seed?: number;
  /** An output ends at the first of these (cut before it). Default none: the end-of-sequence token ends it. */
  stopStrings?: readonly string[];
  /** Hub options when `model` is a repository id. */
  hub?: ResolveModelOptions;
  /**
   * Make every output begin with the simple prompt (trimmed): the template's completion lead (its text before
   * `{beautiful}`) and the simple prompt are appended to the model's input, and the model writes only the rest. The
   * candidate's text is the simple prompt followed by that rest; its tokens and log-probabilities are the generated
   * tokens' alone, conditioned on the simple prompt. Default false.
   */
  startWithSource?: boolean;
  /**
   * With `startWithSource`, text forced right after the simple prompt, such as `,` so that the model cannot run its
   * first token into the prompt's last word ("frame" + "ral"); a separator left dangling (nothing written after it)
   * is trimmed. Default none.
   */
  sourceSeparator?: string;
  /**
   * Clean each output with {@link cleanPrompt}: attention-weight syntax repaired, repeated modifiers dropped. The
   * tokens and log-probabilities stay those of the text as generated. Default false.
   */
  clean?: boolean;
}

/** One beautified prompt. */
export interface BeautifiedCandidate {
  /**
   * The beautified prompt, trimmed; with `startWithSource`, the simple prompt and the generated rest; with `clean`,
   * cleaned.
   */
  text: string;
  /** Log-probability (natural log) of the generated tokens under the model's own distribution: their sum. */
  logProb: number;
  /** Per generated token (the end-of-sequence token included), under the model's own distribution. */
  tokenLogProbs: number[];
  /** Sum of the log-probabilities under the distribution the tokens were drawn from (after the sampler). */
  samplerLogProb: number;
  /** Generated token ids. */
  tokenIds: number[];
  /** `eos`: the model ended it; `length`: cut at `maxNewTokens`; `stop`: cut at a stop string. */
  finishReason: FinishReason;
}

/** What {@link beautify} returns per input prompt. */
export interface BeautifyResult {
  /** The input prompt. */
  simple: string;
  /** The first candidate's text (with `n` = 1, the output). */
  beautiful: string;
  /** The first candidate's log-probability. */
  logProb: number;
  /** The `n` outputs, in the order they were drawn. */
  candidates: BeautifiedCandidate[];
}

function checkCount(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new ConfigError(`beautify: ${name} must be an integer >= 1, got ${value}`);
  return value;
}

/** The loaded beautifier of an options' `model`. */
export async function resolveBeautifier(
  model: Beautifier | CausalLM | string,
  template?: BuiltInTemplateName | PromptTemplateInput,
  hub?: ResolveModelOptions,
): Promise<Beautifier> {
  if (typeof model === 'string') {
    const loaded = await loadBeautifier(model, hub);
    return template === undefined ? loaded : { ...loaded, template: beautifierTemplate(template) };
  }
  if (model instanceof CausalLM) return { model, template: beautifierTemplate(template) };
  return template === undefined ? model : { ...model, template: beautifierTemplate(template) };
}

/**
 * Beautifies simple prompts: each is rendered into the beautifier's template and the model writes the completion,
 * `n` times per prompt, in batches of `batchSize` sequences (sorted by prompt length, so little padding is fed).
 * Greedy outputs do not depend on the batching, as long as the model's learned positions leave room for
 * `maxNewTokens` after the batch's longest prompt (the output is capped there); sampled ones depend on `seed` and
 * `batchSize`.
 * @throws ConfigError for a bad option or prompt (naming `prompts[i]`).
 */
export async function beautify(prompts: readonly string[], options: BeautifyOptions): Promise<BeautifyResult[]> {
  const n = checkCount(options.n ?? 1, 'n');
  const batchSize = checkCount(options.batchSize ?? 16, 'batchSize');
  const maxNewTokens = checkCount(options.maxNewTokens ?? 96, 'maxNewTokens');
  const sampler = options.sampler ?? {};
  prompts.forEach((prompt, index) => {
    if (typeof prompt !== 'string' || prompt.trim() === '') {
      throw new ConfigError(`beautify: prompts[${index}] must be a non-empty string`);
    }
  });
  if (prompts.length === 0) return [];
  const { model, template } = await resolveBeautifier(options.model, options.template, options.hub);
  if (n > 1 && (sampler.doSample ?? model.generationConfig?.do_sample ?? false) !== true) {
    throw new ConfigError(`beautify: n = ${n} outputs per prompt need sampler.doSample; greedy would repeat one`);
  }
  const texts = prompts.map((simple, index) => renderPrompt(template, { simple }, `prompts[${index}]`));
  // Text the model learnt to write before the beautiful prompt itself (BeautifulPrompt's: one space).
  const lead = completionLead(template);
  const startWithSource = options.startWithSource ?? false;
  if (startWithSource && lead === undefined) {
    throw new ConfigError(
      `beautify: startWithSource needs a template completion of literal text followed by {beautiful}, got ${JSON.stringify(template.completion)}`,
    );
  }
  const tokenizer = model.tokenizer;
  if (!tokenizer) throw new ConfigError('beautify: the model has no tokenizer');
  const separator = startWithSource ? (options.sourceSeparator ?? '') : '';
  const promptIds = texts.map((text) => tokenizer.encode(text));
  // The forced start is encoded apart from the prompt, as @diffchat/sft encodes a completion for training.
  const encoded = startWithSource
    ? promptIds.map((ids, index) => [
        ...ids,
        ...tokenizer.encode(`${lead}${prompts[index]!.trim()}${separator}`, { addSpecialTokens: false }),
      ])
    : promptIds;

  // Row r is output r % n of prompt floor(r / n); rows are decoded shortest prompt first.
  const rows = prompts.flatMap((_, index) => Array.from({ length: n }, () => index));
  const order = rows.map((_, row) => row).sort((a, b) => encoded[rows[a]!]!.length - encoded[rows[b]!]!.length);
  const candidates: BeautifiedCandidate[] = new Array(rows.length);
  for (let start = 0, batch = 0; start < order.length; start += batchSize, batch++) {
    const chunk = order.slice(start, start + batchSize);
    const longest = Math.max(...chunk.map((row) => encoded[rows[row]!]!.length));
    // Learned positions (GPT-2's n_positions) bound prompt plus output; ALiBi models (BLOOM) have no bound.
    const room = (model.dimensions.maxPositions ?? Number.POSITIVE_INFINITY) - longest;
    if (room < 1) {
      const index = rows[chunk.find((row) => encoded[rows[row]!]!.length === longest)!]!;
      throw new ConfigError(
        `beautify: prompts[${index}] takes ${longest} tokens with the template; the model reads at most ${model.dimensions.maxPositions}`,
      );
    }
    const sequences = await model.generate(
      chunk.map((row) => encoded[rows[row]!]!),
      {
        maxNewTokens: Math.min(maxNewTokens, room),
        doSample: sampler.doSample,
        temperature: sampler.temperature,
        topK: sampler.topK,
        topP: sampler.topP,
        typicalP: sampler.typicalP,
        minTokensToKeep: sampler.minTokensToKeep,
        repetitionPenalty: sampler.repetitionPenalty,
        noRepeatNgramSize: sampler.noRepeatNgramSize,
        // The n-gram history is the completion's: it starts where the template's prompt ends.
        noRepeatNgramFrom: chunk.map((row) => promptIds[rows[row]!]!.length),
        stopStrings: options.stopStrings,
        seed: (options.seed ?? 0) + batch,
      },
    );
    sequences.forEach((sequence, index) => {
      let text: string;
      if (startWithSource) {
        const continuation = sequence.text.trim() === '' ? '' : separator + sequence.text;
        text = prompts[rows[chunk[index]!]!]!.trim() + continuation;
      } else if (lead !== undefined && sequence.text.startsWith(lead)) text = sequence.text.slice(lead.length);
      else text = sequence.text;
      text = text.trim();
      candidates[chunk[index]!] = {
        text: options.clean ? cleanPrompt(text) : text,
        logProb: sequence.unfilteredLogProbs.reduce((sum, value) => sum + value, 0),
        tokenLogProbs: sequence.unfilteredLogProbs,
        samplerLogProb: sequence.logProbs.reduce((sum, value) => sum + value, 0),
        tokenIds: sequence.tokenIds,
        finishReason: sequence.finishReason,
      };
    });
  }
  return prompts.map((simple, index) => {
    const own = candidates.slice(index * n, index * n + n);
    return { simple, beautiful: own[0]!.text, logProb: own[0]!.logProb, candidates: own };
  });
}
