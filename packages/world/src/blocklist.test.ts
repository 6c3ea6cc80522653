import { describe, expect, it } from 'vitest';
import { isBlocked } from './blocklist';

describe('isBlocked', () => {
  it('blocks unsafe words, alone and inside multi-word nouns', () => {
    for (const word of [
      'gun',
      'bomb',
      'corpse',
      'brothel',
      'politician',
      'atom bomb',
      'man-of-war',
      'cartridge belt',
    ]) {
      expect(isBlocked(word), word).toBe(true);
    }
  });

  it('blocks words a picture cannot show and proper place names inside multi-word nouns', () => {
    for (const word of ['member', 'bacteria', 'claw', 'hudson river', 'heroic'])
      expect(isBlocked(word), word).toBe(true);
  });

  it('lets ordinary prompt words through', () => {
    for (const word of ['fisherman', 'teapot', 'kitchen', 'golden retriever', 'river', 'elderly', 'velvet']) {
      expect(isBlocked(word), word).toBe(false);
    }
  });
});
