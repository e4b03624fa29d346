/**
 * Iris's messages in English and Simplified Chinese, for the web components (which follow the `lang` in
 * effect for the element: its own attribute or the nearest ancestor's, e.g. `<html lang="zh-CN">`) and for
 * the demo (src/ui/i18n adds the demo's own text).
 */
import { isIrisError, type IrisErrorCode } from '../errors';
import { sharedEn, type SharedKey } from './shared-en';
import { sharedZh } from './shared-zh';
import { translator, type Lang } from './translate';

export * from './translate';
export type { SharedKey };

export const SHARED_CATALOGUES = { en: sharedEn, zh: sharedZh };
export const sharedText = translator<SharedKey>(SHARED_CATALOGUES);

/** What an error code means and what to do, for a person, in `lang`. */
export function errorExplanation(code: IrisErrorCode, lang: Lang): string {
  return sharedText(lang, `error.${code}`);
}

/**
 * An error as a person reads it in `lang`: in English the error's own message (it already says what to do);
 * in Chinese the explanation of its code, with the English message after it as the detail.
 */
export function describeErrorIn(error: unknown, lang: Lang): { text: string; detail?: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (lang === 'en') return { text: message };
  const text = isIrisError(error) ? errorExplanation(error.code, lang) : sharedText(lang, 'error.unknown');
  return isIrisError(error, 'aborted') ? { text } : { text, detail: message };
}

/** Shows an error in an element: the text, then the English detail marked `lang="en"`. */
export function renderError(target: HTMLElement, error: unknown, lang: Lang): void {
  const { text, detail } = describeErrorIn(error, lang);
  if (!detail) {
    target.textContent = text;
    return;
  }
  const detailNode = target.ownerDocument.createElement('span');
  detailNode.className = 'error-detail';
  detailNode.lang = 'en';
  detailNode.textContent = detail;
  target.replaceChildren(`${text} ${sharedText(lang, 'error.details')}`, detailNode);
}
