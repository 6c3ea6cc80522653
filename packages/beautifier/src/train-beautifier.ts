import { join } from 'node:path';
import { ConfigError, type PromptPair } from '@diffchat/core';
import {
  CausalLM,
  createModel,
  createTokenizer,
  type GenerationConfig,
  loadModel,
  type TextTokenizer,
  type TokenizerFiles,
  trainBpeTokenizer,
} from '@diffchat/lm';
import {
  type BuiltInTemplateName,
  type PromptTemplate,
  type PromptTemplateInput,
  renderExample,
  type SftConfigInput,
  type StepMetrics,
  serializeTemplate,
  TEMPLATE_FILE,
  type TrainResult,
  train,
} from '@diffchat/sft';
import { BEAUTIFIER_TEMPLATE, beautifierTemplate } from './beautifier-model';
import { loadPromptPairs, type PromptPairFormat } from './prompt-pairs';

/** A byte-level BPE tokenizer to train on the pairs (rendered through the template). */
export interface TokenizerTraining {
  /** Final vocabulary size, special tokens and the 256 byte symbols included. */
  vocabSize: number;
  /** Pairs of symbols seen fewer times are never merged. Default 2. */
  minFrequency?: number;
}

/** The SFT options a stage takes (the trainer's own, less what the beautifier sets itself). */
export type StageOptions = Omit<SftConfigInput, 'template' | 'mode' | 'outputDir' | 'lora'>;

/** Options of {@link trainBeautifier}. */
export type TrainBeautifierOptions = StageOptions & {
  /** Pairs: a JSONL file (this project's pairs or BeautifulPrompt's released lines) or an array of pairs. */
  data: string | readonly unknown[];
  /** Held-out pairs; when absent, `evalFraction` of `data` is held out. */
  evalData?: string | readonly unknown[];
  /** Line format of JSONL data. Default `auto`. */
  format?: PromptPairFormat;
  /** Drop pairs with a lower `pickScore` (BeautifulPrompt: 18.5). Default: keep all. */
  minPickScore?: number;
  /** Model to fine-tune: a loaded model, or a local folder / hub id. Give this or `modelConfig`. */
  base?: CausalLM | string;
  /**
   * config.json of a new model trained from scratch (e.g. `{ model_type: 'gpt2', n_embd: 128, ... }`); the
   * vocabulary size and special token ids are taken from the tokenizer where absent.
   */
  modelConfig?: Record<string, unknown>;
  /** The new model's tokenizer: given, or trained on the pairs. Default: trained with a 1024-token vocabulary. */
  tokenizer?: TextTokenizer | TokenizerFiles | TokenizerTraining;
  /**
   * Pre-train on the pairs' texts (every token learned, simple and beautiful prompts as separate texts) before the
   * fine-tuning, with these options. Default: no pre-training.
   */
  pretrain?: StageOptions;
  /** Template. Default BeautifulPrompt's (`beautiful-prompt`). */
  template?: BuiltInTemplateName | PromptTemplateInput;
  /** Folder the final model is written to (Hugging Face layout, with template.json). */
  out: string;
  /** Where the stages' run directories go (`pretrain/`, `sft/`). Default `<out>.runs`. */
  runDirectory?: string;
  /** More files written into the model folder (name -> content). */
  extraFiles?: Readonly<Record<string, string | Uint8Array>>;
  /** Written to the model's generation_config.json. Default: greedy, 96 new tokens. */
  generationConfig?: GenerationConfig;
  /** Continue the runs in `runDirectory` from their latest checkpoints. Default false. */
  resume?: boolean;
  /** Stops training after the current step, writing a checkpoint first. */
  signal?: AbortSignal;
  /** Turn Ctrl-C into a checkpoint and a clean return. Default true. */
  handleSigint?: boolean;
  /** Called after every optimiser step of each stage. */
  onStep?: (stage: BeautifierStage, metrics: StepMetrics) => void;
  /** Seed of the new model's weights (and of the trainer, unless `seed` says otherwise). Default 42. */
  seed?: number;
  /** ONNX Runtime threads inside one operator; one per core by default. */
  intraOpNumThreads?: number;
};

/** A stage of {@link trainBeautifier}. */
export type BeautifierStage = 'pretrain' | 'sft';

/** What {@link trainBeautifier} returns. */
export interface TrainBeautifierResult {
  /** The final model folder; absent when training was interrupted. */
  out?: string;
  /** The trained model. */
  model: CausalLM;
  template: PromptTemplate;
  /** The pre-training stage's result, when there was one. */
  pretrain?: TrainResult;
  /** The fine-tuning stage's result; absent when interrupted during pre-training. */
  sft?: TrainResult;
  /** Pairs trained on (after filtering). */
  pairs: number;
}

/** Default generation settings written with a trained beautifier. */
export const DEFAULT_BEAUTIFIER_GENERATION: GenerationConfig = { max_new_tokens: 96, do_sample: false };

const DEFAULT_TOKENIZER: TokenizerTraining = { vocabSize: 1024 };

function isTokenizerTraining(value: unknown): value is TokenizerTraining {
  return typeof value === 'object' && value !== null && 'vocabSize' in value && !('encode' in value);
}

/** The tokenizer's corpus: each pair as the model will see it, so the template's words merge too. */
function corpusOf(pairs: readonly PromptPair[], template: PromptTemplate): string[] {
  return pairs.map((pair, index) => {
    const { prompt, completion } = renderExample(template, pair, `data[${index}]`);
    return prompt + completion;
  });
}

