/**
 * Iris as HTML: importing this module defines <iris-classify>, <iris-caption> and <iris-ask>, and re-exports the whole
 * library API. One script tag is enough:
 *
 *   <script type="module" src="https://cdn.example/iris/iris-components.js"></script>
 *   <iris-classify src="cat.jpg" labels="cat, dog, car"></iris-classify>
 *   <iris-caption src="cat.jpg"></iris-caption>
 *   <iris-ask src="cat.jpg" question="what color is the cat?"></iris-ask>
 *
 * Every element on the page shares one worker (see getIris), so each model is downloaded and compiled once.
 */
import { IrisAskElement } from './iris-ask';
import { IrisCaptionElement } from './iris-caption';
import { IrisClassifyElement } from './iris-classify';

export * from '../index';
export { IrisAskElement, IrisCaptionElement, IrisClassifyElement };
export { configureIris, getIris } from './shared-iris';
export type { IrisElementError } from './iris-element';

// Guarded: a page may load this module twice (two versions, or a bundle plus a CDN copy).
if (!customElements.get('iris-classify')) customElements.define('iris-classify', IrisClassifyElement);
if (!customElements.get('iris-caption')) customElements.define('iris-caption', IrisCaptionElement);
if (!customElements.get('iris-ask')) customElements.define('iris-ask', IrisAskElement);

declare global {
  interface HTMLElementTagNameMap {
    'iris-classify': IrisClassifyElement;
    'iris-caption': IrisCaptionElement;
    'iris-ask': IrisAskElement;
  }
}
