/**
 * @packageDocumentation
 * Test doubles of the image servers that `@diffchat/t2i` talks to, for this package's tests and for other packages'
 * tests: fake AUTOMATIC1111, ComfyUI (with its websocket) and OpenAI-compatible servers on 127.0.0.1, with recorded
 * requests and injectable failures, and a small PNG maker.
 */
export { type FakeAutomatic1111Options, FakeAutomatic1111Server } from './fake-automatic1111-server';
export { type FakeComfyUiOptions, FakeComfyUiServer } from './fake-comfyui-server';
export { type FakeOpenAiImagesOptions, FakeOpenAiImagesServer } from './fake-openai-images-server';
export {
  type FakeAnswer,
  type FakeFailure,
  type FakeHandler,
  FakeServer,
  type RecordedRequest,
  type StreamedAnswer,
} from './fake-server';
export { testPng, testPngHeader } from './test-png';
