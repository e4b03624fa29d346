/** The zero-shot tab: labels and prompt templates in, CLIP's ranking out as a bar chart. */
import type { ClassifyResult, Iris } from '../index';
import { formatMs } from '../components/format';
import { renderBars } from '../components/render';
import { AttentionFigure } from './attention';
import { byId } from './dom';
import { t } from './i18n';
import type { PickedImage } from './image-input';
import { modelLabel } from './models';
import { TaskRunner } from './task-runner';
import { promptsOf } from '../worker/registry';
import { followModelPrompts } from './prompt-defaults';

/** Non-empty trimmed lines (commas also separate labels), each once. */
export function parseList(text: string, separators = /\n/): string[] {
  return [...new Set(text.split(separators).map((s) => s.trim()).filter(Boolean))];
}

export function setupZeroShot(iris: Iris, image: () => PickedImage | null, onLoaded: (model: string) => void): TaskRunner & { start(): Promise<void> } {
  const runner = new TaskRunner({ iris, task: 'zero-shot', tab: 'zs', image, onLoaded });
  const { model, button } = runner;
  const labels = byId<HTMLTextAreaElement>('zs-labels');
  const templates = byId<HTMLTextAreaElement>('zs-templates');
  const bars = byId<HTMLOListElement>('zs-bars');
  const timing = byId('zs-timing');
  const showAttention = byId<HTMLInputElement>('zs-attention');
  const figure = new AttentionFigure(byId('zs-attention-area'), 'zs-attention-figure', t('zs.attentionIdle'));
  /** The last result shown, so the toggle can show or hide its map without running again. */
  let shown: { picked: PickedImage; result: ClassifyResult } | null = null;

  const drawAttention = () => {
    const map = shown?.result.attention;
    const region = shown?.result.attentionRegion;
    if (!showAttention.checked || !shown || !map || !region) return figure.hide();
    figure.setImage(shown.picked.blob, shown.picked.description);
    figure.showMap(map, region, t('zs.attentionWhat', { model: modelLabel(shown.result.model) }));
  };

  const start = () =>
    runner.run(async (id, picked, signal) => {
      const labelList = parseList(labels.value, /[\n,]/);
      const templateList = parseList(templates.value);
      const result = await iris.classify(picked.blob, labelList, {
        model: id, templates: templateList.length ? templateList : undefined, attentionMap: showAttention.checked, signal,
      });
      renderBars(bars, result.labels);
      shown = { picked, result };
      drawAttention();
      // Which model and image the bars are for (the tests read these).
      bars.dataset.model = id;
      bars.dataset.image = picked.description;
      timing.textContent = t('zs.timing', { ms: formatMs(result.ms), n: labelList.length });
    });

  button.addEventListener('click', () => void start());
  // Switched on after a run without the map: run again (the model is loaded, so that takes milliseconds).
  showAttention.addEventListener('change', () => {
    if (showAttention.checked && shown && !shown.result.attention && !runner.busy && image() === shown.picked) void start();
    else drawAttention();
  });
  byId('zs-ensemble').addEventListener('click', () => {
    templates.value = promptsOf(model.value).templates.ensemble.join('\n');
    templates.focus();
  });
  followModelPrompts(model, labels, templates);
  return Object.assign(runner, { start });
}