function newModel(
  pairs: readonly PromptPair[],
  template: PromptTemplate,
  modelConfig: Record<string, unknown>,
  tokenizerOption: TrainBeautifierOptions['tokenizer'],
  seed: number,
): CausalLM {
  const option = tokenizerOption ?? DEFAULT_TOKENIZER;
  let tokenizer: TextTokenizer;
  if (isTokenizerTraining(option)) {
    const maxPositions = modelConfig.n_positions ?? modelConfig.max_position_embeddings;
    tokenizer = createTokenizer(
      trainBpeTokenizer(corpusOf(pairs, template), {
        vocabSize: option.vocabSize,
        minFrequency: option.minFrequency ?? 2,
        ...(typeof maxPositions === 'number' ? { modelMaxLength: maxPositions } : {}),
      }),
    );
  } else tokenizer = 'encode' in option ? option : createTokenizer(option);
  const special = tokenizer.specialTokenIds;
  const config: Record<string, unknown> = { ...modelConfig };
  config.vocab_size ??= tokenizer.vocabSize;
  if (special.bos !== undefined) config.bos_token_id ??= special.bos;
  if (special.eos !== undefined) config.eos_token_id ??= special.eos;
  if (special.pad !== undefined) config.pad_token_id ??= special.pad;
  if (typeof config.vocab_size !== 'number' || config.vocab_size < tokenizer.vocabSize) {
    throw new ConfigError(
      `modelConfig.vocab_size ${String(config.vocab_size)} is smaller than the tokenizer's ${tokenizer.vocabSize} tokens`,
    );
  }
  return createModel(config, { seed, tokenizer });
}

/**
 * Trains a BeautifulPrompt-style beautifier through @diffchat/sft, as numbered steps:
 * 1. read and check the pairs (JSONL or in memory; BeautifulPrompt's released format imported as it is);
 * 2. take the base model, or build a new one from `modelConfig` with a given or freshly trained tokenizer;
 * 3. optionally pre-train it on the pairs' texts (loss on every token);
 * 4. fine-tune it on the pairs with the template (loss on the beautiful prompt and the end-of-sequence only);
 * 5. write the model folder with its template and generation defaults.
 * Each stage is a resumable run under `runDirectory`; with `resume`, an interrupted call continues where it stopped.
 * @throws ConfigError / ValidationError / JsonlError naming the option, record or `file:line` at fault.
 */
export async function trainBeautifier(options: TrainBeautifierOptions): Promise<TrainBeautifierResult> {
  const {
    data,
    evalData,
    format,
    minPickScore,
    base,
    modelConfig,
    tokenizer,
    pretrain,
    template: templateOption,
    out,
    runDirectory = `${out}.runs`,
    generationConfig = DEFAULT_BEAUTIFIER_GENERATION,
    extraFiles = {},
    resume = false,
    signal,
    handleSigint,
    onStep,
    intraOpNumThreads,
    ...sftOptions
  } = options;
  if (typeof out !== 'string' || out === '') throw new ConfigError('trainBeautifier: out must name a folder');
  if ((base === undefined) === (modelConfig === undefined)) {
    throw new ConfigError(
      'trainBeautifier: give exactly one of base (a model to fine-tune) and modelConfig (a new one)',
    );
  }
  if (base !== undefined && tokenizer !== undefined) {
    throw new ConfigError('trainBeautifier: tokenizer applies to a new model (modelConfig); a base model has its own');
  }
  const seed = sftOptions.seed ?? 42;

  // 1. Pairs.
  const template = beautifierTemplate(templateOption ?? BEAUTIFIER_TEMPLATE);
  const pairs = await loadPromptPairs(data, { format, minPickScore });
  if (pairs.length === 0) throw new ConfigError('trainBeautifier: no pairs to train on');
  const evalPairs = evalData === undefined ? undefined : await loadPromptPairs(evalData, { format, minPickScore });

  // 2. Model.
  let model: CausalLM;
  if (base instanceof CausalLM) model = base;
  else if (typeof base === 'string') model = await loadModel(base);
  else model = newModel(pairs, template, modelConfig!, tokenizer, seed);
  const common = { resume, signal, handleSigint, intraOpNumThreads };

  // 3. Pre-training.
  let pretrainResult: TrainResult | undefined;
  if (pretrain !== undefined) {
    const texts = pairs.flatMap((pair) => [{ text: pair.simple }, { text: pair.beautiful }]);
    pretrainResult = await train({
      seed,
      ...pretrain,
      ...common,
      model,
      data: texts,
      template: 'text',
      mode: 'pretrain',
      outputDir: join(runDirectory, 'pretrain'),
      onStep: (metrics) => onStep?.('pretrain', metrics),
    });
    await model.dispose();
    model = pretrainResult.model;
    if (pretrainResult.stopReason === 'interrupted')
      return { model, template, pretrain: pretrainResult, pairs: pairs.length };
  }

  // 4. Fine-tuning on the pairs.
  const sftResult = await train({
    seed,
    ...sftOptions,
    ...common,
    model,
    data: pairs,
    ...(evalPairs === undefined ? {} : { evalData: evalPairs }),
    template,
    mode: 'completion',
    outputDir: join(runDirectory, 'sft'),
    onStep: (metrics) => onStep?.('sft', metrics),
  });
  await model.dispose();
  const trained = sftResult.model;
  const result = {
    model: trained,
    template,
    sft: sftResult,
    pairs: pairs.length,
    ...(pretrainResult ? { pretrain: pretrainResult } : {}),
  };
  if (sftResult.stopReason === 'interrupted') return result;

  // 5. The model folder.
  const special = trained.tokenizer?.specialTokenIds ?? {};
  trained.generationConfig = {
    ...(special.eos === undefined ? {} : { eos_token_id: special.eos }),
    ...(special.pad === undefined ? {} : { pad_token_id: special.pad }),
    ...generationConfig,
  };
  await trained.save(out, { ...extraFiles, [TEMPLATE_FILE]: serializeTemplate(template) });
  return { ...result, out };
}
