/**
 * Padded, truncated batches of framed token ids (what a transformers tokenizer called with padding and
 * truncation returns), shared by the tokenizers whose model reads a fixed-length text: CLIP (77, padded
 * with EOS) and BERT-style ones such as Chinese-CLIP's (52, padded with [PAD]).
 */
import { IrisError } from '../errors';

export interface TextBatchOptions {
  /** Row length for 'max_length' padding and the truncation limit (the tokenizer's context by default). */
  maxLength?: number;
  /** 'max_length' (default): every row is maxLength long. 'longest': rows are as long as the longest text. */
  padding?: 'max_length' | 'longest';
  /** Cut texts longer than maxLength to maxLength - 1 ids + the closing id (default true); false throws instead. */
  truncation?: boolean;
}

/** A batch in row-major layout, ready for a GPU buffer: row i is inputIds.subarray(i * sequenceLength, (i + 1) * sequenceLength). */
export interface TextBatch {
  batchSize: number;
  sequenceLength: number;
  /** batchSize × sequenceLength token ids. */
  inputIds: Int32Array;
  /** batchSize × sequenceLength; 1 for real ids (the framing ids included), 0 for padding. */
  attentionMask: Uint8Array;
  /** Real ids per row. */
  lengths: Int32Array;
}

/** The parts of a tokenizer a batch is made with. */
export interface FramingTokenizer {
  readonly eosId: number;
  readonly padId: number;
  encode(text: string): number[];
}

/** Each text framed (BOS … EOS), cut to maxLength - 1 ids + EOS as transformers truncates, then padded with padId. */
export function encodeTextBatch(tokenizer: FramingTokenizer, texts: readonly string[], defaultMaxLength: number, options: TextBatchOptions = {}): TextBatch {
  const { maxLength = defaultMaxLength, padding = 'max_length', truncation = true } = options;
  if (!Number.isSafeInteger(maxLength) || maxLength < 2) {
    throw new IrisError('bad-input', `maxLength must be an integer >= 2 (room for the opening and closing ids), got ${maxLength}.`);
  }
  const rows = texts.map((text, index) => {
    const ids = tokenizer.encode(text);
    if (ids.length <= maxLength) return ids;
    if (!truncation) {
      const problem = `Text ${index} is ${ids.length} tokens long, more than maxLength ${maxLength}.`;
      throw new IrisError('bad-input', problem, { hint: 'Shorten it, or pass truncation: true to keep its first tokens.' });
    }
    // As transformers: keep the first maxLength - 2 text tokens between the opening and the closing id.
    return [...ids.slice(0, maxLength - 1), tokenizer.eosId];
  });

  const batchSize = rows.length;
  const longest = rows.reduce((length, row) => Math.max(length, row.length), 0);
  const sequenceLength = padding === 'max_length' ? maxLength : longest;
  const inputIds = new Int32Array(batchSize * sequenceLength).fill(tokenizer.padId);
  const attentionMask = new Uint8Array(batchSize * sequenceLength);
  const lengths = new Int32Array(batchSize);
  rows.forEach((row, i) => {
    inputIds.set(row, i * sequenceLength);
    attentionMask.fill(1, i * sequenceLength, i * sequenceLength + row.length);
    lengths[i] = row.length;
  });
  return { batchSize, sequenceLength, inputIds, attentionMask, lengths };
}
