/** The caption tab: greedy or beam-search decoding, the caption streamed as the model writes it. */
import type { Iris } from '../index';
import { formatMs } from '../components/format';
import { byId } from './dom';
import type { PickedImage } from './image-input';
import { LoadProgressView } from './load-progress';
import { TaskRunner } from './task-runner';

export function setupCaption(iris: Iris, image: () => PickedImage | null, onLoaded: (model: string) => void): TaskRunner & { start(): Promise<void> } {
  const model = byId<HTMLSelectElement>('cap-model');
  const beams = byId<HTMLInputElement>('cap-beams');
  const maxTokens = byId<HTMLInputElement>('cap-max');
  const button = byId<HTMLButtonElement>('cap-run');
  const text = byId('cap-text');
  const timing = byId('cap-timing');
  const error = byId('cap-error');
  const decoding = () => document.querySelector<HTMLInputElement>('input[name="decoding"]:checked')?.value ?? 'greedy';

  // The beam count only matters for beam search.
  const syncBeams = () => (beams.disabled = decoding() !== 'beam');
  document.querySelectorAll('input[name="decoding"]').forEach((radio) => radio.addEventListener('change', syncBeams));
  syncBeams();

  const runner = new TaskRunner({
    iris, task: 'caption', button, error, image, onLoaded,
    load: new LoadProgressView(byId('cap-load'), 'cap-load'),
    model: () => model.value,
  });

  const start = () =>
    runner.run(async (id, picked, signal) => {
      const numBeams = decoding() === 'beam' ? clamp(beams.valueAsNumber, 2, 8, 3) : 1;
      text.textContent = '';
      timing.textContent = '';
      // aria-busy: screen readers wait for the finished caption instead of reading every token.
      text.setAttribute('aria-busy', 'true');
      try {
        const result = await iris.caption(picked.blob, {
          model: id, numBeams, maxNewTokens: clamp(maxTokens.valueAsNumber, 1, 64, 20), signal,
          onToken: (partial) => {
            if (!signal.aborted) text.textContent = partial;
          },
        });
        text.textContent = result.text;
        text.dataset.model = id;
        timing.textContent = `${formatMs(result.ms)} · ${result.tokensPerSecond.toFixed(1)} tokens/s` +
          (numBeams > 1 ? ` · ${numBeams} beams` : ' · greedy');
      } finally {
        text.removeAttribute('aria-busy');
      }
    });

  button.addEventListener('click', () => void start());
  return Object.assign(runner, { start });
}

function clamp(value: number, min: number, max: number, fallback: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, Math.round(value))) : fallback;
}
