/** @packageDocumentation Test helpers for packages that use @diffchat/lm: a fake Hugging Face hub on 127.0.0.1. */
export {};
