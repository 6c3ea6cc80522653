import { WORLD_QUALITIES, WORLD_STYLES } from '@diffchat/world';
import { pick, type Random } from './random-pick';

const QUALITY_GROUPS = ['detail', 'lighting', 'colour', 'composition', 'general'] as const;
const WEIGHTS = ['1.1', '1.2', '1.3'];

/** `count` distinct items of a list, in a random order. */
function pickDistinct<T>(random: Random, items: readonly T[], count: number): T[] {
  const pool = [...items];
  const chosen: T[] = [];
  while (chosen.length < count && pool.length > 0) chosen.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
  return chosen;
}

/**
 * The modifiers prompt sites stack after the content: most often a style (as `oil painting`, `in the style of
 * oil painting` or `oil painting style`), then two to six quality words from different groups (lighting, detail,
 * colour, composition, praise), a few of them weighted as `(golden hour:1.2)`. Never the same modifier twice.
 */
export function dressingTail(random: Random, withStyle = true): string[] {
  const tail: string[] = [];
  if (withStyle && random() < 0.75) {
    const style = pick(random, WORLD_STYLES).name;
    const form = Math.floor(random() * 3);
    tail.push(form === 0 ? style : form === 1 ? `in the style of ${style}` : `${style} style`);
  }
  for (const group of pickDistinct(random, QUALITY_GROUPS, 2 + Math.floor(random() * 3))) {
    const options = WORLD_QUALITIES.filter((entry) => entry.group === group);
    for (const entry of pickDistinct(random, options, 1 + Math.floor(random() * 2))) {
      tail.push(random() < 0.15 ? `(${entry.name}:${pick(random, WEIGHTS)})` : entry.name);
    }
  }
  return tail;
}

/**
 * A simple prompt dressed with modifiers after it, the prompt itself kept word for word at the start: the layout a
 * beautifier can be made to follow for any prompt (see `startWithSource` of `beautify`), whatever its words.
 */
export function dressAfterSource(simple: string, random: Random): string {
  const hasStyle = /\b(style|painting|art|sketch|photo|watercolou?r|anime|drawing|illustration)\b/i.test(simple);
  return [simple.trim(), ...dressingTail(random, !hasStyle)].join(', ');
}
