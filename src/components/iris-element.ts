/**
 * What the Iris elements (<iris-classify>, <iris-caption>, <iris-ask>) have in common: a shadow DOM with the image, a progress bar for the
 * model load, an error line and the result; attributes and properties; and the `progress`, `result` and
 * `error` events. Any change of an attribute or property re-runs the request (coalesced to one run per
 * task turn); a newer run cancels the one in flight.
 *
 * Built-in text (progress, accessible names, error lines) follows the language in effect for the element:
 * its own `lang` attribute or the nearest ancestor's (`<html lang="zh-CN">` gives Chinese), read at each run.
 * The `error` event's `message` is the library's own (English) message whatever the language.
 */
import { isIrisError, type Iris, type IrisProgress, type RequestOptions } from '../index';
import { langOf, renderError, sharedText, type Lang } from '../i18n';
import { renderProgress } from './render';
import { getIris } from './shared-iris';
import { elementStyles } from './styles';

/** Detail of the `error` event. */
export interface IrisElementError {
  code: string;
  message: string;
  error: unknown;
}

export abstract class IrisElement<Result> extends HTMLElement {
  protected readonly root: ShadowRoot;
  protected readonly image = document.createElement('img');
  private readonly progressBox = document.createElement('div');
  private readonly progressBar = document.createElement('progress');
  private readonly progressLabel = document.createElement('span');
  private readonly errorLine = document.createElement('p');
  private controller: AbortController | undefined;
  private scheduled = false;
  private lastResult: Result | null = null;

  /** `output` is the element that shows the result (made by the subclass before it calls super). */
  constructor(output: HTMLElement) {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = elementStyles;
    this.image.alt = '';
    this.image.setAttribute('part', 'image');
    this.progressBox.className = 'progress';
    this.progressBox.setAttribute('part', 'progress');
    this.progressBox.hidden = true;
    this.progressBar.max = 1;
    this.progressLabel.setAttribute('role', 'status');
    this.progressBox.append(this.progressBar, this.progressLabel);
    this.errorLine.className = 'error';
    this.errorLine.setAttribute('part', 'error');
    this.errorLine.setAttribute('role', 'alert');
    const figure = document.createElement('figure');
    figure.append(this.image, this.progressBox, output, this.errorLine);
    this.root.append(style, figure);
  }

  /** Runs the request; null when the attributes are not complete yet (nothing to do). */
  protected abstract execute(iris: Iris, src: string, options: RequestOptions): Promise<Result> | null;
  protected abstract render(result: Result): void;
  /** Properties a page may have set before the element was defined. */
  protected abstract readonly properties: string[];

  static get observedAttributes(): string[] {
    return ['src', 'model', 'alt', 'lang'];
  }

  /** Image URL (http(s), data: or blob:), fetched by the worker. */
  get src(): string {
    return this.getAttribute('src') ?? '';
  }
  set src(value: string) {
    this.setAttribute('src', value);
  }

  /** Model id: one of MODELS or a Hub repo "org/name[@revision]"; the library's default when absent. */
  get model(): string {
    return this.getAttribute('model') ?? '';
  }
  set model(value: string) {
    if (value) this.setAttribute('model', value);
    else this.removeAttribute('model');
  }

  /** The last result, or null before the first one. */
  get result(): Result | null {
    return this.lastResult;
  }

  /** The language of the built-in text: the element's own `lang` (HTMLElement.lang) or the nearest ancestor's. */
  protected get language(): Lang {
    return langOf(this);
  }

  /** Sets the accessible names in the element's language (subclasses add theirs). */
  protected localize(lang: Lang): void {
    this.progressBar.setAttribute('aria-label', sharedText(lang, 'component.loading'));
  }

  connectedCallback(): void {
    this.localize(this.language);
    // A property set on the element before its class was defined shadows the accessor: re-apply it.
    for (const name of this.properties) {
      if (Object.prototype.hasOwnProperty.call(this, name)) {
        const value = (this as Record<string, unknown>)[name];
        delete (this as Record<string, unknown>)[name];
        (this as Record<string, unknown>)[name] = value;
      }
    }
    this.schedule();
  }

  disconnectedCallback(): void {
    this.controller?.abort();
  }

  attributeChangedCallback(name: string, previous: string | null, value: string | null): void {
    if (previous === value) return;
    if (name === 'src') {
      if (value) this.image.src = value;
      else this.image.removeAttribute('src');
    }
    if (name === 'alt') this.image.alt = value ?? '';
    else if (name === 'lang') this.localize(this.language);
    else this.schedule();
  }

  /** Runs after the current task, once however many attributes changed in it. */
  protected schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      if (this.isConnected) void this.run();
    });
  }

  /**
   * Runs the request now (e.g. after the image behind `src` changed). Resolves with the result, or null
   * when there was nothing to do, it failed (see the `error` event), or a newer run replaced it.
   */
  async run(): Promise<Result | null> {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const { signal } = controller;
    const lang = this.language;
    this.localize(lang);
    const onProgress = (event: IrisProgress) => {
      if (signal.aborted) return;
      this.progressBox.hidden = event.phase === 'ready';
      renderProgress(this.progressBar, this.progressLabel, event, lang);
      this.emit('progress', event);
    };
    try {
      if (!this.src) return null;
      const iris = await getIris();
      if (signal.aborted) return null;
      const pending = this.execute(iris, new URL(this.src, document.baseURI).href, { signal, onProgress });
      if (!pending) return null;
      this.errorLine.textContent = '';
      this.setAttribute('aria-busy', 'true');
      const result = await pending;
      if (signal.aborted) return null;
      this.lastResult = result;
      this.render(result);
      this.emit('result', result);
      return result;
    } catch (error) {
      if (signal.aborted) return null;
      const message = error instanceof Error ? error.message : String(error);
      renderError(this.errorLine, error, lang);
      this.emit('error', { code: isIrisError(error) ? error.code : 'unknown', message, error } satisfies IrisElementError);
      return null;
    } finally {
      if (this.controller === controller) {
        this.controller = undefined;
        this.progressBox.hidden = true;
        this.removeAttribute('aria-busy');
      }
    }
  }

  protected emit(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true }));
  }
}
