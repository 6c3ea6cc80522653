import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReadmeExample } from '../../../readme-example';

const packageRoot = join(__dirname, '..');

describe('README example', () => {
  it('trains the MLP until it classifies all four XOR inputs, its loss falling', async () => {
    const { logged } = await runReadmeExample(packageRoot, '@diffchat/autodiff', {
      section: 'Example: a tiny MLP learns XOR',
      block: 'all',
    });
    expect(logged).toHaveLength(1);
    const { losses, predictions } = logged[0]![0] as { losses: number[]; predictions: number[] };
    expect(predictions).toEqual([0, 1, 1, 0]); // XOR of the inputs (0,0), (0,1), (1,0), (1,1)
    expect(losses).toHaveLength(4); // steps 0, 100, 200, 300
    // Chance level for two classes is ln 2 = 0.69; the trained loss is far below it.
    expect(losses[0]!).toBeGreaterThan(0.3);
    expect(losses.at(-1)!).toBeLessThan(0.05);
  });

  it('is the code of examples/xor.ts, word for word', async () => {
    const readme = await readFile(join(packageRoot, 'README.md'), 'utf8');
    const example = await readFile(join(packageRoot, 'examples', 'xor.ts'), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
  });
});
