import { describe, expect, it } from 'vitest';
import { RewardError } from './errors';
import { extractKeyInfo } from './key-info';

describe('extractKeyInfo', () => {
  it.each([
    // [source, instruction, keep, add, forbidden]
    ['a man in a park', 'add a dog', ['man', 'park'], ['dog'], []],
    ['a dog on a sofa', 'remove the dog', ['sofa'], [], ['dog']],
    ['a dog on a sofa', 'without the dog', ['sofa'], [], ['dog']],
    ['a dog on a sofa', 'replace the dog with a cat', ['sofa'], ['cat'], ['dog']],
    ['a dog on a sofa', 'turn the dog into a lion', ['sofa'], ['lion'], ['dog']],
    ['a blue car on a road', 'make the car red', ['car', 'road'], ['red'], ['blue']],
    ['a blue car on a road', 'change the car to green', ['car', 'road'], ['green'], ['blue']],
    ['a street during the day', 'make it night', ['street'], ['night'], ['day']],
    ['a park in summer', 'make it winter', ['park'], ['winter'], ['summer']],
    ['a rainy street', 'make it sunny', ['street'], ['sun'], ['rain']],
    ['a photo of a cat', 'make it a pencil sketch', ['cat'], ['sketch'], []],
    ['a fox in a snowy forest', 'add a moon and remove the snow', ['fox', 'forest'], ['moon'], ['snow']],
    ['a boat on a lake', 'get rid of the boat', ['lake'], [], ['boat']],
    ['a tree', '', ['tree'], [], []],
    ['a glowing green apple', 'use plastic for the apple', ['glowing', 'green', 'apple'], ['plastic'], []],
    ['a wooden chair', 'make the chair out of glass', ['chair'], ['glass'], ['wooden']],
    ['two dogs in a park', 'have cats instead of the dogs', ['two', 'park'], ['cat'], ['dog']],
    ['a red car on a street', 'the car should be blue', ['car', 'street'], ['blue'], ['red']],
    ['three cats in a field', 'there should be five cats', ['cat', 'field'], ['five'], ['three']],
    ['two red foxes in a forest', 'remove the foxes', ['forest'], [], ['fox']],
    ['a cat in a garden', 'put it in a desert', ['cat'], ['desert'], []],
    // Open vocabulary: what a word names comes from WordNet.
    ['a cat on a sofa', 'make it a dog', ['sofa'], ['dog'], ['cat']],
    ['a busy cafe with people chatting', 'make it a library', ['busy', 'people'], ['library'], ['cafe']],
    ['a barn on a hill', 'make it a church', ['hill'], ['church'], ['barn']],
    ['an old man reading', 'make him young', ['man'], ['young'], ['old']],
    ['a knight on a hill', 'make him a pirate', ['hill'], ['pirate'], []],
    ['a tiny dog on a rug', 'make the dog big', ['dog', 'rug'], ['big'], ['tiny']],
    ['children playing in the snow', 'make it summer', ['child'], ['summer'], ['snow']],
    [
      'a lighthouse on a rocky cliff at sunset',
      'make it night',
      ['lighthouse', 'rocky', 'cliff'],
      ['night'],
      ['sunset'],
    ],
    ['a sunny meadow with wildflowers', 'make it rainy', ['meadow', 'wildflower'], ['rain'], ['sun']],
    ['three apples on a plate', 'make it one apple', ['apple', 'plate'], [], ['three']],
    ['a bear in a forest', 'add a second bear', ['bear', 'forest'], ['two'], []],
    ['a marble statue of a horse', 'make the statue out of bronze', ['statue', 'horse'], ['bronze'], ['marble']],
    ['a cat on a windowsill', 'make it look like a watercolor', ['cat', 'windowsill'], ['watercolor'], []],
    ['a cottage in a pine forest', 'in the style of van gogh', ['cottage', 'pine forest'], ['van gogh'], []],
    ['a woman in a cafe', 'have her hold an umbrella', ['woman', 'cafe'], ['umbrella'], []],
    [
      'portrait of an old fisherman smoking a pipe',
      'make it night',
      ['portrait', 'old', 'fisherman', 'pipe'],
      ['night'],
      [],
    ],
  ])('%s + "%s"', (source, instruction, keep, add, forbidden) => {
    const info = extractKeyInfo({ source, instruction });
    expect(info.keep).toEqual(keep);
    expect(info.add).toEqual(add);
    expect(info.required).toEqual([...keep, ...add]);
    expect(info.forbidden).toEqual(forbidden);
  });

  it('returns a copy that callers may change without affecting later calls', () => {
    const first = extractKeyInfo({ source: 'a cat', instruction: 'add a hat' });
    first.required.push('dog');
    expect(extractKeyInfo({ source: 'a cat', instruction: 'add a hat' }).required).toEqual(['cat', 'hat']);
  });

  it('names the field that is not a string', () => {
    expect(() => extractKeyInfo({ source: 1, instruction: '' } as never)).toThrow(/^source: /);
    expect(() => extractKeyInfo({ source: 'a', instruction: null } as never)).toThrow(RewardError);
    expect(() => extractKeyInfo(null as never)).toThrow(/^input: /);
  });
});
