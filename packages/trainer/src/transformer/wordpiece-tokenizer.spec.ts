import { bertNormalize, bertPreTokenize, pythonStrip, WordPieceTokenizer, wordPiece } from './wordpiece-tokenizer';
import { parsePoolingConfig } from './st-folder';
import { parseBertConfig } from './bert';

const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'un', '##aff', '##able', 'σ', '##σ', '##ς', 'ο', '##δ', '##ο', ',', 'a'];
const json = (normalizer: Record<string, unknown>, model: Record<string, unknown> = {}) => ({
  normalizer: { type: 'BertNormalizer', ...normalizer },
  pre_tokenizer: { type: 'BertPreTokenizer' },
  post_processor: { type: 'BertProcessing', cls: ['[CLS]', 2], sep: ['[SEP]', 3] },
  added_tokens: [{ id: 3, content: '[SEP]', normalized: false, special: true }],
  model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', vocab: Object.fromEntries(vocab.map((t, i) => [t, i])), ...model },
});

describe('BERT WordPiece tokenizer (Rust tokenizers semantics)', () => {
  it('normalises like BertNormalizer: control chars dropped, CJK spaced (astral too), per-character lowercase', () => {
    const c = { cleanText: true, handleChineseChars: true, stripAccents: true, lowercase: true };
    expect(bertNormalize('A\u0000b\u200bc\td', c)).toBe('abc d');
    expect(bertNormalize('x中y𠀀z', c)).toBe('x 中 y 𠀀 z');
    // Rust lowercases per character: a word-final capital sigma becomes σ, not ς.
    expect(bertNormalize('ΟΔΟΣ', c)).toBe('οδοσ');
    expect(bertNormalize('Café', c)).toBe('cafe');
    expect(bertNormalize('Café', { ...c, stripAccents: false })).toBe('café');
  });

  it('splits punctuation, matches the longest pieces, and gives one [UNK] for an unmatched word', () => {
    expect(bertPreTokenize(' unaffable,  a!b ')).toEqual(['unaffable', ',', 'a', '!', 'b']);
    const m = { vocab: new Map(vocab.map((t, i) => [t, i] as [string, number])), unkToken: '[UNK]', prefix: '##', maxInputCharsPerWord: 9 };
    expect(wordPiece('unaffable', m)).toEqual([4, 5, 6]);
    expect(wordPiece('unaffablex', m)).toEqual([1]);
    expect(wordPiece('unaffable', { ...m, maxInputCharsPerWord: 8 })).toEqual([1]);
  });

  it('follows lowercase when strip_accents is null, adds [CLS]/[SEP], keeps added tokens, truncates inside the specials', () => {
    const t = WordPieceTokenizer.fromJson(json({ lowercase: true, strip_accents: null }));
    expect(t.encode('ΟΔΟΣ, unaffable').ids).toEqual([2, 10, 11, 12, 8, 13, 4, 5, 6, 3]);
    expect(t.encode('a[SEP]a').ids).toEqual([2, 14, 3, 14, 3]);
    expect(t.encode('a a a a a', 4).ids).toEqual([2, 14, 14, 3]);
    expect(t.encode('').ids).toEqual([2, 3]);
    expect(() => WordPieceTokenizer.fromJson({ ...json({}), model: { type: 'BPE' } }, 'x/tokenizer.json')).toThrow('x/tokenizer.json: field "model.type" is "BPE"');
    expect(() => WordPieceTokenizer.fromJson({ ...json({}), normalizer: { type: 'NFC' } }, 't.json')).toThrow(/t.json: field "normalizer.type"/);
  });

  it("strips the way Python's str.strip() does", () => {
    expect(pythonStrip('\u3000\x1c hi \x85\n')).toBe('hi');
    expect(pythonStrip('\ufeffhi')).toBe('\ufeffhi');
  });
});

describe('sentence-transformers and Hugging Face configs', () => {
  it('reads both pooling layouts and rejects the unsupported', () => {
    expect(parsePoolingConfig({ word_embedding_dimension: 8, pooling_mode_cls_token: true, pooling_mode_mean_tokens: false })).toEqual(['cls']);
    expect(parsePoolingConfig({ word_embedding_dimension: 8 })).toEqual(['mean']);
    expect(parsePoolingConfig({ pooling_mode_mean_tokens: true, pooling_mode_max_tokens: true, pooling_mode_cls_token: true })).toEqual(['cls', 'max', 'mean']);
    expect(parsePoolingConfig({ pooling_mode: 'CLS' })).toEqual(['cls']);
    expect(parsePoolingConfig({ pooling_mode: 'lasttoken' })).toEqual(['lasttoken']);
    expect(() => parsePoolingConfig({ pooling_mode: 'median' }, 'p/config.json')).toThrow('p/config.json: field "pooling_mode" has unknown mode "median"');
    expect(() => parsePoolingConfig({ pooling_mode_mean_tokens: false })).toThrow(/no pooling mode is enabled/);
    expect(() => parsePoolingConfig({ pooling_mode: 'mean', include_prompt: false })).toThrow(/include_prompt/);
  });

  it('accepts BERT configs and names the field of an unsupported one', () => {
    const base = { model_type: 'bert', vocab_size: 10, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16 };
    expect(parseBertConfig(base)).toMatchObject({ maxPositions: 512, typeVocabSize: 2, layerNormEps: 1e-12, hiddenAct: 'gelu' });
    expect(() => parseBertConfig({ ...base, model_type: 'qwen3' }, 'm/config.json')).toThrow('m/config.json: field "model_type" is "qwen3"');
    expect(() => parseBertConfig({ ...base, architectures: ['RobertaModel'] })).toThrow(/field "architectures"/);
    expect(() => parseBertConfig({ ...base, hidden_act: 'silu' })).toThrow(/field "hidden_act"/);
    expect(() => parseBertConfig({ ...base, position_embedding_type: 'relative_key' })).toThrow(/position_embedding_type/);
    expect(() => parseBertConfig({ ...base, hidden_size: 9 })).toThrow(/not divisible/);
  });
});
