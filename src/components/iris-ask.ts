/**
 * <iris-ask src="photo.jpg" question="what is the cat doing?" model="microsoft/git-base-vqav2">: the answer to
 * a question about an image, shown token by token as the model writes it.
 *
 * Attributes (and properties): src, question, model, beams (1 = greedy, the default; more = beam search),
 * max-tokens (maxTokens), alt. `model` is any Hub repo of a VQA model Iris runs. Without a question nothing
 * runs. Events, as the other elements: progress (detail: IrisProgress), token (detail: {text}, the answer so
 * far), result (detail: AnswerResult), error (detail: {code, message}).
 */
import type { AnswerResult, Iris, RequestOptions } from '../index';
import { GeneratingElement } from './generating-element';

export class IrisAskElement extends GeneratingElement<AnswerResult> {
  protected readonly properties = ['src', 'question', 'model', 'beams', 'maxTokens'];

  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'question'];
  }

  constructor() {
    super('answer');
  }

  /** The question about the image. */
  get question(): string {
    return this.getAttribute('question') ?? '';
  }
  set question(value: string) {
    this.setAttribute('question', value);
  }

  protected execute(iris: Iris, src: string, options: RequestOptions): Promise<AnswerResult> | null {
    if (!this.question.trim()) return null;
    return iris.ask(src, this.question, { ...options, model: this.model || undefined, ...this.streamedDecoding(options) });
  }

  protected render(result: AnswerResult): void {
    this.text.textContent = result.answer;
  }
}
