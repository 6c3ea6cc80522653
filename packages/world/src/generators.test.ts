import { describe, expect, it } from 'vitest';
import { beautifyPrompt } from './beautify';
import { generateScene, generateSimplePrompt } from './generate-scene';
import { parsePrompt } from './parse-prompt';
import { renderPrompt } from './scene';
import { seededRandom } from './seeded-random.test-support';
import { generateTriplet } from './triplet';
import { WORLD_STYLES } from './vocabulary';

/** The default seed range the world README documents: one generator per seed, one record per generator. */
const SEEDS = Array.from({ length: 60_000 }, (_, seed) => seed);

describe('world generators', () => {
  it('are deterministic per seed and differ across seeds', () => {
    for (const seed of [0, 1, 42, 59_999]) {
      expect(generateSimplePrompt(seededRandom(seed))).toBe(generateSimplePrompt(seededRandom(seed)));
      expect(generateTriplet(seededRandom(seed))).toEqual(generateTriplet(seededRandom(seed)));
      const simple = generateSimplePrompt(seededRandom(seed));
      expect(beautifyPrompt(simple, seededRandom(seed + 1))).toBe(beautifyPrompt(simple, seededRandom(seed + 1)));
    }
    expect(generateSimplePrompt(seededRandom(1))).not.toBe(generateSimplePrompt(seededRandom(2)));
  });

  it('writes at least 10,000 distinct simple prompts from seeds 0..19,999', () => {
    const prompts = new Set(SEEDS.slice(0, 20_000).map((seed) => generateSimplePrompt(seededRandom(seed))));
    expect(prompts.size).toBeGreaterThanOrEqual(10_000);
  });

  it('writes at least 50,000 distinct triplets from seeds 0..59,999, each a real change', () => {
    const triplets = new Set<string>();
    let unchanged = 0;
    for (const seed of SEEDS) {
      const triplet = generateTriplet(seededRandom(seed));
      if (triplet.output === triplet.input) unchanged += 1;
      triplets.add(`${triplet.input}\n${triplet.edit}\n${triplet.output}`);
    }
    expect(unchanged).toBe(0);
    expect(triplets.size).toBeGreaterThanOrEqual(50_000);
  });

  it('writes simple prompts that read back without unknown words', () => {
    for (const seed of SEEDS.slice(0, 2000)) {
      expect(parsePrompt(generateSimplePrompt(seededRandom(seed))).unknownWords).toEqual([]);
    }
  });

  it('beautifies without changing content: same subjects and settings, a style kept or added, modifiers added', () => {
    const styles = new Set(WORLD_STYLES.map((entry) => entry.name));
    for (const seed of SEEDS.slice(0, 1500)) {
      const rng = seededRandom(seed);
      const scene = generateScene(rng);
      const simple = renderPrompt(scene);
      const beautiful = beautifyPrompt(simple, rng);
      const { scene: read, unknownWords } = parsePrompt(beautiful);
      expect(unknownWords, beautiful).toEqual([]);
      expect(beautiful).not.toBe(simple);
      expect(read.subjects, beautiful).toEqual(scene.subjects);
      expect([read.background, read.time, read.weather, read.season]).toEqual([
        scene.background,
        scene.time,
        scene.weather,
        scene.season,
      ]);
      if (scene.style) expect(read.style).toBe(scene.style);
      else if (read.style) expect(styles.has(read.style)).toBe(true);
      expect(read.quality.length, beautiful).toBeGreaterThanOrEqual(2);
    }
  });

  it('beautifies a scene object the same way as its prompt', () => {
    const scene = generateScene(seededRandom(7));
    expect(beautifyPrompt(scene, seededRandom(8))).toBe(beautifyPrompt(renderPrompt(scene), seededRandom(8)));
  });
});
