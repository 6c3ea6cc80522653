import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { trainXor } from '../examples/xor';

describe('README example', () => {
  it('is the code of examples/xor.ts, word for word', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const example = await readFile(new URL('../examples/xor.ts', import.meta.url), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
  });

  it('trains the MLP until it classifies all four XOR inputs, its loss falling', async () => {
    const { losses, predictions } = await trainXor();
    expect(predictions).toEqual([0, 1, 1, 0]);
    expect(losses).toHaveLength(4);
    // Chance level for two classes is ln 2 = 0.69; the trained loss is far below it.
    expect(losses.at(-1)!).toBeLessThan(0.05);
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);
  });
});
