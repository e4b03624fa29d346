/**
 * The caption tokenization of the COCO caption evaluation code (pycocoevalcap), in TypeScript.
 *
 * pycocoevalcap writes every caption of a set on its own line (inner '\n' replaced by a space), runs
 * Stanford CoreNLP 3.4.1's PTBTokenizer over the file with `-preserveLines -lowerCase` (default options
 * otherwise: PTB3 escaping on, americanize off, slashes not escaped, assimilations split), then drops
 * the tokens in its PUNCTUATIONS list. This file re-implements that lexer's rules as a longest-match
 * scanner (ties go to the earlier rule, as in JFlex):
 *
 *  - lower case, applied after the PTB transforms (so '(' becomes "-LRB-" and then "-lrb-", which the
 *    upper-case PUNCTUATIONS entries do not remove: pycocoevalcap keeps "-lrb-", "-rrb-", "-lsb-", ...);
 *  - clitics split off: cat's → cat 's, they're → they 're, isn't → is n't, can't → ca n't,
 *    won't → wo n't; curly apostrophes become ' ; cannot → can not, gonna → gon na (also gotta, wanna,
 *    gimme, lemme, 'twas, 'tis);
 *  - words: letters/digits with inner . ! ? (e.g. "sign.the" stays one token), hyphen words
 *    (black-and-white, t-shirt, 10-year-old), slash words (black/white), apostrophe words (o'clock,
 *    O'Neill, Hawai'i, rock 'n' roll, y' all, '90s, 'em), numbers (1,000 3.5 10:30 -5), dates,
 *    fractions ("3 1/2" is one token with a no-break space; ½ → 1/2), URLs, e-mail addresses, @names,
 *    #tags, c++ and c#;
 *  - punctuation tokens: , ; : . ? ! runs ("?!" is one token and is NOT removed), "..." and "…",
 *    dashes (- -- --- — –), quotes (" ' ` “ ” ‘ ’ « » ‹ ›, turned into `` '' ` '), brackets, smileys
 *    (":)" → ":-rrb-", "^_^");
 *  - single letters and dotted acronyms keep a final period ("u.s.", "a."), as do common abbreviations
 *    (mr. st. etc. jan. ...; "no." and "fig." only before a number), and a word followed by ".," etc.;
 *  - symbols $ # % & + = / < > * @ _ ° © × ... stay as tokens; other characters (emoji, controls) vanish.
 *
 * Checked against the real lexer (CoreNLP 3.4.1's PTBLexer run on 45,000 caption-like and randomly
 * garbled lines): it differs only in these cases, none of which occurs in ordinary captions:
 *  - PTBLexer's word lists: Java keeps the period of about 150 abbreviations (months, US states,
 *    company and title abbreviations); here only the common ones listed below. A single letter before a
 *    period stays "b." here, while Java splits the period off before ~50 capitalised sentence starters
 *    ("plan B. The ..." → "plan b the"). Also not covered: its handful of special words (c'mon, li'l, ...);
 *  - file names starting with a digit ("5www.x"), SGML/XML tags, character entities other than
 *    &amp; &apos; &quot; &lt; &gt; &nbsp;, phone numbers;
 *  - letters are Unicode \p{L}\p{M} (Java: Character.isLetter plus some marks; characters outside the
 *    Basic Multilingual Plane are dropped there), and the symbol set kept as tokens is ASCII, Latin-1,
 *    letter-like symbols, arrows, maths and miscellaneous symbols (U+2100-U+214F, U+2190-U+2BFF); Java keeps a
 *    few more;
 *  - a '\r', U+000B/C, U+2028/9 or U+0085 inside a caption is a line break for Java, which shifts every
 *    later caption onto the wrong image in pycocoevalcap; here it is a space.
 */

/** pycocoevalcap's PUNCTUATIONS: tokens removed after tokenization (case-sensitive). */
export const PTB_PUNCTUATION: ReadonlySet<string> = new Set([
  "''", "'", '``', '`', '-LRB-', '-RRB-', '-LCB-', '-RCB-', '.', '?', '!', ',', ':', '-', '--', '...', ';',
]);

/** Tokenizes one caption: lower case, PTB splits, punctuation tokens dropped, tokens joined by spaces. */
export function ptbTokenize(caption: string): string {
  return ptbTokenizeAll([caption])[0];
}

/**
 * Tokenizes captions the way pycocoevalcap does a whole set: as one stream with a line per caption
 * (the lexer sometimes looks past the end of a line: ":)" ends in ":-rrb-" before a line break but
 * in "-rrb-" at the very end, so the stream matters).
 */
