/**
 * The demo's language: the one the person picked (remembered in localStorage), else the first of the
 * browser's languages Iris speaks (zh* → Chinese), else English. It is fixed for the page's life: the
 * switch in the header stores the choice and reloads, so every string (including what a run already
 * showed) is in one language. `<html lang>` follows it, and the web components follow `<html lang>`.
 */
import { langTag, preferredLang, sharedText, supportedLang, translator, type Lang, type Params, type SharedKey } from '../../i18n';
import { en, type MessageKey } from './en';
import { zh } from './zh';

export type { Lang, MessageKey };
export const CATALOGUES = { en, zh };
export const LANG_STORAGE_KEY = 'iris.lang';

const translate = translator<MessageKey>(CATALOGUES);

/** The language this page shows, decided once when the module loads. */
export const lang: Lang = initialLang();

/** A demo message in the page's language. */
export function t(key: MessageKey, params?: Params): string {
  return translate(lang, key, params);
}

/** A shared (component and error) message in the page's language. */
export function ts(key: SharedKey, params?: Params): string {
  return sharedText(lang, key, params);
}

function initialLang(): Lang {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(LANG_STORAGE_KEY);
  } catch {
    // storage disabled (privacy settings): follow the browser
  }
  if (typeof navigator === 'undefined') return supportedLang(stored) ?? 'en'; // not in a browser (unit tests)
  return supportedLang(stored) ?? preferredLang(navigator.languages?.length ? navigator.languages : [navigator.language]);
}

/**
 * Puts index.html's text in the page's language: `data-i18n` sets the text, `data-i18n-html` the markup
 * (catalogue constants with inline tags), `data-i18n-attr="aria-label:key;placeholder:key"` attributes.
 */
export function translatePage(root: ParentNode = document): void {
  document.documentElement.lang = langTag(lang);
  for (const node of root.querySelectorAll<HTMLElement>('[data-i18n]')) node.textContent = t(node.dataset.i18n as MessageKey);
  for (const node of root.querySelectorAll<HTMLElement>('[data-i18n-html]')) node.innerHTML = t(node.dataset.i18nHtml as MessageKey);
  for (const node of root.querySelectorAll<HTMLElement>('[data-i18n-attr]')) {
    for (const pair of node.dataset.i18nAttr!.split(';')) {
      const [attribute, key] = pair.split(':') as [string, MessageKey];
      node.setAttribute(attribute.trim(), t(key.trim() as MessageKey));
    }
  }
}

/** The header's English / 中文 switch: the current language is pressed; the other stores itself and reloads. */
export function setupLanguageSwitch(container: HTMLElement): void {
  container.setAttribute('role', 'group');
  container.setAttribute('aria-label', t('header.language'));
  const names: Record<Lang, string> = { en: 'English', zh: '中文' };
  container.replaceChildren(
    ...(['en', 'zh'] as const).map((option) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'lang-option';
      button.lang = langTag(option);
      button.textContent = names[option];
      button.dataset.lang = option;
      button.setAttribute('aria-pressed', String(option === lang));
      button.addEventListener('click', () => {
        if (option === lang) return;
        try {
          localStorage.setItem(LANG_STORAGE_KEY, option);
        } catch {
          // not remembered; the reload below still shows the browser's language
        }
        location.reload();
      });
      return button;
    }),
  );
}
