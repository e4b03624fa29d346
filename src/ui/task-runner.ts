/**
 * One task tab's request cycle: load the picked model (progress bars), then run the request. While it runs
 * the button reads "Cancel" and aborts it (the worker stops between GPU steps and stays usable).
 */
import { isIrisError, type Iris } from '../index';
import { byId, showError } from './dom';
import { t } from './i18n';
import type { PickedImage } from './image-input';
import { LoadProgressView } from './load-progress';
import type { Task } from './models';

export interface TaskRunnerParts {
  iris: Iris;
  task: Task;
  /** The tab's id prefix: its run controls are `${tab}-model`, `${tab}-run`, `${tab}-error` and `${tab}-load`. */
  tab: string;
  image(): PickedImage | null;
  /** A model finished loading (the cache list may have grown). */
  onLoaded(model: string): void;
}

export class TaskRunner {
  private controller: AbortController | null = null;
  private readonly idleLabel: string;
  /** Models loaded in the worker by this tab, so a new image can run at once. */
  readonly loaded = new Set<string>();

  /** The tab's model picker and its run button (Cancel while running). */
  readonly model: HTMLSelectElement;
  readonly button: HTMLButtonElement;
  private readonly error: HTMLElement;
  private readonly load: LoadProgressView;

  constructor(private readonly parts: TaskRunnerParts) {
    const { tab } = parts;
    this.model = byId<HTMLSelectElement>(`${tab}-model`);
    this.button = byId<HTMLButtonElement>(`${tab}-run`);
    this.error = byId(`${tab}-error`);
    this.load = new LoadProgressView(byId(`${tab}-load`), `${tab}-load`);
    this.idleLabel = this.button.textContent ?? '';
  }

  get busy(): boolean {
    return this.controller !== null;
  }

  /** Runs `work` with the loaded model; a second call while one runs cancels it instead. */
  async run(work: (model: string, image: PickedImage, signal: AbortSignal) => Promise<void>): Promise<void> {
    if (this.controller) {
      this.controller.abort();
      return;
    }
    const { iris, task } = this.parts;
    const { button, error, load } = this;
    const image = this.parts.image();
    if (!image) {
      error.textContent = t('run.pickImage');
      return;
    }
    const controller = new AbortController();
    const { signal } = controller;
    this.controller = controller;
    const model = this.model.value;
    error.textContent = '';
    button.textContent = t('run.cancel');
    button.classList.add('cancel');
    try {
      load.start();
      await iris.load(model, task, { signal, onProgress: (event) => load.update(event) });
      if (!this.loaded.has(model)) {
        this.loaded.add(model);
        this.parts.onLoaded(model);
      }
      await work(model, image, signal);
    } catch (e) {
      load.stop();
      if (isIrisError(e, 'aborted')) error.textContent = t('run.cancelled');
      else showError(error, e, advice(e));
    } finally {
      this.controller = null;
      button.textContent = this.idleLabel;
      button.classList.remove('cancel');
    }
  }
}

function advice(error: unknown): string {
  if (isIrisError(error, 'download-failed')) return t('advice.offline');
  if (isIrisError(error, 'not-enough-storage') || isIrisError(error, 'quota-exceeded')) return t('advice.storage');
  return '';
}
