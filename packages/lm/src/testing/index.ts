/** @packageDocumentation Test helpers for packages that use @diffchat/lm: tiny random models and a fake Hugging Face hub on 127.0.0.1. */
export { createTinyModel, saveTinyModel, type TinyModelOptions } from './tiny-model';
