import { IrisError } from '../errors';
import { describeErrorIn, renderError } from '../i18n';
import { lang, ts } from './i18n';

/** The element with this id, typed; a missing one is a bug in index.html, so it throws. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`index.html has no element #${id}`);
  return element as T;
}

/** Shorthand for a new element with a class and text. */
export function element<K extends keyof HTMLElementTagNameMap>(tag: K, className = '', text = ''): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

/** An IrisError the demo made itself, with a message already in the page's language (shown as it is). */
export class DemoError extends IrisError {}

/**
 * A failure as a person reads it, in the page's language: in English the error's message (it already
 * carries its hint); in Chinese the explanation of its code, then the library's English message as detail.
 */
export function describeError(error: unknown): string {
  if (error instanceof DemoError) return error.message;
  const { text, detail } = describeErrorIn(error, lang);
  return detail ? `${text} ${ts('error.details')}${detail}` : text;
}

/** Shows a failure in an error line (`extra`: the demo's advice after it); the English detail is marked lang="en". */
export function showError(target: HTMLElement, error: unknown, extra = ''): void {
  if (error instanceof DemoError || lang === 'en') target.textContent = describeError(error) + extra;
  else {
    renderError(target, error, lang);
    if (extra) target.append(extra);
  }
}

/** A number field's value as a whole number in min..max (`fallback` when empty or not a number). */
export function clamp(value: number, min: number, max: number, fallback: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, Math.round(value))) : fallback;
}
