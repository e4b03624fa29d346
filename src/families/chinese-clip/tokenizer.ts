/**
 * Chinese-CLIP's tokenizer: BERT WordPiece over the Chinese RoBERTa-wwm-ext vocab.txt the checkpoints ship
 * (lower-casing, accents stripped, every CJK ideograph its own word), [CLS] … [SEP], padded with [PAD].
 */
import { loadBertTokenizer, type BertTokenizer, type WordPieceFiles } from '../../tokenizers';

/**
 * The text context Chinese-CLIP was trained with: OFA-Sys/Chinese-CLIP's `cn_clip.clip.tokenize(texts,
 * context_length=52)`. The BERT tower has 512 positions, but prompts are cut and padded to 52 tokens.
 */
export const CHINESE_CLIP_CONTEXT = 52;

export function loadChineseClipTokenizer(files: WordPieceFiles, maxPositions = CHINESE_CLIP_CONTEXT): BertTokenizer {
  return loadBertTokenizer(files, { contextLength: Math.min(CHINESE_CLIP_CONTEXT, maxPositions) });
}
