/**
 * A model load as two steps with their own bars: the download (bytes and percent; from IndexedDB after the
 * first time) and the GPU side (weights upload, then shader compilation, which has no measure of its own).
 * When the load is done, one summary line with the timings stays.
 */
import type { IrisProgress } from '../index';
import { formatBytes, formatMs } from '../components/format';
import { element } from './dom';
import { t } from './i18n';
import { modelLabel } from './models';

export class LoadProgressView {
  private readonly steps = element('div', 'load-steps');
  private readonly downloadBar = element('progress');
  private readonly downloadText = element('span', 'load-detail');
  private readonly gpuBar = element('progress');
  private readonly gpuText = element('span', 'load-detail');
  private readonly summary = element('p', 'load-summary');
  private started = 0;
  private gpuStarted = 0;
  private bytes = 0;
  private pipelines = 0;
  private loading = false;

  constructor(container: HTMLElement, idPrefix: string) {
    const step = (id: string, name: string, bar: HTMLProgressElement, text: HTMLElement) => {
      const label = element('span', 'load-name', name);
      label.id = `${idPrefix}-${id}`;
      bar.setAttribute('aria-labelledby', label.id);
      bar.max = 1;
      bar.value = 0;
      const row = element('div', 'load-step');
      row.append(label, text, bar);
      return row;
    };
    this.steps.append(
      step('download', t('load.download'), this.downloadBar, this.downloadText),
      step('gpu', t('load.gpu'), this.gpuBar, this.gpuText),
    );
    this.steps.hidden = true;
    this.summary.setAttribute('role', 'status');
    container.append(this.summary, this.steps);
  }

  /** A new load request; nothing shows unless the model actually has to load. */
  start(): void {
    this.started = performance.now();
    this.gpuStarted = 0;
    this.bytes = 0;
    this.pipelines = 0;
    this.loading = false;
  }

  update(event: IrisProgress): void {
    if (event.phase !== 'ready' && !this.loading) {
      this.loading = true;
      this.steps.hidden = false;
      this.summary.textContent = t('load.loading', { model: modelLabel(event.model) });
      this.downloadBar.value = 0;
      this.downloadText.textContent = '';
      this.gpuBar.value = 0;
      this.gpuText.textContent = t('load.waiting');
    }
    switch (event.phase) {
      case 'download': {
        const { bytesDone = 0, bytesTotal = 0 } = event;
        this.bytes = bytesTotal;
        this.downloadBar.value = bytesTotal ? bytesDone / bytesTotal : 0;
        this.downloadText.textContent = bytesTotal
          ? t('load.bytes', { done: formatBytes(bytesDone), total: formatBytes(bytesTotal), percent: Math.floor((100 * bytesDone) / bytesTotal) })
          : t('load.starting');
        break;
      }
      case 'upload':
        this.gpuStarted = performance.now();
        this.downloadBar.value = 1;
        this.gpuBar.removeAttribute('value'); // indeterminate: no measure of progress inside these steps
        this.gpuText.textContent = t('load.uploading');
        break;
      case 'compile':
        if (event.pipelines) this.pipelines = event.pipelines;
        this.gpuText.textContent = event.pipelines ? t('load.compiled', { n: event.pipelines }) : t('load.compiling');
        break;
      case 'notice':
        if (event.message) this.summary.textContent = event.message;
        break;
      case 'ready':
        if (this.loading) this.finish(event.model);
        break;
    }
  }

  /** The load failed or was cancelled: the bars go, the error line says why. */
  stop(): void {
    if (!this.loading) return;
    this.loading = false;
    this.steps.hidden = true;
    this.summary.textContent = '';
  }

  private finish(model: string): void {
    this.loading = false;
    const now = performance.now();
    const gpuStart = this.gpuStarted || now;
    this.steps.hidden = true;
    this.summary.textContent = t('load.done', {
      model: modelLabel(model), ms: formatMs(now - this.started), bytes: formatBytes(this.bytes),
      readMs: formatMs(gpuStart - this.started), n: this.pipelines, gpuMs: formatMs(now - gpuStart),
    });
  }
}
