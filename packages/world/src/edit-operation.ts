import { cloneScene, type Scene, type Subject } from './scene';
import { MAX_COUNT } from './vocabulary';

/**
 * A typed edit of a scene; the ground truth carried by every generated triplet. Object, colour, material and
 * setting values are canonical vocabulary names.
 */
export type EditOperation =
  | { type: 'add'; object: string; count: number; colour?: string; material?: string }
  | { type: 'remove'; object: string }
  | { type: 'replace'; object: string; replacement: string }
  | { type: 'colour'; object: string; colour: string }
  | { type: 'count'; object: string; count: number }
  | { type: 'material'; object: string; material: string }
  | { type: 'time'; time: string }
  | { type: 'weather'; weather: string }
  | { type: 'season'; season: string }
  | { type: 'style'; style: string }
  | { type: 'background'; background: string };

/** Every edit type, in a fixed order. */
export const EDIT_TYPES: readonly EditOperation['type'][] = [
  'add',
  'remove',
  'replace',
  'colour',
  'count',
  'material',
  'time',
  'weather',
  'season',
  'style',
  'background',
];

/**
 * Applies an edit to a scene and returns a new scene (the input is not changed). Semantics:
 * `add` appends a subject, or raises the count of an object already there (at most 5); `remove` drops the object;
 * `replace` renames the object and keeps its count, colour, material and attributes (merging into an object of the
 * new name if one is there); `colour`, `count` and `material` set that field of the object; the setting edits set
 * that field of the scene. Edits that name an object the scene lacks (other than `add`) leave it unchanged.
 */
export function applyEdit(scene: Scene, operation: EditOperation): Scene {
  const result = cloneScene(scene);
  const target = result.subjects.find((subject) => subject.object === ('object' in operation ? operation.object : ''));
  switch (operation.type) {
    case 'add': {
      if (target) {
        target.count = Math.min(MAX_COUNT, target.count + operation.count);
      } else {
        const subject: Subject = { object: operation.object, count: operation.count, attributes: [] };
        if (operation.colour) subject.colour = operation.colour;
        if (operation.material) subject.material = operation.material;
        result.subjects.push(subject);
      }
      return result;
    }
    case 'remove':
      result.subjects = result.subjects.filter((subject) => subject.object !== operation.object);
      return result;
    case 'replace': {
      if (!target) return result;
      const other = result.subjects.find((subject) => subject.object === operation.replacement);
      if (other) {
        other.count = Math.min(MAX_COUNT, other.count + target.count);
        result.subjects = result.subjects.filter((subject) => subject !== target);
      } else {
        target.object = operation.replacement;
      }
      return result;
    }
    case 'colour':
      if (target) target.colour = operation.colour;
      return result;
    case 'count':
      if (target) target.count = operation.count;
      return result;
    case 'material':
      if (target) target.material = operation.material;
      return result;
    case 'time':
      result.time = operation.time;
      return result;
    case 'weather':
      result.weather = operation.weather;
      return result;
    case 'season':
      result.season = operation.season;
      return result;
    case 'style':
      result.style = operation.style;
      return result;
    case 'background':
      result.background = operation.background;
      return result;
  }
}