export function ptbTokenizeAll(captions: readonly string[]): string[] {
  const stream = captions.map((c) => c.replace(/[\n\r\v\f\u2028\u2029\u0085]/g, ' ')).join('\n');
  const lines: string[][] = [[]];
  for (let at = 0; at < stream.length; ) {
    const match = longestMatch(stream, at);
    if (match.token === NEWLINE) lines.push([]);
    else if (match.token !== null) lines[lines.length - 1].push(match.token.toLowerCase());
    at += match.consumed;
  }
  return lines.map((tokens) => tokens.filter((t) => !PTB_PUNCTUATION.has(t)).join(' '));
}

// ---------------------------------------------------------------------------------------------------
// The scanner: every rule reports how long its match is (trailing context included, as JFlex counts it)
// and how much input it consumes; the longest wins, the earlier rule on a tie.

interface Match {
  length: number;
  consumed: number;
  token: string | null; // null: skipped (white space, untokenizable character)
}
type Rule = (text: string, at: number) => Match | null;

const NEWLINE = '\n';

function longestMatch(text: string, at: number): Match {
  let best: Match | null = null;
  for (const rule of RULES) {
    const match = rule(text, at);
    if (match && match.length > 0 && (best === null || match.length > best.length)) best = match;
  }
  // Nothing matched: an untokenizable character, which the default options delete.
  return best ?? { length: 1, consumed: String.fromCodePoint(text.codePointAt(at)!).length, token: null };
}

/** Length of the sticky match of `regex` at `at`, or -1. */
function lengthAt(regex: RegExp, text: string, at: number): number {
  regex.lastIndex = at;
  const m = regex.exec(text);
  return m ? m[0].length : -1;
}

const re = (source: string): RegExp => new RegExp(source, 'uy');
/** A literal word in any letter case (JFlex's %caseless, which applies to literals but not to classes). */
const caseless = (word: string): string =>
  [...word].map((c) => (c.toLowerCase() === c.toUpperCase() ? c : `[${c.toLowerCase()}${c.toUpperCase()}]`)).join('');

/** A rule whose whole match is the token (after an optional rewrite). */
function token(source: string, rewrite: (s: string) => string = (s) => s): Rule {
  const regex = re(source);
  return (text, at) => {
    const n = lengthAt(regex, text, at);
    return n < 0 ? null : { length: n, consumed: n, token: rewrite(text.slice(at, at + n)) };
  };
}

/** `main/context`: the token is `main`, but the match length counts `context` too. */
function withContext(main: string, context: string, rewrite: (s: string) => string = (s) => s): Rule {
  const regex = re(`(${main})(?:${context})`);
  return (text, at) => {
    regex.lastIndex = at;
    const m = regex.exec(text);
    if (!m) return null;
    return { length: m[0].length, consumed: m[1].length, token: rewrite(m[1]) };
  };
}

/** The longest of several alternatives (JavaScript's `|` takes the first that matches, JFlex the longest). */
function longestOf(sources: string[], rewrite: (s: string) => string = (s) => s): Rule {
  const regexes = sources.map(re);
  return (text, at) => {
    const n = Math.max(...regexes.map((r) => lengthAt(r, text, at)));
    return n < 0 ? null : { length: n, consumed: n, token: rewrite(text.slice(at, at + n)) };
  };
}

