// Captioner.captionTokens: each generated token's part of the decoded caption, for the demo's per-word
// attention maps. Joined (then trimmed) the parts are the caption; special tokens have none.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PREPROCESS_CONFIGS } from '../../src/image/preprocess';
import { Captioner, type CaptionModel } from '../../src/tasks/caption';
import { loadBertTokenizer, loadGpt2Tokenizer, type Tokenizer } from '../../src/tokenizers';

const TOKENIZERS = path.resolve('weights/tokenizers');
const read = (file: string) => readFileSync(path.join(TOKENIZERS, file), 'utf8');

/** Only the tokenizer matters to captionTokens. */
const captioner = (tokenizer: Tokenizer) => new Captioner({} as CaptionModel, tokenizer, DEFAULT_PREPROCESS_CONFIGS.CLIPImageProcessor, {});

describe('caption tokens', () => {
  it('BERT word pieces continue their word; [SEP] is special', () => {
    const bert = loadBertTokenizer({ vocabTxt: read('bert/vocab.txt') });
    const ids = [...bert.encode('a man skateboarding on a snowboard.', { addSpecialTokens: false }), bert.eosId];
    const tokens = captioner(bert).captionTokens(ids);
    expect(tokens.map((t) => t.id)).toEqual(ids);
    expect(tokens.map((t) => t.text).join('').trim()).toBe(bert.decode(ids, { skipSpecialTokens: true }).trim());
    expect(tokens.at(-1)).toEqual({ id: bert.eosId, text: '', special: true });
    expect(tokens.slice(0, -1).every((t) => !t.special)).toBe(true);
    // skate ##boarding: the piece continues the word; clean-up leaves no space before the full stop.
    expect(tokens.map((t) => t.text)).toEqual(['a', ' man', ' skate', 'boarding', ' on', ' a', ' snow', 'board', '.', '']);
  });

  it('GPT-2 byte-level tokens, a character split over two byte tokens, <|endoftext|>', () => {
    const gpt2 = loadGpt2Tokenizer({ vocabJson: read('gpt2/vocab.json'), mergesTxt: read('gpt2/merges.txt') });
    const text = ' a café by the sea';
    const ids = [...gpt2.encode(text), gpt2.eosId];
    const tokens = captioner(gpt2).captionTokens(ids);
    expect(tokens.map((t) => t.text).join('')).toBe(text);
    expect(tokens.at(-1)!.special).toBe(true);
    // "é" is two byte tokens when split: the first adds nothing, the second the whole character.
    const split = [...gpt2.encode(' caf'), gpt2.tokenToId('Ã')!, gpt2.tokenToId('©')!];
    const parts = captioner(gpt2).captionTokens(split).map((t) => t.text);
    expect(parts.join('')).toBe(' café');
    expect(parts.slice(-2)).toEqual(['', 'é']);
  });
});
