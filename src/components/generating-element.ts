/**
 * What <iris-caption> and <iris-ask> have in common: a paragraph that shows the generated text token by token,
 * and the decoding attributes `beams` (1 = greedy, the default; more = beam search) and `max-tokens`
 * (maxTokens; 0 = the model's own default).
 */
import type { RequestOptions } from '../index';
import { IrisElement } from './iris-element';

/** The decoding options both elements pass to the API. */
interface StreamedDecoding {
  numBeams: number;
  maxNewTokens: number | undefined;
  onToken: (text: string) => void;
}

export abstract class GeneratingElement<Result> extends IrisElement<Result> {
  /** Shows the text as it is generated, then the result's. */
  protected readonly text: HTMLParagraphElement;

  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'beams', 'max-tokens'];
  }

  /** `part`: the paragraph's class and shadow part name ('caption', 'answer'). */
  constructor(part: string) {
    const text = document.createElement('p');
    super(text);
    this.text = text;
    text.className = part;
    text.setAttribute('part', part);
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

  /** Clears the text, and returns the decoding options that stream tokens into it (and as `token` events). */
  protected streamedDecoding(options: RequestOptions): StreamedDecoding {
    this.text.textContent = '';
    return {
      numBeams: this.beams,
      maxNewTokens: this.maxTokens || undefined,
      onToken: (text) => {
        if (options.signal?.aborted) return;
        this.text.textContent = text;
        this.emit('token', { text });
      },
    };
  }
}
