import { isDeepStrictEqual } from 'node:util';
import { parsePrompt } from './parse-prompt';
import { renderPrompt, type Scene } from './scene';

/** True when the scene's canonical prompt reads back, with the open vocabulary, as the same scene and no unknown word. */
export function roundTrips(scene: Scene): boolean {
  const parsed = parsePrompt(renderPrompt(scene), { vocabulary: 'open' });
  return parsed.unknownWords.length === 0 && isDeepStrictEqual(parsed.scene, scene);
}
