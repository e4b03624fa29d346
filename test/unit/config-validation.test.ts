// config.json numbers are checked where they come in (issue 17): counts and widths are whole numbers
// that divide the widths, activations are looked up without the object prototype, eps is a number.
// Each case mutates one field of a golden config.json; the unmutated file is the control.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IrisError, type IrisErrorCode } from '../../src/errors';
import { parseBlipConfig } from '../../src/families/blip/model';
import { parseChineseClipConfig } from '../../src/families/chinese-clip/model';
import { parseClipConfig } from '../../src/families/clip/model';
import type { Json } from '../../src/nn/config';
import { parseGitConfig } from '../../src/families/git/model';
import { parseVitGpt2Config } from '../../src/families/vit-gpt2/model';
import { MAX_PROCESSOR_SIDE, parsePreprocessorConfig } from '../../src/image/preprocess-config';
import { GOLDEN_DIR } from '../helpers/golden';

const models: { name: string; parse: (c: Json) => unknown; counts: string[][]; heads: [string[], string[]][]; activations: string[][]; eps: string[]; vision: string }[] = [
  {
    name: 'clip', parse: parseClipConfig,
    counts: [['text_config', 'num_hidden_layers'], ['text_config', 'num_attention_heads'], ['text_config', 'hidden_size'], ['vision_config', 'num_hidden_layers'], ['vision_config', 'patch_size'], ['projection_dim']],
    heads: [[['text_config', 'hidden_size'], ['text_config', 'num_attention_heads']], [['vision_config', 'hidden_size'], ['vision_config', 'num_attention_heads']]],
    activations: [['text_config', 'hidden_act'], ['vision_config', 'hidden_act']],
    eps: ['text_config', 'layer_norm_eps'],
    vision: 'vision_config',
  },
  {
    name: 'chinese-clip', parse: parseChineseClipConfig,
    counts: [['text_config', 'num_hidden_layers'], ['text_config', 'num_attention_heads'], ['text_config', 'type_vocab_size'], ['vision_config', 'hidden_size'], ['vision_config', 'image_size'], ['projection_dim']],
    heads: [[['text_config', 'hidden_size'], ['text_config', 'num_attention_heads']], [['vision_config', 'hidden_size'], ['vision_config', 'num_attention_heads']]],
    activations: [['text_config', 'hidden_act'], ['vision_config', 'hidden_act']],
    eps: ['text_config', 'layer_norm_eps'],
    vision: 'vision_config',
  },
  {
    name: 'blip', parse: parseBlipConfig,
    counts: [['text_config', 'num_hidden_layers'], ['text_config', 'hidden_size'], ['text_config', 'encoder_hidden_size'], ['vision_config', 'num_attention_heads'], ['vision_config', 'patch_size']],
    heads: [[['text_config', 'hidden_size'], ['text_config', 'num_attention_heads']], [['vision_config', 'hidden_size'], ['vision_config', 'num_attention_heads']]],
    activations: [['text_config', 'hidden_act'], ['vision_config', 'hidden_act']],
    eps: ['vision_config', 'layer_norm_eps'],
    vision: 'vision_config',
  },
  {
    name: 'git', parse: parseGitConfig,
    counts: [['num_hidden_layers'], ['num_attention_heads'], ['intermediate_size'], ['vision_config', 'num_attention_heads'], ['vision_config', 'image_size']],
    heads: [[['hidden_size'], ['num_attention_heads']]],
    activations: [['hidden_act']],
    eps: ['layer_norm_eps'],
    vision: 'vision_config',
  },
  {
    name: 'vit-gpt2', parse: parseVitGpt2Config,
    counts: [['decoder', 'n_layer'], ['decoder', 'n_head'], ['decoder', 'n_inner'], ['encoder', 'num_hidden_layers'], ['encoder', 'hidden_size']],
    heads: [[['decoder', 'n_embd'], ['decoder', 'n_head']]],
    activations: [['decoder', 'activation_function']],
    eps: ['decoder', 'layer_norm_epsilon'],
    vision: 'encoder',
  },
];

const golden = (name: string): Json => JSON.parse(readFileSync(join(GOLDEN_DIR, name, 'config.json'), 'utf8')) as Json;

function withField(config: Json, path: string[], value: unknown): Json {
  const copy = structuredClone(config);
  let at = copy;
  for (const key of path.slice(0, -1)) at = (at[key] ??= {}) as Json;
  at[path.at(-1)!] = value;
  return copy;
}

