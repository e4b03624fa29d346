/**
 * The Ask tab: a question about the picked image (typed, or one of the suggestions), the answer streamed as
 * the model writes it, and every question and answer for the current image kept as a list, newest first.
 * Each answer word is a button: hovering, tapping or focusing it shows where it looked in the image (the
 * decoder's last layer, text → image attention, mean over heads, as `iris.ask({ attentionMaps: true })`
 * returns it).
 */
import { attentionHeatMap, type AnswerResult, type Iris } from '../index';
import { formatMs } from '../components/format';
import { AttentionFigure } from './attention';
import { renderTokens } from './caption';
import { byId, clamp, element } from './dom';
import { t } from './i18n';
import type { PickedImage } from './image-input';
import { TaskRunner } from './task-runner';

/** Questions that make sense for most pictures. */
export const SUGGESTED_QUESTIONS = ['What is in the picture?', 'What color is it?', 'How many are there?', 'Where is this?'];

export function setupAsk(iris: Iris, image: () => PickedImage | null, onLoaded: (model: string) => void): TaskRunner & { start(): Promise<void>; clear(): void } {
  const runner = new TaskRunner({ iris, task: 'vqa', tab: 'ask', image, onLoaded });
  const { button } = runner;
  const question = byId<HTMLInputElement>('ask-question');
  const maxTokens = byId<HTMLInputElement>('ask-max');
  const timing = byId('ask-timing');
  const history = byId<HTMLOListElement>('ask-history');
  const withAttention = byId<HTMLInputElement>('ask-attention');
  const figure = new AttentionFigure(byId('ask-attention-area'), 'ask-attention-figure', t('ask.attentionIdle'));

  const suggestions = byId('ask-suggestions');
  for (const text of SUGGESTED_QUESTIONS) {
    const chip = element('button', 'suggestion', text);
    chip.type = 'button';
    chip.lang = 'en'; // questions for the model, which reads English, in either UI language
    chip.addEventListener('click', () => {
      question.value = text;
      void start();
    });
    suggestions.append(chip);
  }

  const start = () =>
    runner.run(async (id, picked, signal) => {
      const asked = question.value.trim();
      timing.textContent = '';
      const item = element('li', 'qa');
      const q = element('p', 'question', asked);
      const answer = element('p', 'answer');
      answer.setAttribute('aria-busy', 'true');
      item.append(q, answer);
      history.prepend(item);
      try {
        const result = await iris.ask(picked.blob, asked, {
          model: id, maxNewTokens: clamp(maxTokens.valueAsNumber, 1, 32, 10), attentionMaps: withAttention.checked, signal,
          onToken: (partial) => {
            if (!signal.aborted) answer.textContent = partial;
          },
        });
        answer.textContent = result.answer || t('ask.noAnswer');
        item.dataset.model = id;
        if (result.tokenAttentions && result.attentionRegion && renderTokens(answer, result.tokens, result.answer, (k) => showToken(result, k))) {
          figure.setImage(picked.blob, picked.description);
        }
        timing.textContent = t('ask.timing', { first: formatMs(result.timings.firstTokenMs), total: formatMs(result.timings.totalMs) });
      } catch (e) {
        item.remove(); // the error line says what happened; the list keeps answers only
        throw e;
      } finally {
        answer.removeAttribute('aria-busy');
      }
    });

  const showToken = (result: AnswerResult, k: number) => {
    const word = result.tokens[k]!.text.trim();
    figure.showMap(attentionHeatMap(result.tokenAttentions![k]!), result.attentionRegion!, t('ask.word', { word, question: result.question }));
  };

  button.addEventListener('click', () => void start());
  question.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      void start();
    }
  });
  /** A new image: its questions start afresh. */
  const clear = () => {
    history.replaceChildren();
    figure.hide();
    timing.textContent = '';
  };
  return Object.assign(runner, { start, clear });
}
