import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runReadmeExample } from '../../../readme-example';

const packageRoot = join(__dirname, '..');
const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** Runs the README's example in a fresh folder; returns what it logged and the folder. */
async function runInFreshFolder() {
  const folder = mkdtempSync(join(tmpdir(), 't2i-readme-'));
  folders.push(folder);
  const { logged } = await runReadmeExample(packageRoot, '@diffchat/t2i', { section: 'Example', cwd: folder });
  return { logged, folder };
}

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe('README example', () => {
  it('draws two 256 x 256 foxes, writes them as PNG files and gives the same images when run again', async () => {
    const first = await runInFreshFolder();
    expect(first.logged).toHaveLength(1);
    const images = first.logged[0]![0] as { width: number; height: number; seed: number; metadata: unknown }[];
    expect(images).toHaveLength(2);
    for (const image of images) {
      expect([image.width, image.height]).toEqual([256, 256]);
      expect(Number.isInteger(image.seed)).toBe(true);
    }
    expect(new Set(images.map((image) => image.seed)).size).toBe(2); // n = 2 draws with distinct seeds
    const files = readdirSync(first.folder).filter((name) => name.endsWith('.png'));
    expect(files.sort()).toEqual(images.map((image) => `fox-${image.seed}.png`).sort());
    for (const file of files) {
      const bytes = readFileSync(join(first.folder, file));
      expect([...bytes.subarray(0, 8)]).toEqual(pngSignature);
      expect(bytes.readUInt32BE(16)).toBe(256); // IHDR width
      expect(bytes.readUInt32BE(20)).toBe(256); // IHDR height
    }
    expect(readdirSync(first.folder)).toContain('.render-cache');

    // The sketch renderer is a function of prompt and seed, so a second run in a fresh folder writes the same bytes.
    const second = await runInFreshFolder();
    expect(second.logged).toEqual(first.logged);
    for (const file of files) {
      expect(readFileSync(join(second.folder, file)).equals(readFileSync(join(first.folder, file)))).toBe(true);
    }
  });
});
