// Nothing outside src/families/ names a family, except the model catalogue (src/worker/registry.ts: ids,
// sizes, labels): the loader, worker, tasks, components and demo derive what they need from FAMILIES. The
// names looked for come from that list: each family's name and its config.json model_types.
//
// The rule, and why:
// - Code only: comments are stripped first. A comment may cite a model as an example of what a shared block
//   serves ("the vision tower of CLIP, GIT, …"); code (identifiers, string and template literals, file
//   names) must not branch on, configure or show a family.
// - A name matches case-insensitively as a whole word: not inside a longer identifier or word (so transformers'
//   module and class names such as CLIPVisionTransformer, the layouts a shared block reads, do not match, while
//   `clip`, 'clip', "CLIP's" and `clip_x` do). A hyphenated name also matches with "_", " " or nothing in
//   place of the hyphen (vit-gpt2, vit_gpt2, vitGpt2, "ViT GPT2").
// - src/tokenizers/ is named by tokenizer kind (transformers' tokenizer classes: CLIPTokenizer's BPE, GPT-2's
//   byte-level BPE, BERT's WordPiece), not by family: one tokenizer serves several families (GIT reads
//   BERT's; a Chinese-CLIP would too), so a tokenizer named like a family is still a tokenizer. Which
//   tokenizer a checkpoint uses is its family's choice (src/families/*/index.ts), not src/tokenizers'.
// - Other meanings of the same word: "git" the version-control system (the Hub's "git blob id", 'git-sha1'
//   digests) and CSS's clip-path property.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAMILIES } from '../../src/families';

const SRC = join(process.cwd(), 'src');
const ALLOWED = ['families/', 'worker/registry.ts'];
/** Folders named by something else than families (see above). */
const NAMED_OTHERWISE = ['tokenizers/'];
/** Phrases where a family's name means something else. */
const OTHER_MEANINGS = [/\bgit[- ]sha1\b/gi, /\bgit blob id\b/gi, /\bclip-path\b/gi];

const names = [...new Set(FAMILIES.flatMap((f) => [f.name, ...f.modelTypes]).map((n) => n.toLowerCase()))];
const pattern = (name: string) =>
  new RegExp(`(?<![A-Za-z0-9])${name.split(/[-_]/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[-_ ]?')}(?![A-Za-z0-9])`, 'i');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The text with comments blanked (line numbers kept); string contents stay. */
function codeOf(text: string, file: string): string {
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  if (file.endsWith('.html')) return text.replace(/<!--[\s\S]*?-->/g, blank);
  if (file.endsWith('.css')) return text.replace(/\/\*[\s\S]*?\*\//g, blank);
  // Strings first, so that "//" or "/*" inside one is not taken for a comment.
  return text.replace(/'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (m) => (m.startsWith('/') ? blank(m) : m));
}

function scanned(): string[] {
  return filesUnder(SRC)
    .map((path) => relative(SRC, path).split('\\').join('/'))
    .filter((file) => /\.(ts|wgsl|css|html|json)$/.test(file))
    .filter((file) => ![...ALLOWED, ...NAMED_OTHERWISE].some((a) => file.startsWith(a)));
}

describe('family names outside src/families', () => {
  it('the names come from FAMILIES', () => {
    expect(names.length).toBeGreaterThanOrEqual(FAMILIES.length);
    // The rule finds what it should: each name, as an identifier and as a string.
    for (const name of names) {
      const identifier = name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
      expect(pattern(name).test(`const ${identifier} = 1;`), identifier).toBe(true);
      expect(pattern(name).test(codeOf(`load('${name.toUpperCase()}')`, 'x.ts')), name).toBe(true);
      expect(pattern(name).test(codeOf(`// ${name}`, 'x.ts')), `comment ${name}`).toBe(false);
      expect(pattern(name).test(`${name.replace(/-/g, '')}Vision${name.length}`), `inside ${name}`).toBe(false);
    }
  });

  it('are found nowhere in src/ but the catalogue', () => {
    const files = scanned();
    expect(files.length).toBeGreaterThan(0);
    const found: string[] = [];
    for (const file of files) {
      const lines = codeOf(readFileSync(join(SRC, file), 'utf8'), file).split('\n');
      lines.forEach((line, i) => {
        const code = OTHER_MEANINGS.reduce((text, phrase) => text.replace(phrase, ' '), line);
        for (const name of names) if (pattern(name).test(code)) found.push(`src/${file}:${i + 1} (${name}): ${line.trim()}`);
      });
      // File names too (an import of './clip' is caught above; this catches files nothing imports by name).
      for (const name of names) if (pattern(name).test(file.replace(/\.\w+$/, '').replace(/\//g, ' '))) found.push(`src/${file} (${name}): file name`);
    }
    expect(found).toEqual([]);
  });
});
