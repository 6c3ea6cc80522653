import { describe, expect, it } from 'vitest';
import { pickScorePreferences, pickScoreReward } from '../pickscore/pickscore-reward';
import type { RewardImage } from '../reward';
import { clipScoreReward, relevanceReward } from './clip-rewards';
import type { ImageTextEncoder } from './image-text-encoder';

/**
 * An encoder with embeddings chosen by hand: a text is the unit vector at its angle in `angles`, an image of width w
 * the unit vector at angle w / 100 radians; so every cosine is cos(angle difference).
 */
const angles: Record<string, number> = { cat: 0, dog: 1, 'a dog': 1.2, plain: 0.5 };
const encoder: ImageTextEncoder = {
  logitScale: 100,
  embedTexts: async (texts) => texts.map((text) => Float32Array.of(Math.cos(angles[text]!), Math.sin(angles[text]!))),
  embedImages: async (images) =>
    images.map((image) => {
      const angle = (image as { width: number }).width / 100;
      return Float32Array.of(Math.cos(angle), Math.sin(angle));
    }),
};
const imageAt = (angle: number): RewardImage => ({
  width: Math.round(angle * 100),
  height: 1,
  pixels: new Uint8Array(Math.round(angle * 100) * 3),
});
const record = (target: string, images: RewardImage[], original?: string) => ({
  source: 'cat',
  instruction: '',
  target,
  images,
  ...(original === undefined ? {} : { original }),
});

describe('image-text rewards', () => {
  it('CLIPScore is 2.5 * max(cos, 0), averaged over the images', async () => {
    const [result] = await clipScoreReward({ encoder }).score([record('cat', [imageAt(0.3), imageAt(2)])]);
    expect(result!.value).toBeCloseTo((2.5 * Math.cos(0.3) + 0) / 2, 5);
  });

  it('PickScore is logit_scale * cos, with the softmax preference over the images', async () => {
    const [result] = await pickScoreReward({ encoder }).score([record('dog', [imageAt(1), imageAt(0.5)])]);
    const scores = [100, 100 * Math.cos(0.5)];
    expect(result!.value).toBeCloseTo((scores[0]! + scores[1]!) / 2, 4);
    const expected = 1 / (1 + Math.exp(scores[1]! - scores[0]!));
    expect((result!.details.preference as number[])[0]).toBeCloseTo(expected, 6);
    const preferences = await pickScorePreferences(encoder, 'dog', [imageAt(1), imageAt(0.5)]);
    expect(preferences[0]).toBeCloseTo(expected, 6);
    expect(preferences[0]! + preferences[1]!).toBeCloseTo(1, 10);
  });

  it('scores against the original text when asked, and then needs it', async () => {
    const reward = pickScoreReward({ encoder, against: 'original' });
    expect(reward.needs).toEqual(['image', 'original']);
    const [result] = await reward.score([record('dog', [imageAt(0.5)], 'plain')]);
    expect(result!.value).toBeCloseTo(100, 4);
    await expect(reward.score([record('dog', [imageAt(0.5)])])).rejects.toThrow(/records\[0\]\.original/);
  });

  it('relevance is min(0, 20 cos - 5.6) against the plain text: zero above cos 0.28, linear below', async () => {
    const reward = relevanceReward({ encoder });
    const [close, far] = await reward.score([
      record('a dog', [imageAt(0.5)], 'plain'),
      record('a dog', [imageAt(2.0)], 'plain'),
    ]);
    expect(close!.value).toBe(0);
    expect(far!.value).toBeCloseTo(20 * Math.cos(1.5) - 5.6, 5);
  });

  it('rejects a record without images, naming it', async () => {
    await expect(
      clipScoreReward({ encoder }).score([{ source: 'cat', instruction: '', target: 'cat' }]),
    ).rejects.toThrow(/records\[0\]\.images/);
  });
});