function read(config: Json, path: string[], fallback: number): number {
  let at: unknown = config;
  for (const key of path) at = (at as Json | undefined)?.[key];
  return typeof at === 'number' ? at : fallback;
}

function expectError(run: () => unknown, code: IrisErrorCode, pattern: RegExp): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected an IrisError').toBeInstanceOf(IrisError);
  expect((thrown as IrisError).code, String(thrown)).toBe(code);
  expect((thrown as IrisError).message).toMatch(pattern);
}

describe.each(models)('$name config.json', (model) => {
  const config = golden(model.name);

  it('the golden config parses (the control)', () => {
    expect(() => model.parse(config)).not.toThrow();
  });

  const bad = [null, 0, -3, 1.5, 2 ** 32, 1e300, '12'];
  // GPT-2's n_inner: null is its documented default (4 × n_embd), not a bad value.
  const badFor = (path: string[]) => bad.filter((value) => !(value === null && path.at(-1) === 'n_inner'));
  it.each(model.counts.flatMap((path) => badFor(path).map((value) => [path.join('.'), value, path] as const)))('%s = %s is bad-config, naming the key', (name, value, path) => {
    expectError(() => model.parse(withField(config, path, value)), 'bad-config', new RegExp(`"${name.replace(/\./g, '\\.')}" is .*must be a whole number`));
  });

  it.each(model.heads.map(([width, heads]) => [heads.join('.'), width, heads] as const))('%s must divide the width', (_, width, heads) => {
    const headCount = read(config, heads, 12);
    const mutated = withField(config, width, headCount * 8 + 1);
    expectError(() => model.parse(mutated), 'bad-config', /not divisible/);
  });

  it.each(model.activations.flatMap((path) => ['constructor', '__proto__', 'toString', 'hasOwnProperty'].map((name) => [path.join('.'), name, path] as const)))(
    '%s = "%s" is not looked up on the object prototype',
    (_, name, path) => {
      expectError(() => model.parse(withField(config, path, name)), 'unsupported-model', /activation .* is not supported/);
    },
  );

  it.each([['"1e-5"', '1e-5'], ['true', true], ['{}', {}]] as const)('layer-norm eps = %s is bad-config', (_, value) => {
    expectError(() => model.parse(withField(config, model.eps, value)), 'bad-config', /must be a finite number/);
  });

  it('an image size that is not a whole number of patches is bad-config, naming the section', () => {
    const section = model.vision;
    const patch = read(config, [section, 'patch_size'], NaN);
    expect(patch, `${model.name}: ${section}.patch_size is in the golden config`).toBeGreaterThan(1);
    expectError(() => model.parse(withField(config, [section, 'image_size'], patch * 3 + 1)), 'bad-config', new RegExp(`^${section}: image_size \\d+ is not a multiple of patch_size ${patch}`));
  });
});

describe('preprocessor_config.json sizes are bounded', () => {
  const clip = (extra: Json): unknown => parsePreprocessorConfig({ image_processor_type: 'CLIPImageProcessor', ...extra });
  const vit = (extra: Json): unknown => parsePreprocessorConfig({ image_processor_type: 'ViTImageProcessor', ...extra });

  it.each([
    ['crop_size', () => clip({ crop_size: 20_000 })],
    ['crop_size.height', () => clip({ crop_size: { height: MAX_PROCESSOR_SIDE + 1, width: 224 } })],
    ['size.shortest_edge', () => clip({ size: { shortest_edge: 1e300 } })],
    ['size[1]', () => vit({ size: [224, MAX_PROCESSOR_SIDE + 1] })],
    ['size', () => vit({ size: 2 ** 32 })],
  ] as const)('%s beyond the bound is bad-config, before any pixel is allocated', (what, parse) => {
    expectError(parse, 'bad-config', new RegExp(`${what.replace(/[.[\]]/g, '\\$&')} is \\S+ pixels; Iris allows at most ${MAX_PROCESSOR_SIDE}`));
  });

  it('the bound itself is allowed', () => {
    expect(clip({ crop_size: MAX_PROCESSOR_SIDE })).toMatchObject({ cropSize: { height: MAX_PROCESSOR_SIDE, width: MAX_PROCESSOR_SIDE } });
  });
});
