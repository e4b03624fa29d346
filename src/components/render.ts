/** DOM for results, shared by the web components and the demo app (each styles the same class names). */
import type { ClassifyResult, IrisProgress } from '../index';
import type { Lang } from '../i18n';
import { formatPercent, progressFraction, progressText } from './format';

/**
 * Ranked labels as a bar chart: one list item per label, best first. The text ("cat 72.3%") is what a
 * screen reader reads; the bar is decoration.
 */
export function renderBars(list: HTMLOListElement, labels: ClassifyResult['labels']): void {
  list.replaceChildren(
    ...labels.map(({ label, score }) => {
      const item = document.createElement('li');
      const name = Object.assign(document.createElement('span'), { className: 'bar-label', textContent: label });
      const value = Object.assign(document.createElement('span'), { className: 'bar-value', textContent: formatPercent(score) });
      const track = Object.assign(document.createElement('span'), { className: 'bar-track' });
      track.setAttribute('aria-hidden', 'true');
      const fill = Object.assign(document.createElement('span'), { className: 'bar-fill' });
      fill.style.width = `${(score * 100).toFixed(2)}%`;
      track.append(fill);
      item.append(name, value, track);
      return item;
    }),
  );
}

/** A <progress> and its caption: determinate for downloads, indeterminate (no value) while compiling. */
export function renderProgress(bar: HTMLProgressElement, text: HTMLElement, event: IrisProgress, lang: Lang = 'en'): void {
  const fraction = progressFraction(event);
  if (fraction === null) bar.removeAttribute('value');
  else bar.value = fraction;
  text.textContent = progressText(event, lang);
}
