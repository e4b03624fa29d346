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
import { IrisElement } from './iris-element';

export class IrisAskElement extends IrisElement<AnswerResult> {
  private readonly text: HTMLParagraphElement;
  protected readonly properties = ['src', 'question', 'model', 'beams', 'maxTokens'];

  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'question', 'beams', 'max-tokens'];
  }

  constructor() {
    const text = document.createElement('p');
    super(text);
    this.text = text;
    text.className = 'answer';
    text.setAttribute('part', 'answer');
  }

  /** The question about the image. */
  get question(): string {
    return this.getAttribute('question') ?? '';
  }
  set question(value: string) {
    this.setAttribute('question', value);
  }

  get beams(): number {
    return Number(this.getAttribute('beams') ?? 1) || 1;
  }
  set beams(value: number) {
    this.setAttribute('beams', String(value));
  }

  /** Most answer tokens to generate; 0 means the model's own default. */
  get maxTokens(): number {
    return Number(this.getAttribute('max-tokens') ?? 0) || 0;
  }
  set maxTokens(value: number) {
    if (value) this.setAttribute('max-tokens', String(value));
    else this.removeAttribute('max-tokens');
  }

  protected execute(iris: Iris, src: string, options: RequestOptions): Promise<AnswerResult> | null {
    if (!this.question.trim()) return null;
    this.text.textContent = '';
    return iris.ask(src, this.question, {
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

  protected render(result: AnswerResult): void {
    this.text.textContent = result.answer;
  }
}