// Character classes. Lower/upper case are spelled out: JFlex's %caseless does not widen classes.
const LETTER = '[\\p{L}\\p{M}\\u00AD]';
const DIGIT = '\\p{Nd}';
const LETTER_OR_DIGIT = '[\\p{L}\\p{Nd}]';
const APOS = "(?:['\\u0092\\u2019]|&apos;)";
const APOS_ETC = "(?:['\\u0092\\u2019`\\u0091\\u2018\\u201B]|&apos;)"; // also seen inside words
const SPACE = '[ \\t\\u00A0\\u2000-\\u200A\\u3000]';
const HYPHEN = '[\\-_\\u058A\\u2010\\u2011]';
const WORD = `${LETTER}(?:${LETTER}|${DIGIT})*(?:[.!?]${LETTER}(?:${LETTER}|${DIGIT})*)*`;
const CLITIC = `${APOS}(?:[msdMSD]|[rR][eE]|[vV][eE]|[lL][lL])`; // 's 'm 'd 're 've 'll
const NT_WORD = '[A-Za-z\\u00AD]*[A-MO-Za-mo-z]\\u00AD*'; // a word that can take n't (does not end in n)
const NT = `[nN]${APOS_ETC}[tT]`;
const ACRONYM = '[A-Za-z](?:\\.[A-Za-z])*';
const INSIDE_SENTENCE_PUNCT = '[,;:\\u3001]';
const HYPHEN_WORD = `[A-Za-z0-9][A-Za-z0-9.,\\u00AD]*(?:-(?:[A-Za-z](?:\\.[A-Za-z])+\\.|[A-Za-z0-9\\u00AD]+))+`;
const THING_PART = `(?:[dDoOlL]${APOS_ETC}${LETTER_OR_DIGIT})?${LETTER_OR_DIGIT}+`; // o'clock, l'orange
const THING = `${THING_PART}(?:${HYPHEN}${THING_PART})*`;
/** Words with an inner apostrophe that stay whole (PTBLexer's APOWORD, without its list of special words). */
const APOSTROPHE_WORDS = [
  `${APOS}[nN]${APOS}?`, // 'n' as in rock 'n' roll
  `[lLdDjJ]${APOS}`,
  `${APOS}${caseless('em')}`,
  `[A-HJ-XZn]${APOS_ETC}\\p{L}{2,}`, // O'Neill, D'Angelo; also n't glued to the next word
  `${APOS}[2-9]0${caseless('s')}`,
  `${APOS}${caseless('til')}(?:[lL])?`,
  `\\p{L}+[aeiouyAEIOUY]${APOS_ETC}[aeiouA-Z]\\p{L}*`, // Hawai'i
  `${APOS}${caseless('cause')}`,
];
const SMILEY_EYE = "[\\-^x=~<>']";
const ASIAN_SMILEYS = [
  `${SMILEY_EYE}_${SMILEY_EYE}`,
  `\\(${SMILEY_EYE}[_.]?${SMILEY_EYE}\\)`,
  "\\([\\^x=~<>']-[\\^x=~<>'`]\\)",
];
const URL_CHAR = '[^ \\t\\n\\f\\r"<>|(){}]';
// The ",-_" in the second pattern is a character range (as in PTBLexer), which also excludes digits and capitals.
const LIKELY_URLS = [
  '(?:www\\.(?:[^ \\t\\n\\f\\r"<>|.!?(){},]+\\.)+[a-zA-Z]{2,4})',
  `(?:(?:[^ \\t\\n\\f\\r"\`'<>|.!?(){},-_$]+\\.)+(?:${['com', 'net', 'org', 'edu'].map(caseless).join('|')}))`,
].map((host) => `${host}(?:/[^ \\t\\n\\f\\r"<>|()]+[^ \\t\\n\\f\\r"<>|.!?(){},\\-])?`);
const EMAIL_PART = '[^ \\t\\n\\f\\r"<>|(){}.\\u00A0]+';
const EMAIL = `(?:&lt;|<)?[a-zA-Z0-9][^ \\t\\n\\f\\r"<>|()\\u00A0{}]*@(?:${EMAIL_PART}\\.)*${EMAIL_PART}(?:&gt;|>)?`;
/**
 * Abbreviations that keep their period: a subset of PTBLexer's lists (see the header). Those of the first
 * kind (dates, companies, street and name suffixes) are usually followed by lower case words, and the
 * lexer counts the next two characters as context, so "jan.v" is "jan." + "v" but "mr.v" one word.
 */
const ABBREVIATIONS_BEFORE_LOWER_CASE = [
  'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'mon', 'tue', 'tues', 'wed', 'thu',
  'thurs', 'fri', 'co', 'cos', 'corp', 'inc', 'ltd', 'jr', 'sr', 'bros', 'ph.d', 'ed.d', 'blvd', 'rd', 'etc', 'al',
];
const ABBREVIATIONS_BEFORE_CAPITALS = ['mr', 'mrs', 'ms', 'dr', 'drs', 'prof', 'profs', 'st', 'ste', 'mt', 'ft', 'ave', 'vs'];
/** Abbreviations that keep their period only before a number ("no. 5", "fig. 3"). */
const ABBREVIATIONS_BEFORE_NUMBERS = ['ca', 'fig', 'figs', 'prop', 'no', 'nos', 'art', 'bldg', 'pp', 'op'];
const anyOf = (words: readonly string[]): string => `(?:${words.map((w) => caseless(w).replaceAll('.', '\\.')).join('|')})`;

