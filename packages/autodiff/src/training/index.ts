export { elementCount } from '../shape';
export { AdamW, type AdamWOptions } from './adamw';
export { GradientAccumulator } from './gradient-accumulator';
export { clipGlobalNorm, globalNorm } from './gradient-clipping';
export {
  constant,
  type FanOptions,
  fans,
  type Initializer,
  type InitializerContext,
  type InitializerFunction,
  type KaimingOptions,
  kaiming,
  type Nonlinearity,
  type NormalOptions,
  normal,
  ones,
  type RandomInitializerOptions,
  type UniformOptions,
  uniform,
  type XavierOptions,
  xavierUniform,
  zeros,
} from './initializers';
export {
  type CosineScheduleOptions,
  constantSchedule,
  cosineSchedule,
  type LearningRateSchedule,
  type LinearWarmupOptions,
  linearWarmup,
} from './learning-rate-schedules';
export {
  type DecayPredicate,
  decayMatricesOnly,
  type Optimizer,
  type OptimizerState,
  SlottedOptimizer,
} from './optimizer';
export {
  type Parameter,
  ParameterStore,
  type ParameterStoreOptions,
  sameShape,
  type TensorValues,
} from './parameter-store';
export {
  MAX_SAFETENSORS_HEADER_BYTES,
  parseSafetensors,
  readSafetensors,
  readSafetensorsFile,
  type SafetensorsContents,
  type SafetensorsDtype,
  SafetensorsError,
  type SafetensorsFileReadOptions,
  type SafetensorsInput,
  type SafetensorsReadOptions,
  type SafetensorsTensor,
  serializeSafetensors,
  writeSafetensors,
} from './safetensors';
export {
  readShardedSafetensors,
  SAFETENSORS_INDEX_FILE,
  type ShardedSafetensorsReadOptions,
} from './safetensors-sharded';
export { deriveSeed, SeededRandom } from './seeded-random';
export { Sgd, type SgdOptions } from './sgd';
export {
  type LoadedTrainingState,
  type LoadTrainingStateOptions,
  loadTrainingState,
  saveTrainingState,
  TRAINING_STATE_FILE,
  type TrainingStateToSave,
} from './training-state';
