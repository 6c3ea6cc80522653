/**
 * @packageDocumentation
 * Supervised fine-tuning of causal LMs on ONNX Runtime: prompt/completion templates, loss on completion tokens
 * only (or every token for pre-training), length-bucketed or packed batches, gradient accumulation, AdamW with
 * warm-up and cosine decay, evaluation and early stopping, resumable runs, LoRA adapters in PEFT's layout, and
 * export to TRL's prompt/completion JSONL.
 */
export {
  ADAPTER_CONFIG_FILE,
  ADAPTER_WEIGHTS_FILE,
  type AdapterConfig,
  adapterConfigOf,
  adapterConfigSchema,
  defaultTargetModules,
  findLoraTargets,
  initialLoraWeights,
  LORA_ARCHITECTURES,
  type LoraAdapter,
  type LoraTarget,
  loadLoraAdapter,
  loraDelta,
  mergeLoraAdapter,
  saveLoraAdapter,
} from './lora';
export {
  type LoraConfig,
  loraConfigSchema,
  parseSftConfig,
  type SftConfig,
  type SftConfigInput,
  sftConfigSchema,
} from './sft-config';
export {
  loadRecords,
  recordSchemaFor,
  type SftData,
  type SpecialIds,
  type TokenizedData,
  tokenizeRecords,
} from './sft-data';
export {
  buildSftGraph,
  LORA_DROPOUT_INPUTS,
  type LoraGraphOptions,
  type SftGraph,
  SftStep,
  type SftStepResult,
} from './sft-graph';
export {
  type BucketOptions,
  bucketSteps,
  countedTargets,
  IGNORE_INDEX,
  type LossMode,
  labelsOf,
  maskedCrossEntropy,
  type PaddedBatch,
  packRows,
  padRows,
  perplexity,
  type SequenceRow,
  stepsPerEpoch,
  type TokenizedExample,
  tokenWeightedMean,
  truncateExample,
} from './sft-math';
export { type StepMetrics, type StopReason, type TrainOptions, type TrainResult, train } from './sft-trainer';
export {
  BUILT_IN_TEMPLATES,
  type BuiltInTemplateName,
  loadTemplate,
  type PromptTemplate,
  type PromptTemplateInput,
  promptTemplateSchema,
  renderExample,
  renderPrompt,
  requiredFields,
  resolveTemplate,
  serializeTemplate,
  TEMPLATE_FILE,
  templateFields,
} from './template';
export {
  exportTrlDataset,
  type TrlExportOptions,
  type TrlPromptCompletion,
  trlPromptCompletionSchema,
} from './trl-export';
