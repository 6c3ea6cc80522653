import { describe, expect, it } from 'vitest';
import { decodePng } from './decode-png.test-support';
import { renderSketch } from './render-sketch';
import { SketchTextToImage } from './sketch-text-to-image';

describe('SketchTextToImage', () => {
  it('renders n images with seeds seed..seed+n-1 and reports unknown words', async () => {
    const backend = new SketchTextToImage();
    expect(backend.id).toBe('sketch');
    const images = await backend.generate({ prompt: 'a red fox by greg', seed: 5, n: 3, width: 64, height: 48 });
    expect(images.map((image) => image.seed)).toEqual([5, 6, 7]);
    for (const image of images) {
      expect([image.width, image.height]).toEqual([64, 48]);
      expect(image.metadata.unknownWords).toEqual(['greg']);
      expect(
        Buffer.from(image.png).equals(
          Buffer.from(renderSketch('a red fox by greg', { seed: image.seed, width: 64, height: 48 }).png),
        ),
      ).toBe(true);
    }
  });

  it('defaults to one 256x256 image of seed 0', async () => {
    const [image, ...rest] = await new SketchTextToImage().generate({ prompt: 'a cat' });
    expect(rest).toEqual([]);
    expect(image!.seed).toBe(0);
    const decoded = decodePng(image!.png);
    expect([decoded.width, decoded.height]).toEqual([256, 256]);
  });

  it('rejects when the signal is aborted and on a bad count', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(new SketchTextToImage().generate({ prompt: 'a cat' }, { signal: controller.signal })).rejects.toThrow(
      'stop',
    );
    await expect(new SketchTextToImage().generate({ prompt: 'a cat', n: 0 })).rejects.toThrow(/"n"/);
  });
});
