/**
 * The caption tab: greedy or beam-search decoding, the caption streamed as the model writes it. With
 * attention maps on, each word of the finished caption is a button: hovering, tapping or focusing it shows
 * where that token looked in the image (the decoder's last layer, mean over heads).
 */
import { attentionHeatMap, type CaptionResult, type CaptionToken, type Iris } from '../index';
import { formatMs } from '../components/format';
import { AttentionFigure } from './attention';
import { byId, clamp, element } from './dom';
import { t } from './i18n';
import type { PickedImage } from './image-input';
import { TaskRunner } from './task-runner';

export function setupCaption(iris: Iris, image: () => PickedImage | null, onLoaded: (model: string) => void): TaskRunner & { start(): Promise<void> } {
  const runner = new TaskRunner({ iris, task: 'caption', tab: 'cap', image, onLoaded });
  const { button } = runner;
  const beams = byId<HTMLInputElement>('cap-beams');
  const maxTokens = byId<HTMLInputElement>('cap-max');
  const prompt = byId<HTMLInputElement>('cap-prompt');
  const text = byId('cap-text');
  const timing = byId('cap-timing');
  const withAttention = byId<HTMLInputElement>('cap-attention');
  const figure = new AttentionFigure(byId('cap-attention-area'), 'cap-attention-figure', t('cap.attentionIdle'));
  const decoding = () => document.querySelector<HTMLInputElement>('input[name="decoding"]:checked')?.value ?? 'greedy';

  // The beam count only matters for beam search.
  const syncBeams = () => (beams.disabled = decoding() !== 'beam');
  document.querySelectorAll('input[name="decoding"]').forEach((radio) => radio.addEventListener('change', syncBeams));
  syncBeams();

  const start = () =>
    runner.run(async (id, picked, signal) => {
      const numBeams = decoding() === 'beam' ? clamp(beams.valueAsNumber, 2, 8, 3) : 1;
      // A model that takes no text prompt refuses one with a typed error, shown like any other.
      const startWith = prompt.value.trim();
      text.textContent = '';
      timing.textContent = '';
      figure.hide();
      // aria-busy: screen readers wait for the finished caption instead of reading every token.
      text.setAttribute('aria-busy', 'true');
      try {
        const result = await iris.caption(picked.blob, {
          model: id, numBeams, maxNewTokens: clamp(maxTokens.valueAsNumber, 1, 64, 20), attentionMaps: withAttention.checked, signal,
          ...(startWith && { prompt: startWith }),
          onToken: (partial) => {
            if (!signal.aborted) text.textContent = partial;
          },
        });
        text.textContent = result.text;
        text.dataset.model = id;
        if (result.tokenAttentions && result.attentionRegion && renderTokens(text, result.captionTokens ?? [], result.text, (k) => showToken(result, k))) {
          figure.setImage(picked.blob, picked.description);
        }
        timing.textContent = t('cap.timing', { ms: formatMs(result.ms), rate: result.tokensPerSecond.toFixed(1) }) +
          (numBeams > 1 ? t('cap.timingBeams', { n: numBeams }) : t('cap.timingGreedy'));
      } finally {
        text.removeAttribute('aria-busy');
      }
    });

  const showToken = (result: CaptionResult, k: number) => {
    const word = result.captionTokens![k]!.text.trim();
    figure.showMap(attentionHeatMap(result.tokenAttentions![k]!), result.attentionRegion!, t('cap.word', { word }));
  };

  button.addEventListener('click', () => void start());
  return Object.assign(runner, { start });
}

/**
 * The caption (or an answer) as one button per token (special tokens left out; word pieces stay glued to their word), in
 * a roving tab order: Tab reaches the caption once, the arrow keys move between its words. Returns false,
 * leaving the plain text, if the tokens' texts do not spell the caption.
 */
export function renderTokens(target: HTMLElement, tokens: readonly CaptionToken[], text: string, show: (k: number) => void): boolean {
  const parts: (string | HTMLButtonElement)[] = [];
  const buttons: HTMLButtonElement[] = [];
  tokens.forEach((token, k) => {
    if (token.special || token.text.trim() === '') {
      if (token.text) parts.push(token.text);
      return;
    }
    const [, space, word] = /^(\s*)([\s\S]*)$/.exec(token.text)!;
    if (space) parts.push(space);
    const chip = element('button', 'token', word);
    chip.type = 'button';
    chip.dataset.token = String(k);
    chip.tabIndex = buttons.length === 0 ? 0 : -1;
    chip.setAttribute('aria-pressed', 'false');
    chip.setAttribute('aria-label', t('cap.wordButton', { word }));
    buttons.push(chip);
    parts.push(chip);
  });
  // The caption text is the decoded text, trimmed: drop leading and trailing blanks to match it.
  while (typeof parts[0] === 'string' && parts[0].trim() === '') parts.shift();
  while (typeof parts.at(-1) === 'string' && (parts.at(-1) as string).trim() === '') parts.pop();
  const spelled = parts.map((p) => (typeof p === 'string' ? p : p.textContent)).join('');
  if (buttons.length === 0 || spelled !== text) return false;

  const activate = (chip: HTMLButtonElement) => {
    for (const b of buttons) {
      b.setAttribute('aria-pressed', String(b === chip));
      b.tabIndex = b === chip ? 0 : -1;
    }
    show(Number(chip.dataset.token));
  };
  for (const chip of buttons) {
    for (const type of ['pointerenter', 'focus', 'click'] as const) chip.addEventListener(type, () => activate(chip));
    chip.addEventListener('keydown', (event) => {
      const i = buttons.indexOf(chip);
      const next = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: buttons.length - 1 }[event.key];
      if (next === undefined || next < 0 || next >= buttons.length) return;
      event.preventDefault();
      buttons[next]!.focus();
    });
  }
  target.replaceChildren(...parts);
  return true;
}
