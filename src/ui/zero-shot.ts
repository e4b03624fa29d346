/** The zero-shot tab: labels and prompt templates in, CLIP's ranking out as a bar chart. */
import type { Iris } from '../index';
import { formatMs } from '../components/format';
import { renderBars } from '../components/render';
import { byId } from './dom';
import type { PickedImage } from './image-input';
import { LoadProgressView } from './load-progress';
import { TaskRunner } from './task-runner';

/** A few of the CLIP paper's ImageNet prompts: averaging them usually ranks better than one. */
const ENSEMBLE = ['a photo of a {label}.', 'a drawing of a {label}.', 'a close-up photo of a {label}.', 'a photo of the small {label}.', 'a bright photo of a {label}.'];

/** Non-empty trimmed lines (commas also separate labels), each once. */
export function parseList(text: string, separators = /\n/): string[] {
  return [...new Set(text.split(separators).map((s) => s.trim()).filter(Boolean))];
}

export function setupZeroShot(iris: Iris, image: () => PickedImage | null, onLoaded: (model: string) => void): TaskRunner & { start(): Promise<void> } {
  const model = byId<HTMLSelectElement>('zs-model');
  const labels = byId<HTMLTextAreaElement>('zs-labels');
  const templates = byId<HTMLTextAreaElement>('zs-templates');
  const button = byId<HTMLButtonElement>('zs-run');
  const bars = byId<HTMLOListElement>('zs-bars');
  const timing = byId('zs-timing');
  const error = byId('zs-error');

  const runner = new TaskRunner({
    iris, task: 'zero-shot', button, error, image, onLoaded,
    load: new LoadProgressView(byId('zs-load'), 'zs-load'),
    model: () => model.value,
  });

  const start = () =>
    runner.run(async (id, picked, signal) => {
      const labelList = parseList(labels.value, /[\n,]/);
      const templateList = parseList(templates.value);
      const result = await iris.classify(picked.blob, labelList, { model: id, templates: templateList.length ? templateList : undefined, signal });
      renderBars(bars, result.labels);
      // Which model and image the bars are for (the tests read these).
      bars.dataset.model = id;
      bars.dataset.image = picked.description;
      timing.textContent = `${formatMs(result.ms)} per image · ${labelList.length} labels`;
    });

  button.addEventListener('click', () => void start());
  byId('zs-ensemble').addEventListener('click', () => {
    templates.value = ENSEMBLE.join('\n');
    templates.focus();
  });
  return Object.assign(runner, { start });
}
