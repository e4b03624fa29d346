/**
 * BLIP's tokenizer (Salesforce/blip-*): BERT uncased WordPiece over bert-base-uncased's vocab.txt, plus two
 * special tokens BLIP appends after the vocab: [DEC] (the text decoder's bos, 30522 for the real vocab) and
 * [ENC] (30523). Both are matched in the raw text like [CLS], and dropped by decode({ skipSpecialTokens }).
 */
import type { AddedToken } from '../../tokenizers';
import { BertTokenizer } from '../../tokenizers/bert';
import { readWordPieceFiles, type WordPieceFiles } from '../../tokenizers/files';

export const BLIP_DECODER_TOKEN = '[DEC]';
export const BLIP_ENCODER_TOKEN = '[ENC]';
const BERT_SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

/** BLIP's tokenizer from vocab.txt, or from a tokenizer.json (whose added tokens may list [DEC]/[ENC] already). */
export function loadBlipTokenizer(files: WordPieceFiles): BertTokenizer {
  const { vocab, addedTokens, unkToken, maxInputCharsPerWord } = readWordPieceFiles('BLIP', files);
  const special = (content: string, id: number): AddedToken => ({ content, id, special: true, normalized: false });
  const added = addedTokens ?? BERT_SPECIALS.filter((content) => vocab.has(content)).map((content) => special(content, vocab.get(content)!));
  // Ids after the largest one so far, in this order (what BlipProcessor's tokenizer_config gives them).
  let next = Math.max(-1, ...vocab.values(), ...added.map((t) => t.id)) + 1;
  for (const content of [BLIP_DECODER_TOKEN, BLIP_ENCODER_TOKEN]) {
    if (!added.some((t) => t.content === content)) added.push(special(content, vocab.get(content) ?? next++));
  }
  return new BertTokenizer({
    vocab,
    addedTokens: added,
    ...(unkToken !== null && { unkToken }),
    ...(maxInputCharsPerWord !== null && { maxInputCharsPerWord }),
  });
}
