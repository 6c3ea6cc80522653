// Tokenizer benchmark: pnpm --filter @diffchat/lm bench
// Trains a 4096-token byte-level BPE on ~10 MB of synthetic text, then measures encoding speed of
// the trained tokenizer through @huggingface/tokenizers and through this package's own encoder.
// Then runs the safetensors loading benchmark (bench/load-safetensors.ts, `load_2gib_peak_rss_mb=<n>`), BLOOM's
// per-token cost at two cache capacities (bench/bloom-cache-capacity.ts, `bloom_capacity_ratio=<n>`) and the
// decoding benchmark (bench/decoding.ts), whose summary line comes last.
import { BytePairEncoder, createTokenizer, trainBpeTokenizer } from '../src/index';

const CORPUS_BYTES = 10 * 1024 * 1024;
const VOCAB_SIZE = 4096;

/** Text with a Zipf-like word distribution (so merges have realistic statistics), seeded for repeatability. */
function syntheticCorpus(targetBytes: number): string[] {
  let state = 12345;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const syllables = [
    'ka',
    'lo',
    'mi',
    'ne',
    'ra',
    'shi',
    'tu',
    'ven',
    'dor',
    'el',
    'qua',
    'ith',
    'zo',
    'pra',
    'ght',
    'é',
    'ü',
  ];
  const words: string[] = [];
  for (let index = 0; index < 200000; index++) {
    let word = '';
    const length = 1 + Math.floor(random() * 5);
    for (let part = 0; part < length; part++) word += syllables[Math.floor(random() * syllables.length)];
    words.push(index % 17 === 0 ? word[0]!.toUpperCase() + word.slice(1) : word);
  }
  const punctuation = [',', '.', ';', '!', '?', ' -', ' (8k)', ':'];
  const documents: string[] = [];
  let bytes = 0;
  while (bytes < targetBytes) {
    const parts: string[] = [];
    const length = 8 + Math.floor(random() * 40);
    for (let index = 0; index < length; index++) {
      // Inverse-CDF of a Zipf(1) law over the word list.
      const rank = Math.floor(words.length ** random()) - 1;
      parts.push(words[rank]!);
      if (random() < 0.1) parts.push(punctuation[Math.floor(random() * punctuation.length)]!);
      if (random() < 0.03) parts.push(String(Math.floor(random() * 2000)));
    }
    const document = `${parts.join(' ')}\n`;
    documents.push(document);
    bytes += Buffer.byteLength(document);
  }
  return documents;
}

const corpus = syntheticCorpus(CORPUS_BYTES);
const corpusBytes = corpus.reduce((total, document) => total + Buffer.byteLength(document), 0);
console.log(`corpus: ${corpus.length} documents, ${(corpusBytes / 1024 / 1024).toFixed(1)} MiB`);

const trainStart = performance.now();
const files = trainBpeTokenizer(corpus, { vocabSize: VOCAB_SIZE });
const trainSeconds = (performance.now() - trainStart) / 1000;
console.log(`bpe train: vocab ${VOCAB_SIZE} in ${trainSeconds.toFixed(2)} s`);

const sample = corpus.slice(0, 20000);
const measure = (label: string, encode: (text: string) => number[]) => {
  for (const text of sample.slice(0, 500)) encode(text);
  const start = performance.now();
  let tokens = 0;
  for (const text of sample) tokens += encode(text).length;
  const seconds = (performance.now() - start) / 1000;
  const rate = tokens / seconds;
  console.log(`${label}: ${tokens} tokens in ${seconds.toFixed(2)} s = ${Math.round(rate)} tokens/s`);
  return rate;
};
const tokenizer = createTokenizer(files);
const encodeRate = measure('encode (@huggingface/tokenizers)', (text) => tokenizer.encode(text));
const own = BytePairEncoder.fromTokenizerJson(files.tokenizerJson);
measure('encode (own BytePairEncoder)', (text) => own.encode(text));
console.log(`encode_tok_s=${Math.round(encodeRate)} bpe_train_s=${trainSeconds.toFixed(2)}`);

const { runConfigLimitsBenchmark } = await import('./config-limits');
console.log(await runConfigLimitsBenchmark());

// Peak memory of loading a safetensors file over 2 GiB, measured in a child process.
const { runLoadSafetensorsBenchmark } = await import('./load-safetensors');
console.log(await runLoadSafetensorsBenchmark());

// BLOOM's per-token decoding cost at cache capacities 256 and 4096 (`bloom_capacity_ratio=<n>`).
const { runBloomCacheCapacityBenchmark } = await import('./bloom-cache-capacity');
console.log(await runBloomCacheCapacityBenchmark());

// The decoding benchmark of the model graphs; its summary is the last line.
const { runDecodingBenchmark } = await import('./decoding');
console.log(await runDecodingBenchmark());