/** `word.` plus up to two following characters of context (JFlex: ABBREV1/[^][^], or ABBREV1 alone at the end). */
const ABBREVIATION_BEFORE_LOWER_CASE = re(`${anyOf(ABBREVIATIONS_BEFORE_LOWER_CASE)}\\.`);
const abbreviationBeforeLowerCase: Rule = (text, at) => {
  const n = lengthAt(ABBREVIATION_BEFORE_LOWER_CASE, text, at);
  if (n < 0) return null;
  return { length: at + n + 2 <= text.length ? n + 2 : n, consumed: n, token: text.slice(at, at + n) };
};

const removeSoftHyphens = (s: string): string => {
  const out = s.replaceAll('\u00AD', '');
  return out === '' ? '-' : out;
};

/** PTB3 "LaTeX quotes": ' and " become ` `` at the start of a quotation and ' '' elsewhere; curly ones likewise. */
function latexQuotes(s: string, probablyLeft: boolean): string {
  return s
    .replace(/&apos;|'/g, probablyLeft ? '`' : "'")
    .replace(/&quot;|"/g, probablyLeft ? '``' : "''")
    .replace(/[\u0091\u2018\u201B\u2039]/g, '`')
    .replace(/[\u0092\u2019\u203A]/g, "'")
    .replace(/[\u0093\u201C\u00AB]/g, '``')
    .replace(/[\u0094\u201D\u00BB]/g, "''");
}
const rightQuotes = (s: string): string => latexQuotes(s, false);

const FRACTIONS: Record<string, string> = { '¼': '1/4', '½': '1/2', '¾': '3/4', '⅓': '1/3', '⅔': '2/3' };
const CURRENCY: Record<string, string> = { '¢': 'cents', '£': '#', '\u0080': '$', '¤': '$', '₠': '$', '€': '$' };
const BRACKETS: Record<string, string> = { '(': '-LRB-', ')': '-RRB-', '[': '-LSB-', ']': '-RSB-', '{': '-LCB-', '}': '-RCB-' };

/** A rule for text that makes no token. */
function skipped(source: string): Rule {
  const regex = re(source);
  return (text, at) => {
    const n = lengthAt(regex, text, at);
    return n < 0 ? null : { length: n, consumed: n, token: null };
  };
}

/** A rule that consumes only the first `keep(match)` characters of its match (JFlex's yypushback). */
function splitting(source: string, keep: (matched: string) => number): Rule {
  const regex = re(source);
  return (text, at) => {
    const n = lengthAt(regex, text, at);
    if (n < 0) return null;
    const consumed = keep(text.slice(at, at + n));
    return { length: n, consumed, token: text.slice(at, at + consumed) };
  };
}

/** In JFlex's order (it decides ties). */
const RULES: readonly Rule[] = [
  token(`${caseless('c')}\\+\\+|[cCfF]#`), // c++ c# f#
  // cannot → can not, 'twas → 't was, 'tis → 't is, gonna → gon na (gotta, lemme, gimme, wanna)
  splitting(`${caseless('cannot')}|'${caseless('twas')}|'${caseless('tis')}`, (m) => (m.length === 6 ? 3 : 2)),
  splitting(['gonna', 'gotta', 'lemme', 'gimme', 'wanna'].map(caseless).join('|'), (m) => m.length - 2),
  token('&(?:MD|mdash|ndash);|[\\u0096\\u0097\\u2013\\u2014\\u2015]', () => '--'),
  token(caseless('&amp;'), () => '&'),
  withContext(WORD, CLITIC, removeSoftHyphens), // cat|'s
  withContext(NT_WORD, NT, removeSoftHyphens), // is|n't, ca|n't
  token(WORD, removeSoftHyphens),
  longestOf(APOSTROPHE_WORDS), // O'Neill, n'tgood (a typo), Hawai'i, 'n', 'em, '90s
  withContext(`[yY]${APOS}`, '\\p{L}'), // y'all → y' all
  token(`https?://${URL_CHAR}+[^ \\t\\n\\f\\r"<>|.!?(){},\\-]`),
  longestOf(LIKELY_URLS),
  token(EMAIL),
  token(`@[a-zA-Z_][a-zA-Z_0-9]*|#${LETTER}+`), // @name, #tag
  withContext(CLITIC, '[^A-Za-z]', rightQuotes),
  withContext(NT, '[^A-Za-z]', rightQuotes),
  token(`${DIGIT}{1,2}[\\-/]${DIGIT}{1,2}[\\-/]${DIGIT}{2,4}`), // date
  token(`[\\-+]?(?:${DIGIT}*(?:[.:,\\u00AD\\u066B\\u066C]${DIGIT}+)+|${DIGIT}+)`, removeSoftHyphens), // number
  token(`(?:${DIGIT}{1,4}[\\- \\u00A0])?${DIGIT}{1,4}(?:\\\\?/|\\u2044)${DIGIT}{1,4}`, (s) => s.replaceAll(' ', '\u00A0')),
  token('[\\u00BC\\u00BD\\u00BE\\u2153-\\u215E]', (s) => FRACTIONS[s] ?? s),
  token('[A-Za-z0-9]+(?:-[A-Za-z]+){0,2}(?:\\\\?/[A-Za-z0-9]+(?:-[A-Za-z]+){0,2}){1,2}'), // black/white
  token('[A-Z]*\\$|#'),
  token('[\\u00A2\\u00A3\\u00A4\\u00A5\\u0080\\u20A0\\u20AC\\u060B\\u0E3F\\u20A4\\uFFE0\\uFFE1\\uFFE5\\uFFE6]', (s) => CURRENCY[s] ?? s),
  withContext(`${anyOf(ABBREVIATIONS_BEFORE_NUMBERS)}\\.`, `(?:${SPACE}|\\n)?${DIGIT}`), // "no. 5"
  abbreviationBeforeLowerCase, // etc.  jan.
  token(`(?:${anyOf(ABBREVIATIONS_BEFORE_CAPITALS)}|${ACRONYM})\\.`), // mr.  u.s.  a.
  withContext(`${APOS}[0-9][0-9]`, `${SPACE}|\\n`), // '90
  withContext(`${WORD}\\.`, INSIDE_SENTENCE_PUNCT, removeSoftHyphens),
  withContext('"|&quot;', '[A-Za-z0-9$]', (s) => latexQuotes(s, true)),
  token('"|&quot;', rightQuotes),
  longestOf(['<<|>>', '<|&lt;'], (s) => (s === '&lt;' ? '<' : s)),
  longestOf(['<<|>>', '>|&gt;'], (s) => (s === '&gt;' ? '>' : s)),
  withContext("[<>]?[:;=][\\-o*']?[()DPdpO\\\\{@|\\[\\]]", '[^A-Za-z0-9]', (s) => s.replace('(', '-LRB-').replace(')', '-RRB-')), // :)
  longestOf(ASIAN_SMILEYS, (s) => s.replace('(', '-LRB-').replace(')', '-RRB-')), // ^_^
  token('[()\\[\\]{}]', (s) => BRACKETS[s]),
  token('-+', (s) => (s.length === 3 || s.length === 4 ? '--' : s)),
  longestOf(['\\.{3,5}', '(?:\\.[ \\u00A0]){2,4}\\.', '[\\u0085\\u2026]'], () => '...'),
  token('@+|#+|_+|\\*+|(?:\\\\\\*){1,3}'),
  token(INSIDE_SENTENCE_PUNCT),
  token('[?!]+'),
  token('[.\\u00A1\\u00BF\\u037E\\u0589\\u061F\\u06D4\\u0700-\\u0702\\u07FA\\u3002=/]'),
  withContext(`${HYPHEN_WORD}\\.`, INSIDE_SENTENCE_PUNCT, removeSoftHyphens),
  token(HYPHEN_WORD, removeSoftHyphens),
  withContext(`${THING}\\.`, INSIDE_SENTENCE_PUNCT),
  token(THING),
  token('[A-Z]+(?:(?:[+&]|&amp;)[A-Z]+)+', (s) => s.replace(/&amp;/gi, '&')), // AT&T
  withContext("'", '[A-Za-z][^ \\t\\n\\r\\u00A0]', (s) => latexQuotes(s, true)), // an opening quote
  token(CLITIC, rightQuotes),
  token(NT, rightQuotes),
  longestOf([APOS, "''", '[`\\u2018\\u2019\\u201A\\u201B\\u201C\\u201D\\u0091\\u0092\\u0093\\u0094\\u201E\\u201F\\u2039\\u203A\\u00AB\\u00BB]{1,2}'], rightQuotes),
  token('[+%&~^|\\\\\\u00A6-\\u00A9\\u00AC\\u00AE-\\u00BA\\u00D7\\u00F7\\u2016\\u2017\\u2020-\\u2023\\u2030-\\u2038\\u2070-\\u2079\\u2080-\\u2089\\u2100-\\u214F\\u2190-\\u21FF\\u2200-\\u2BFF]'),
  skipped('(?:[ \\t\\u00A0\\u2000-\\u200A\\u3000\\u200B\\u200E\\u200F\\uFEFF\\0]|&nbsp;)+'), // white space
  (text, at) => (text[at] === NEWLINE ? { length: 1, consumed: 1, token: NEWLINE } : null),
];
