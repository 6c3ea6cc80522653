import { describe, expect, it } from 'vitest';
import { resolveSpecialTokens } from './special-tokens';

const vocabulary = new Set(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '<s>', '</s>', '<unk>', '<|endoftext|>', 'word']);
const known = (token: string) => vocabulary.has(token);

describe('resolveSpecialTokens', () => {
  it('takes tokenizer_config.json first, strings or AddedToken objects', () => {
    const config = { bos_token: { content: '<s>' }, eos_token: '<|endoftext|>', pad_token: '[PAD]', unk_token: 'word' };
    expect(resolveSpecialTokens(config, {}, known)).toEqual({
      bos: '<s>',
      eos: '<|endoftext|>',
      pad: '[PAD]',
      unk: 'word',
    });
  });

  it('reads an explicit null as "none", and skips names the vocabulary lacks', () => {
    const config = { bos_token: null, eos_token: 'absent', pad_token: null, unk_token: null };
    expect(resolveSpecialTokens(config, {}, known)).toEqual({ eos: '</s>' });
  });

  it('uses cls/sep for bos/eos and the model’s unknown token when the config has no named tokens', () => {
    const config = { cls_token: '[CLS]', sep_token: '[SEP]' };
    expect(resolveSpecialTokens(config, { model: { unk_token: '[UNK]' } }, known)).toEqual({
      bos: '[CLS]',
      eos: '[SEP]',
      pad: '[PAD]',
      unk: '[UNK]',
    });
    const unigram = {
      model: {
        unk_id: 1,
        vocab: [
          ['word', -1],
          ['<unk>', 0],
        ],
      },
    };
    expect(resolveSpecialTokens({}, unigram, known).unk).toBe('<unk>');
  });

  it('falls back on conventional names: <s>-style before BERT-style', () => {
    expect(resolveSpecialTokens({}, {}, known)).toEqual({ bos: '<s>', eos: '</s>', pad: '[PAD]', unk: '<unk>' });
    const bert = new Set(['[PAD]', '[UNK]', '[CLS]', '[SEP]']);
    expect(resolveSpecialTokens({}, {}, (token) => bert.has(token))).toEqual({
      bos: '[CLS]',
      eos: '[SEP]',
      pad: '[PAD]',
      unk: '[UNK]',
    });
    expect(resolveSpecialTokens({}, {}, () => false)).toEqual({});
  });
});
