// Bad input to `ask`, refused with a typed 'bad-input' before any download or GPU work: an empty or
// whitespace question, a question longer than the model's text positions (from the tiny VQA model's own
// config.json and vocab.txt), a captioning model asked a question, and a VQA model asked for a caption.
import { describe, expect, it } from 'vitest';
import { gitVqaModel } from '../../src/families/git';
import { GitModel, parseGitConfig } from '../../src/families/git/model';
import { QuestionAnswerer, checkQuestion } from '../../src/tasks/vqa';
import { loadBertTokenizer } from '../../src/tokenizers';
import { MODELS, resolveModel } from '../../src/worker/registry';
import { expectBadInput } from '../helpers/errors';
import { readText, tinyModelDir } from '../helpers/tiny-models';

describe('ask: bad input', () => {
  it('an empty or whitespace-only question', () => {
    for (const q of ['', '   ', '\n\t', undefined, 42]) expectBadInput(() => checkQuestion(q), /question is empty/);
    expect(() => checkQuestion('what is this?')).not.toThrow();
  });

  it("a question longer than the model's positions: refused by the answerer from the checkpoint's config.json", () => {
    const dir = tinyModelDir('git-vqa');
    const json = JSON.parse(readText(dir, 'config.json')) as Record<string, unknown>;
    const config = parseGitConfig(json);
    // Only the parsed config is read to build and measure the question (no weights, no GPU).
    const vqa = gitVqaModel({ config } as unknown as GitModel);
    const tokenizer = loadBertTokenizer({ vocabTxt: readText(dir, 'vocab.txt') });
    const answerer = new QuestionAnswerer(vqa, tokenizer, { } as never, {});
    const words = (n: number) => Array.from({ length: n }, () => 'cat').join(' ');
    // [CLS] + one piece per word; one position must stay free for the answer.
    const fits = answerer.questionIds(words(config.maxPositions - 2));
    expect(fits.length).toBe(config.maxPositions - 1);
    expect(fits[0]).toBe(config.bosTokenId);
    expect(fits).not.toContain(config.eosTokenId); // no [SEP]: the answer continues the question
    expectBadInput(() => answerer.questionIds(words(config.maxPositions - 1)), new RegExp(`at most ${config.maxPositions - 1}`));
  });

  it('a captioning model asked a question, and a VQA model asked for a caption: refused from the catalogue', () => {
    const captioners = MODELS.filter((m) => m.task === 'caption');
    const answerers = MODELS.filter((m) => m.task === 'vqa');
    expect(answerers.length).toBeGreaterThan(0);
    for (const m of captioners) expectBadInput(() => resolveModel(m.id, 'vqa'), /caption model; it cannot be used for vqa/);
    for (const m of answerers) expectBadInput(() => resolveModel(m.id, 'caption'), /vqa model; it cannot be used for caption/);
  });
});
