// The stand-ins against the real Hub files: the catalogue's pins, the generator's model.safetensors size
// (computed from its header and tensor list, without writing 600 MB), and the config/tokenizer files against the
// sizes and sha256s public sources give (scripts/models/hub/SOURCES.json, weights/tokenizers/SOURCES.json).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadClipTokenizer } from '../../src/tokenizers';
import { planSafetensors } from '../../src/weights/safetensors-writer';
import { MODELS } from '../../src/worker/registry';
import { HUB_MODELS, stateDictFor } from '../../scripts/models/index';
import { storedDtype } from '../../scripts/models/values';

const ROOT = process.cwd();
const HUB = path.join(ROOT, 'scripts/models/hub');
const TOKENIZERS = path.join(ROOT, 'weights/tokenizers');
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

interface Published {
  bytes?: number;
  sha256: string;
}

describe('catalogue pins', () => {
  const hubEntries = MODELS.filter((m) => !m.local);

  it('pinned entries name a 40-hex commit, positive sizes and 64-hex sha256s; where every size is pinned, the UI size comes from it', () => {
    const pinned = hubEntries.filter((m) => m.files);
    expect(pinned.length).toBeGreaterThan(0);
    for (const entry of pinned) {
      expect(entry.revision, entry.id).toMatch(/^[0-9a-f]{40}$/);
      expect(entry.sources?.length, `${entry.id} cites its source`).toBeGreaterThan(0);
      const pins = Object.entries(entry.files!);
      for (const [file, pin] of pins) {
        expect(pin.bytes !== undefined || pin.sha256 !== undefined, `${entry.id} ${file} pins something`).toBe(true);
        if (pin.bytes !== undefined) expect(Number.isSafeInteger(pin.bytes) && pin.bytes > 0, `${entry.id} ${file}`).toBe(true);
        if (pin.sha256 !== undefined) expect(pin.sha256, `${entry.id} ${file}`).toMatch(/^[0-9a-f]{64}$/);
      }
      const sizes = pins.map(([, pin]) => pin.bytes);
      if (sizes.every((b) => b !== undefined)) expect(entry.megabytes, entry.id).toBe(Math.round(sizes.reduce((n, b) => n + b, 0) / 1e6));
    }
  });

  it("each stand-in's model.safetensors has exactly the pinned real file's size (header + tensors, computed)", () => {
    let compared = 0;
    for (const model of HUB_MODELS) {
      const pin = hubEntries.find((m) => m.repo === model.repo)?.files?.['model.safetensors'];
      if (pin?.bytes === undefined) continue; // no public size: the README's model table says which
      const config = readJson<object>(path.join(HUB, model.repo, 'config.json'));
      // The Hub checkpoints are float32; the generator's f32 file is the stand-in of the real one.
      const plan = planSafetensors(stateDictFor(config).map((spec) => ({ name: spec.name, dtype: storedDtype(spec, 'f32'), shape: spec.shape })));
      expect(plan.fileBytes, model.repo).toBe(pin.bytes);
      compared++;
    }
    expect(compared).toBeGreaterThan(0);
  });
});

describe('stand-in config and tokenizer files against the published ones', () => {
  const hubSources = readJson<{ files: Record<string, { published: Published | null; differs?: string }> }>(path.join(HUB, 'SOURCES.json'));
  const tokenizerSources = readJson<{ files: Record<string, { published: (Published & { repo: string; differs?: { header?: string; why: string } })[] }> }>(path.join(TOKENIZERS, 'SOURCES.json'));

  it('every config file has an entry; each published sha256 is ours, or the entry says why not', () => {
    const ours = HUB_MODELS.flatMap((m) => readdirSync(path.join(HUB, m.repo)).map((f) => `${m.repo}/${f}`));
    expect(Object.keys(hubSources.files).sort()).toEqual(ours.sort());
    for (const [file, { published, differs }] of Object.entries(hubSources.files)) {
      if (!published) continue;
      const bytes = readFileSync(path.join(HUB, file));
      const same = sha256(bytes) === published.sha256 && (published.bytes === undefined || published.bytes === bytes.byteLength);
      // A file that matches must not carry a stale explanation; one that does not must carry one.
      expect(same || typeof differs === 'string', `${file} differs from the published file without saying why`).toBe(true);
      expect(!same || differs === undefined, `${file} matches the published file but says it differs`).toBe(true);
    }
  });

  it("tokenizer files: equal to the published ones, or the Hub's bytes rebuilt from ours as the entry says (or the entry says the difference is not known)", () => {
    let checked = 0;
    for (const [file, { published }] of Object.entries(tokenizerSources.files)) {
      const ours = new Uint8Array(readFileSync(path.join(TOKENIZERS, file)));
      for (const p of published) {
        checked++;
        if (!p.differs) {
          expect(sha256(ours), `${file} of ${p.repo}`).toBe(p.sha256);
          continue;
        }
        expect(sha256(ours), `${file} of ${p.repo} differs`).not.toBe(p.sha256);
        expect(p.differs.why.length, `${file} of ${p.repo} says why it differs, or that it is not known`).toBeGreaterThan(0);
        if (p.differs.header === undefined) continue; // a difference that cannot be rebuilt from here
        const text = new TextDecoder().decode(ours);
        const rebuilt = new TextEncoder().encode(`${p.differs.header}${text.slice(text.indexOf('\n'))}`);
        expect(rebuilt.byteLength, `${file} of ${p.repo}: size`).toBe(p.bytes);
        expect(sha256(rebuilt), `${file} of ${p.repo}: the Hub's file, rebuilt`).toBe(p.sha256);
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it("the CLIP tokenizer reads both merges.txt headers to identical ids on every test vector", () => {
    const mergesTxt = readFileSync(path.join(TOKENIZERS, 'clip/merges.txt'), 'utf8');
    const vocabJson = readFileSync(path.join(TOKENIZERS, 'clip/vocab.json'), 'utf8');
    const hubHeader = tokenizerSources.files['clip/merges.txt']!.published.find((p) => p.differs?.header !== undefined)!.differs!.header!;
    expect(mergesTxt.split('\n', 1)[0]).not.toBe(hubHeader);
    const plain = loadClipTokenizer({ vocabJson, mergesTxt });
    const hub = loadClipTokenizer({ vocabJson, mergesTxt: `${hubHeader}${mergesTxt.slice(mergesTxt.indexOf('\n'))}` });
    const cases = readJson<{ cases: { text: string; ids_fast: number[] }[] }>(path.resolve(ROOT, '../shared/tokenizers/clip/vectors.json')).cases;
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) {
      expect(hub.encode(c.text), c.text).toEqual(c.ids_fast);
      expect(plain.encode(c.text), c.text).toEqual(c.ids_fast);
    }
  });
});
