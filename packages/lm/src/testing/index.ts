/** @packageDocumentation Test helpers for packages that use @diffchat/lm: tiny random models and a fake Hugging Face hub on 127.0.0.1. */
export {
  type FakeHub,
  type FakeHubFiles,
  type FakeHubRepository,
  type FakeHubRequest,
  startFakeHub,
} from './fake-hub';
export { createTinyModel, saveTinyModel, type TinyModelOptions } from './tiny-model';
