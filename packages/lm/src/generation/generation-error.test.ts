import { afterAll, describe, expect, it } from 'vitest';
import { createModel } from '../models/causal-lm';
import { DEFAULT_MAX_LENGTH, type GenerateOptions, type Prompts } from './generate';
import { GenerationError } from './generation-error';

// BLOOM has no position table: its length limit is DEFAULT_MAX_LENGTH unless maxLength raises it. GPT-2's is
// n_positions.
const bloom = createModel(
  { model_type: 'bloom', hidden_size: 16, n_layer: 1, n_head: 2, vocab_size: 1024 },
  { seed: 3 },
);
const gpt2 = createModel({ model_type: 'gpt2', n_embd: 16, n_layer: 1, n_head: 2, n_positions: 32, vocab_size: 50 });
afterAll(async () => {
  await bloom.dispose();
  await gpt2.dispose();
});

/** The GenerationError that generate rejects with. */
async function refusal(prompts: Prompts, options: GenerateOptions, model = bloom): Promise<GenerationError> {
  const error = await model.generate(prompts, options).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(GenerationError);
  return error as GenerationError;
}

describe('GenerationError', () => {
  it('names the prompt and position of a token id outside the vocabulary, negative or not an integer', async () => {
    const outside = await refusal(
      [
        [1, 2],
        [3, 4, 5, 70000],
      ],
      {},
    );
    expect(outside.field).toBe('prompts[1][3]');
    expect(outside.message).toBe('prompts[1][3]: token id 70000 is outside the vocabulary of 1024');
    expect((await refusal([[1, -1]], {})).message).toBe('prompts[0][1]: token id -1 is outside the vocabulary of 1024');
    expect((await refusal([[1024]], {})).field).toBe('prompts[0][0]');
    expect((await refusal([[1], [2.5]], {})).message).toBe('prompts[1][0]: token id 2.5 is not an integer');
    expect((await refusal([[Number.NaN]], {})).field).toBe('prompts[0][0]');
    expect((await refusal([[50]], {}, gpt2)).message).toMatch(/vocabulary of 50$/);
    expect((await refusal([[1]], { padTokenId: 5000 })).field).toBe('padTokenId');
  });

  it('refuses negative, fractional and absurd maxNewTokens before allocating anything', async () => {
    for (const maxNewTokens of [-1, 0, 2.5, Number.NaN, 1e9, 2 ** 53]) {
      const error = await refusal([[1, 2]], { maxNewTokens });
      expect(error.field).toBe('maxNewTokens');
      expect(error.message).toContain(String(maxNewTokens));
    }
    expect((await refusal([[1]], { maxNewTokens: DEFAULT_MAX_LENGTH + 1 })).message).toBe(
      `maxNewTokens: ${DEFAULT_MAX_LENGTH + 1} exceeds the length limit of 2048 (the default maxLength)`,
    );
    expect((await refusal([[1]], { maxNewTokens: 33 }, gpt2)).message).toMatch(/limit of 32 \(n_positions\)/);
  });

  it('holds BLOOM prompts to a default of 2048 tokens, which maxLength raises', async () => {
    expect(DEFAULT_MAX_LENGTH).toBe(2048);
    const long = Array.from({ length: 2048 }, (_, index) => index % 1024);
    const error = await refusal([[1], long], { maxNewTokens: 1 });
    expect(error.field).toBe('prompts[1]');
    expect(error.message).toMatch(/has 2048 tokens.*2048 \(the default maxLength\)/);
    const [raised] = await bloom.generate([long], { maxNewTokens: 3, maxLength: 2050, eosTokenId: [] });
    expect(raised!.tokenIds).toHaveLength(2);
    expect(raised!.finishReason).toBe('length');
    const [lowered] = await bloom.generate([[1, 2, 3]], { maxNewTokens: 4, maxLength: 5, eosTokenId: [] });
    expect(lowered!.tokenIds).toHaveLength(2);
  });

  it('checks maxLength itself and keeps it within a position table', async () => {
    for (const maxLength of [1, 0, -5, 3.5]) expect((await refusal([[1]], { maxLength })).field).toBe('maxLength');
    const beyond = await refusal([[1]], { maxLength: 33 }, gpt2);
    expect(beyond.message).toBe("maxLength: 33 exceeds the model's 32 positions (n_positions)");
  });
});
