import { createRng } from '@diffchat/core';
import { WORLD_SCENES } from '@diffchat/world';
import { describe, expect, it } from 'vitest';
import { distinctCaptions } from './default-dataset';
import { batchSampler, captionSetting } from './train-default-rewards';

describe('captionSetting', () => {
  it('names the background of a caption, or none', () => {
    expect(captionSetting('a boat in a forest', WORLD_SCENES)).toBe('forest');
    expect(captionSetting('a crimson bench in a forest at dusk under a cloudy sky', WORLD_SCENES)).toBe('forest');
    expect(captionSetting('four apples underwater', WORLD_SCENES)).toBe('underwater');
    expect(captionSetting('two owls and a purple cactus on the ocean under a clear sky', WORLD_SCENES)).toBe('ocean');
    expect(captionSetting('a white taxi', WORLD_SCENES)).toBe('');
  });
});

describe('batchSampler', () => {
  it('draws distinct captions, uniformly or from the asked number of settings', async () => {
    const captions = await distinctCaptions(600, 3);
    for (const settingsPerBatch of [0, 1, 3]) {
      const draw = batchSampler(captions, settingsPerBatch, WORLD_SCENES);
      const rng = createRng(`sampler:${settingsPerBatch}`);
      for (let round = 0; round < 20; round++) {
        const batch = [...draw(rng, 24)];
        expect(new Set(batch).size).toBe(24);
        expect(batch.every((index) => Number.isInteger(index) && index >= 0 && index < captions.length)).toBe(true);
        if (settingsPerBatch > 0) {
          const settings = new Set(batch.map((index) => captionSetting(captions[index]!, WORLD_SCENES)));
          // Every setting holds more than 24 of the 600 captions, so no top-up from the whole set is needed.
          expect(settings.size).toBeLessThanOrEqual(settingsPerBatch);
        }
      }
    }
  });

  it('tops a batch up from the whole set when the settings hold too few captions', () => {
    const captions = ['a fox in a forest', 'a cat in a forest', 'a dog on a beach', 'a cow on a beach', 'a pig'];
    const batch = batchSampler(captions, 1, WORLD_SCENES)(createRng('small'), 4);
    expect(batch.size).toBe(4);
  });
});
