import { removeRepeatedModifiers } from './repeated-modifiers';
import { repairWeightSyntax } from './weight-syntax';

/**
 * {@link repairWeightSyntax}, then {@link removeRepeatedModifiers}: a prompt with well-formed attention-weight syntax
 * and every modifier once. The repair comes first so that a repeat with a malformed weight (`(a:1.1.1.3), (a:1.1)`)
 * is recognised; a last repair removes a group that lost all its modifiers.
 */
export function cleanPrompt(text: string): string {
  return repairWeightSyntax(removeRepeatedModifiers(repairWeightSyntax(text)));
}
