/**
 * <iris-caption src="photo.jpg" model="microsoft/git-base-coco">: an image caption, shown token by token as
 * the model writes it.
 *
 * Attributes (and properties): src, model, beams (1 = greedy, the default; more = beam search), max-tokens
 * (maxTokens), alt. `model` is any Hub repo of a captioning model type Iris runs (its config.json says which).
 * Events: progress (detail: ProgressEvent), token (detail: {text}, the caption so far), result (detail:
 * CaptionResult), error (detail: {code, message}).
 */
import type { CaptionResult, Iris, RequestOptions } from '../index';
import { IrisElement } from './iris-element';

export class IrisCaptionElement extends IrisElement<CaptionResult> {
  private readonly text: HTMLParagraphElement;
  protected readonly properties = ['src', 'model', 'beams', 'maxTokens'];

  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'beams', 'max-tokens'];
  }

  constructor() {
    const text = document.createElement('p');
    super(text);
    this.text = text;
    text.className = 'caption';
    text.setAttribute('part', 'caption');
  }

  get beams(): number {
    return Number(this.getAttribute('beams') ?? 1) || 1;
  }
  set beams(value: number) {
    this.setAttribute('beams', String(value));
  }

  /** Most tokens to generate; 0 means the model's own default. */
  get maxTokens(): number {
    return Number(this.getAttribute('max-tokens') ?? 0) || 0;
  }
  set maxTokens(value: number) {
    if (value) this.setAttribute('max-tokens', String(value));
    else this.removeAttribute('max-tokens');
  }

  protected execute(iris: Iris, src: string, options: RequestOptions): Promise<CaptionResult> {
    this.text.textContent = '';
    return iris.caption(src, {
      ...options,
      model: this.model || undefined,
      numBeams: this.beams,
      maxNewTokens: this.maxTokens || undefined,
      onToken: (text) => {
        if (options.signal?.aborted) return;
        this.text.textContent = text;
        this.emit('token', { text });
      },
    });
  }

  protected render(result: CaptionResult): void {
    this.text.textContent = result.text;
  }
}
