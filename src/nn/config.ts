/**
 * Reading Hugging Face config.json files. `save_pretrained` writes only non-default fields, so every read
 * names the class default it falls back to.
 */
import { IrisError } from '../errors';
import type { Activation } from '../kernels/common';

export type Json = Record<string, unknown>;

/** Where each section came from ("text_config"), so an error can name the full key. */
const paths = new WeakMap<Json, string>();

/** A field's key path for error messages ("text_config.hidden_act"). */
export const keyPath = (config: Json, key: string): string => [paths.get(config), key].filter(Boolean).join('.');

/** The section's key path for error messages ("text_config"), or "config" for the file's top level. */
export const sectionName = (config: Json): string => paths.get(config) ?? 'config';

/** The largest count or width a config may give: beyond it, no model Iris can run, only a RangeError. */
export const MAX_CONFIG_COUNT = 2 ** 24;

/** A field of the fallback's type (numbers finite); null (Python's None: unset) gives the fallback. */
export function field<T extends number | string | boolean | null>(config: Json, key: string, fallback: T): T {
  const value = config[key];
  if (value === undefined || value === null) return fallback;
  const ok = fallback === null || (typeof value === typeof fallback && (typeof value !== 'number' || Number.isFinite(value)));
  if (!ok) throw badConfig(config, key, value, typeof fallback === 'number' ? 'a finite number' : `a ${typeof fallback}`);
  return value as T;
}

/** A layer count, head count or width: a whole number from 1 to MAX_CONFIG_COUNT. */
export function count(config: Json, key: string, fallback: number): number {
  const value = config[key] === undefined ? fallback : config[key];
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_CONFIG_COUNT) return value;
  throw badConfig(config, key, value, `a whole number from 1 to ${MAX_CONFIG_COUNT}`);
}

export function section(config: Json, key: string): Json {
  const value = config[key];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new IrisError('bad-config', `config.json: "${keyPath(config, key)}" should be an object.`);
  paths.set(value as Json, keyPath(config, key));
  return value as Json;
}

function badConfig(config: Json, key: string, value: unknown, expected: string): IrisError {
  return new IrisError('bad-config', `config.json: "${keyPath(config, key)}" is ${JSON.stringify(value) ?? String(value)}; it must be ${expected}.`, {
    hint: 'The checkpoint\'s config.json is damaged or not a transformers config; delete the cached model and load it again, or fix the file.',
  });
}

const ACTIVATIONS: Record<string, Activation> = {
  quick_gelu: 'quick_gelu',
  gelu: 'gelu',
  gelu_new: 'gelu_new',
  gelu_pytorch_tanh: 'gelu_new',
  gelu_fast: 'gelu_new',
};

export function activationOf(name: string, where: string): Activation {
  // Own keys only: "constructor" or "__proto__" must not resolve to Object.prototype's.
  const act = typeof name === 'string' && Object.hasOwn(ACTIVATIONS, name) ? ACTIVATIONS[name] : undefined;
  if (!act) throw new IrisError('unsupported-model', `${where}: activation "${name}" is not supported (Iris has ${Object.keys(ACTIVATIONS).join(', ')}).`);
  return act;
}

export function requireDivisible(hidden: number, heads: number, where: string): void {
  if (!Number.isSafeInteger(hidden) || !Number.isSafeInteger(heads) || heads < 1 || hidden % heads !== 0) throw new IrisError('bad-config', `${where}: hidden size ${hidden} is not divisible by ${heads} heads.`);
}
