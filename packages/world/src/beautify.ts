import type { ReadOptions } from './lexicon';
import { parsePrompt } from './parse-prompt';
import { chance, pick, pickDistinct, type Random } from './random-choice';
import {
  cloneScene,
  joinList,
  renderContent,
  renderSubject,
  type Scene,
  settingNounPhrase,
  shapeLead,
  stylePhrase,
} from './scene';
import {
  type QualityGroup,
  WORLD_OBJECTS,
  WORLD_QUALITIES,
  WORLD_SEASONS,
  WORLD_STYLES,
  WORLD_TIMES,
  WORLD_WEATHER,
  type WorldSetting,
} from './vocabulary';

/** Poses a living subject may be written with; the parser knows them and ignores them. */
const POSES = ['standing', 'sitting', 'resting', 'walking', 'playing'];
const LIVING = new Set(['animal', 'bird', 'person']);

function settingNoun(table: readonly WorldSetting[], name: string): string {
  return table.find((entry) => entry.name === name)!.nounPhrase;
}

/** Subject phrases; curated prompts may get a pose, which the open vocabulary would read as an action. */
function subjectPhrases(scene: Scene, rng: Random, open: boolean): string[] {
  return scene.subjects.map((subject) => {
    const phrase = renderSubject(subject);
    if (open) return phrase;
    const category = WORLD_OBJECTS.find((entry) => entry.name === subject.object)?.category ?? '';
    return LIVING.has(category) && chance(rng, 0.3) ? `${phrase} ${pick(rng, POSES)}` : phrase;
  });
}

/** The content in one of several orders and forms; every form parses back to the same content. */
function phraseContent(scene: Scene, rng: Random, open: boolean): string {
  const subjects = shapeLead(scene.shape) + joinList(subjectPhrases(scene, rng, open));
  const variant = scene.subjects.length === 0 ? 0 : Math.floor(rng() * 3);
  if (variant === 0) {
    return renderContent(scene);
  }
  const settings: string[] = [];
  if (scene.background) {
    settings.push(`${settingNounPhrase(scene.background)} ${pick(rng, ['background', 'scenery', 'setting'])}`);
  }
  if (scene.time) settings.push(settingNoun(WORLD_TIMES, scene.time));
  if (scene.weather) settings.push(settingNoun(WORLD_WEATHER, scene.weather));
  if (scene.season) settings.push(settingNoun(WORLD_SEASONS, scene.season));
  if (variant === 1) return [subjects, ...settings].join(', ');
  return [...settings, subjects].join(', ');
}

/** Quality modifiers to add: a few from different groups, as prompt sites stack them. */
function chooseQualities(scene: Scene, rng: Random): string[] {
  const groups: QualityGroup[] = pickDistinct(
    rng,
    ['detail', 'lighting', 'colour', 'composition', 'general'],
    2 + Math.floor(rng() * 3),
  );
  const chosen: string[] = [];
  for (const group of groups) {
    const options = WORLD_QUALITIES.filter((entry) => entry.group === group && !scene.quality.includes(entry.name));
    for (const entry of pickDistinct(rng, options, 1 + Math.floor(rng() * 2))) chosen.push(entry.name);
  }
  return chosen;
}

function weighted(rng: Random, phrase: string): string {
  return chance(rng, 0.15) ? `(${phrase}:${pick(rng, ['1.1', '1.2', '1.3'])})` : phrase;
}

/**
 * Dresses a prompt up the way prompt-sharing sites do: the same content, plus a style (when it had none, most of
 * the time), lighting, detail, colour, composition and praise modifiers, in varied orders and syntax (comma lists,
 * `X of Y` leads, pipes, attention weights). The result parses back to the input's scene with the added style and
 * modifiers. Accepts a prompt (parsed first, with `options.vocabulary`; unknown words are dropped) or a scene.
 * With `{ vocabulary: 'open' }` no pose is added (the open reader takes it for an action).
 */
export function beautifyPrompt(simple: string | Scene, rng: Random, options: ReadOptions = {}): string {
  const open = options.vocabulary === 'open';
  const scene = typeof simple === 'string' ? parsePrompt(simple, options).scene : cloneScene(simple);
  const style = scene.style ?? (chance(rng, 0.75) ? pick(rng, WORLD_STYLES).name : undefined);
  const qualities = [...scene.quality, ...chooseQualities(scene, rng)].map((quality) => weighted(rng, quality));
  const content = phraseContent(scene, rng, open);
  const styleEntry = WORLD_STYLES.find((entry) => entry.name === style);
  // An open style written alone could read as a thing (`etching`); `in the style of` says what it is.
  const written = style === undefined || styleEntry ? style : stylePhrase(style);
  const layout = Math.floor(rng() * 5);
  if (layout === 0 && styleEntry && !scene.shape) {
    return [`${pick(rng, styleEntry.phrasings)} of ${content}`, ...qualities].join(', ');
  }
  if (layout === 1) {
    const styleTail = style ? [`in the style of ${style}`] : [];
    return [content, ...styleTail, ...qualities].join(', ');
  }
  if (layout === 2) {
    const [first, ...rest] = qualities;
    const lead = first ? [first] : [];
    return [...lead, content, ...(style ? [`${style} style`] : []), ...rest].join(', ');
  }
  if (layout === 3) {
    return [content, ...(written ? [written] : []), ...qualities].join(' | ');
  }
  const listed = qualities.length > 1 ? `with ${joinList(qualities)}` : qualities.join('');
  return [content, ...(written ? [written] : []), listed].filter((part) => part.length > 0).join(', ');
}
