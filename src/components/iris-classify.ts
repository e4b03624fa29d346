/**
 * <iris-classify src="cat.jpg" labels="cat, dog, car" model="openai/clip-vit-base-patch32">: zero-shot
 * classification with CLIP, shown as ranked bars with percentages.
 *
 * Attributes (and properties): src, model, labels (comma-separated; the property is a string[]), template
 * ("a photo of a {label}." by default), alt (the image's alternative text).
 * Events: progress (detail: IrisProgress), result (detail: ClassifyResult), error (detail: {code, message}).
 */
import type { ClassifyResult, Iris, RequestOptions } from '../index';
import { sharedText, type Lang } from '../i18n';
import { IrisElement } from './iris-element';
import { renderBars } from './render';

export class IrisClassifyElement extends IrisElement<ClassifyResult> {
  private readonly list: HTMLOListElement;
  private labelList: string[] = [];
  protected readonly properties = ['src', 'model', 'labels', 'template'];

  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'labels', 'template'];
  }

  constructor() {
    const list = document.createElement('ol');
    super(list);
    this.list = list;
    list.className = 'bars';
    list.setAttribute('part', 'bars');
  }

  protected override localize(lang: Lang): void {
    super.localize(lang);
    this.list.setAttribute('aria-label', sharedText(lang, 'component.bars'));
  }

  /** The labels to rank; setting the property does not rewrite the attribute (a label may contain a comma). */
  get labels(): string[] {
    return [...this.labelList];
  }
  set labels(value: string[]) {
    this.labelList = value.map((l) => l.trim()).filter(Boolean);
    this.schedule();
  }

  get template(): string {
    return this.getAttribute('template') ?? '';
  }
  set template(value: string) {
    if (value) this.setAttribute('template', value);
    else this.removeAttribute('template');
  }

  override attributeChangedCallback(name: string, previous: string | null, value: string | null): void {
    if (name === 'labels') this.labelList = (value ?? '').split(',').map((l) => l.trim()).filter(Boolean);
    super.attributeChangedCallback(name, previous, value);
  }

  protected execute(iris: Iris, src: string, options: RequestOptions): Promise<ClassifyResult> | null {
    if (this.labelList.length === 0) return null;
    return iris.classify(src, this.labelList, {
      ...options,
      model: this.model || undefined,
      templates: this.template ? [this.template] : undefined,
    });
  }

  protected render(result: ClassifyResult): void {
    renderBars(this.list, result.labels);
  }
}
