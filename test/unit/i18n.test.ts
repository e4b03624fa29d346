// Issue 16: every message of the demo and the components in English and Simplified Chinese. The walk is
// over the catalogues themselves (src/i18n shared, src/ui/i18n the demo's), the IrisError codes as
// src/errors.ts declares them, and the keys index.html names.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IrisError } from '../../src/errors';
import { describeErrorIn, errorExplanation, format, langTag, LANGS, placeholders, preferredLang, SHARED_CATALOGUES, supportedLang } from '../../src/i18n';
import { en } from '../../src/ui/i18n/en';
import { zh } from '../../src/ui/i18n/zh';
import { LATIN_TERMS, latinWords, readableText } from '../helpers/i18n-terms';

const CATALOGUES = { shared: SHARED_CATALOGUES, demo: { en, zh } } as const;

/** Keys whose Chinese value may equal the English one: nothing in them is a word (quotes, a name and a unit). */
const SAME_IN_BOTH = new Set(['models.option', 'cap.word', 'search.query']);

const HAN = /\p{Script=Han}/u;

describe.each(Object.entries(CATALOGUES))('the %s catalogue', (_, pair) => {
  const keys = Object.keys(pair.en);

  it('has the same keys in both languages', () => {
    expect(Object.keys(pair.zh).sort()).toEqual([...keys].sort());
  });

  it.each(LANGS)('has no empty message in %s', (lang) => {
    const empty = keys.filter((key) => !(pair[lang] as Record<string, string>)[key]?.trim());
    expect(empty).toEqual([]);
  });

  it('uses the same placeholders in both languages', () => {
    const differing = keys.filter((key) => placeholders((pair.en as Record<string, string>)[key]!).join() !== placeholders((pair.zh as Record<string, string>)[key]!).join());
    expect(differing).toEqual([]);
  });

  it('translates every message: no Chinese value equals the English one, and each has Chinese in it', () => {
    const zhOf = pair.zh as Record<string, string>;
    const enOf = pair.en as Record<string, string>;
    const same = keys.filter((key) => zhOf[key] === enOf[key] && !SAME_IN_BOTH.has(key));
    expect(same).toEqual([]);
    const noHan = keys.filter((key) => !SAME_IN_BOTH.has(key) && !HAN.test(readableText(zhOf[key]!)) && /[A-Za-z]/.test(readableText(enOf[key]!)));
    expect(noHan).toEqual([]);
  });

  it('leaves no English word in a Chinese message except the listed names and units', () => {
    const zhOf = pair.zh as Record<string, string>;
    const stray = keys.flatMap((key) => latinWords(readableText(zhOf[key]!)).filter((w) => !LATIN_TERMS.has(w)).map((w) => `${key}: ${w}`));
    expect(stray).toEqual([]);
  });

  it('uses the same kinds of inline markup in both languages, each tag closed (html. keys)', () => {
    const kinds = (value: string) => [...new Set(value.match(/<[a-z]+/g) ?? [])].sort().join();
    const balanced = (value: string) => (value.match(/<[a-z]+/g) ?? []).length === (value.match(/<\/[a-z]+>/g) ?? []).length;
    for (const key of keys.filter((k) => k.startsWith('html.'))) {
      const [enValue, zhValue] = [(pair.en as Record<string, string>)[key]!, (pair.zh as Record<string, string>)[key]!];
      expect(kinds(zhValue), key).toBe(kinds(enValue));
      expect(balanced(zhValue) && balanced(enValue), key).toBe(true);
    }
    expect(keys.filter((k) => !k.startsWith('html.') && /<[a-z]/.test((pair.en as Record<string, string>)[k]!))).toEqual([]);
  });
});

