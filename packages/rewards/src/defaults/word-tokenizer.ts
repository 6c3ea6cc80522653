/** The start, end and unknown tokens, with CLIP's spelling for the first two. */
export const wordTokenizerSpecials = ['<|startoftext|>', '<|endoftext|>', '<|unknown|>'] as const;

/** Lower-cased words and punctuation runs, as the tokenizer's `Whitespace` pre-tokenizer splits them. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/\w+|[^\w\s]+/g) ?? [];
}

/**
 * A word-level tokenizer in Hugging Face's tokenizer.json format (a WordPiece model whose vocabulary holds whole
 * words, so every known word is one token): lower-casing, whitespace/punctuation splitting, start and end tokens
 * around every text, the end token as padding. Words seen fewer than `minCount` times map to `<|unknown|>`.
 *
 * @returns the parsed `tokenizer.json` and `tokenizer_config.json` objects.
 */
export function buildWordTokenizer(
  corpus: Iterable<string>,
  minCount = 1,
): { tokenizerJson: Record<string, unknown>; tokenizerConfig: Record<string, unknown> } {
  const counts = new Map<string, number>();
  for (const text of corpus) for (const word of words(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
  const vocabulary: Record<string, number> = {};
  for (const special of wordTokenizerSpecials) vocabulary[special] = Object.keys(vocabulary).length;
  for (const word of [...counts.keys()].sort()) {
    if (counts.get(word)! >= minCount) vocabulary[word] = Object.keys(vocabulary).length;
  }
  const [start, end, unknown] = wordTokenizerSpecials;
  const special = (content: string) => ({
    id: vocabulary[content]!,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: wordTokenizerSpecials.map(special),
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: start, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: end, type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: start, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: end, type_id: 0 } },
      ],
      special_tokens: Object.fromEntries(
        [start, end].map((token) => [token, { id: token, ids: [vocabulary[token]!], tokens: [token] }]),
      ),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: unknown,
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: vocabulary,
    },
  };
  return {
    tokenizerJson,
    tokenizerConfig: { bos_token: start, eos_token: end, pad_token: end, unk_token: unknown, model_max_length: 77 },
  };
}
