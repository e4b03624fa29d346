/**
 * <iris-caption src="photo.jpg" model="microsoft/git-base-coco">: an image caption, shown token by token as
 * the model writes it.
 *
 * Attributes (and properties): src, model, beams (1 = greedy, the default; more = beam search), max-tokens
 * (maxTokens), alt. `model` is any Hub repo of a captioning model type Iris runs (its config.json says which).
 * Events: progress (detail: IrisProgress), token (detail: {text}, the caption so far), result (detail:
 * CaptionResult), error (detail: {code, message}).
 */
import type { CaptionResult, Iris, RequestOptions } from '../index';
import { GeneratingElement } from './generating-element';

export class IrisCaptionElement extends GeneratingElement<CaptionResult> {
  protected readonly properties = ['src', 'model', 'beams', 'maxTokens'];

  constructor() {
    super('caption');
  }

  protected execute(iris: Iris, src: string, options: RequestOptions): Promise<CaptionResult> {
    return iris.caption(src, { ...options, model: this.model || undefined, ...this.streamedDecoding(options) });
  }

  protected render(result: CaptionResult): void {
    this.text.textContent = result.text;
  }
}