describe('error messages', () => {
  // The codes as src/errors.ts declares them (the union's string literals), not a copy.
  const source = readFileSync('src/errors.ts', 'utf8').replace(/\/\/.*$/gm, '');
  const union = /export type IrisErrorCode =([\s\S]*?);/.exec(source)![1]!;
  const codes = [...union.matchAll(/\|\s*'([a-z-]+)'/g)].map((m) => m[1]!);

  it('finds the codes in src/errors.ts', () => {
    expect(codes.length).toBe(new Set(codes).size);
    expect(codes.length).toBeGreaterThan(0);
    expect(codes).toContain('bad-input');
  });

  it.each(LANGS)('explains every IrisError code in %s', (lang) => {
    for (const code of codes) {
      const text = errorExplanation(code as never, lang);
      expect(text, code).toBeTruthy();
      if (lang === 'zh') expect(HAN.test(text), code).toBe(true);
    }
    expect(Object.keys(SHARED_CATALOGUES[lang]).filter((k) => k.startsWith('error.') && !['error.details', 'error.unknown'].includes(k)).sort())
      .toEqual(codes.map((c) => `error.${c}`).sort());
  });

  it('shows the library message as it is in English, and the explanation with the English detail in Chinese', () => {
    const error = new IrisError('download-failed', 'Downloading config.json failed: HTTP 404.');
    expect(describeErrorIn(error, 'en')).toEqual({ text: error.message });
    expect(describeErrorIn(error, 'zh')).toEqual({ text: SHARED_CATALOGUES.zh['error.download-failed'], detail: error.message });
    expect(describeErrorIn(new IrisError('aborted', 'Classify was cancelled.'), 'zh')).toEqual({ text: SHARED_CATALOGUES.zh['error.aborted'] });
    expect(describeErrorIn(new TypeError('x is undefined'), 'zh').text).toBe(SHARED_CATALOGUES.zh['error.unknown']);
  });
});

describe('index.html and the sources', () => {
  const html = readFileSync('index.html', 'utf8');
  const used = [
    ...[...html.matchAll(/data-i18n(?:-html)?="([^"]+)"/g)].map((m) => m[1]!),
    ...[...html.matchAll(/data-i18n-attr="([^"]+)"/g)].flatMap((m) => m[1]!.split(';').map((pair) => pair.split(':')[1]!.trim())),
  ];

  it('names only keys the catalogue has, with markup only under html. keys', () => {
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((key) => !(key in en))).toEqual([]);
    const htmlKeys = [...html.matchAll(/data-i18n-html="([^"]+)"/g)].map((m) => m[1]!);
    expect(htmlKeys.filter((key) => !key.startsWith('html.'))).toEqual([]);
    const textKeys = [...html.matchAll(/data-i18n="([^"]+)"/g)].map((m) => m[1]!);
    expect(textKeys.filter((key) => /</.test(en[key as keyof typeof en]))).toEqual([]);
  });

  it('uses every demo key somewhere (keys built at run time by their prefix)', () => {
    const sources = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') && !['en.ts', 'zh.ts'].includes(entry.name) ? [readFileSync(join(dir, entry.name), 'utf8')] : []);
    const code = sources('src/ui').join('\n') + html;
    const dynamic = ['search.reason.', 'attention.'];
    const unused = Object.keys(en).filter((key) => !code.includes(`'${key}'`) && !code.includes(`"${key}"`) && !code.includes(`:${key}`) && !dynamic.some((p) => key.startsWith(p)));
    expect(unused).toEqual([]);
  });
});

describe('format and the language choice', () => {
  it('fills placeholders, picks English plurals by n, and leaves unknown placeholders as written', () => {
    expect(format('{n} {n:photo|photos} in {model}', { n: 1, model: 'm' })).toBe('1 photo in m');
    expect(format('{n} {n:photo|photos} in {model}', { n: 3, model: 'm' })).toBe('3 photos in m');
    expect(format('{label} is replaced', {})).toBe('{label} is replaced');
    expect(placeholders('{b} {a} {b:x|y}')).toEqual(['a', 'b']);
  });

  it('takes the first browser language Iris speaks', () => {
    expect(preferredLang(['zh-CN', 'en-US'])).toBe('zh');
    expect(preferredLang(['zh-Hant-TW'])).toBe('zh');
    expect(preferredLang(['fr-FR', 'zh'])).toBe('zh');
    expect(preferredLang(['en-GB', 'zh-CN'])).toBe('en');
    expect(preferredLang(['fr-FR', 'de'])).toBe('en');
    expect(preferredLang([])).toBe('en');
    expect(supportedLang('ZH_cn')).toBe('zh');
    expect(supportedLang('de')).toBeNull();
    expect(langTag('zh')).toBe('zh-CN');
  });
});
