/**
 * The message machinery shared by the web components and the demo: two languages, catalogues as flat
 * objects of message keys, and `{name}` placeholders. `{n:photo|photos}` picks the first word when the
 * parameter `n` is 1 and the second otherwise (English needs it; Chinese does not inflect).
 */
export type Lang = 'en' | 'zh';
export const LANGS: readonly Lang[] = ['en', 'zh'];

export type Params = Record<string, string | number>;

/** A catalogue in the other language must have exactly the keys of the English one (a missing key is a type error). */
export type Catalogue<Key extends string> = Record<Key, string>;

const PLACEHOLDER = /\{(\w+)(?::([^|{}]*)\|([^{}]*))?\}/g;

/** The message with its placeholders filled; a placeholder with no parameter stays as written (e.g. "{label}" in help text). */
export function format(message: string, params: Params = {}): string {
  return message.replace(PLACEHOLDER, (whole, name: string, one?: string, other?: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    if (one !== undefined) return Number(value) === 1 ? one : other!;
    return String(value);
  });
}

/** The placeholder names a message uses, sorted (the key-walk test compares them across languages). */
export function placeholders(message: string): string[] {
  return [...new Set([...message.matchAll(PLACEHOLDER)].map((m) => m[1]!))].sort();
}

/** The language of a BCP 47 tag Iris has a catalogue for, or null ("zh-Hans-CN" → zh, "en-GB" → en). */
export function supportedLang(tag: string | null | undefined): Lang | null {
  const primary = tag?.toLowerCase().split(/[-_]/)[0];
  return primary === 'zh' ? 'zh' : primary === 'en' ? 'en' : null;
}

/** The first of the browser's preferred languages that Iris speaks; English otherwise. */
export function preferredLang(languages: readonly string[]): Lang {
  for (const tag of languages) {
    const lang = supportedLang(tag);
    if (lang) return lang;
  }
  return 'en';
}

/** The tag for `<html lang>` and `lang` attributes. */
export function langTag(lang: Lang): string {
  return lang === 'zh' ? 'zh-CN' : 'en';
}

/** The language in effect for a node: its own or its nearest ancestor's `lang` attribute, as HTML inherits it. */
export function langOf(node: Element): Lang {
  return supportedLang(node.closest('[lang]')?.getAttribute('lang')) ?? 'en';
}

/** A translate function over a pair of catalogues. */
export function translator<Key extends string>(catalogues: Record<Lang, Catalogue<Key>>) {
  return (lang: Lang, key: Key, params?: Params): string => format(catalogues[lang][key], params);
}
