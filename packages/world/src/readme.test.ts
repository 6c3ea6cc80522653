import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReadmeExample } from '../../../readme-example';

describe('README example', () => {
  it('runs and prints what its comments say', async () => {
    const { printed, expected } = await runReadmeExample(join(__dirname, '..'), '@diffchat/world');
    expect(printed).toEqual(expected);
  });
});
