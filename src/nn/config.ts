/**
 * Reading Hugging Face config.json files. `save_pretrained` writes only non-default fields, so every read
 * names the class default it falls back to.
 */
import { IrisError } from '../errors';
import type { Activation } from '../kernels/common';

export type Json = Record<string, unknown>;

export function field<T extends number | string | boolean | null>(config: Json, key: string, fallback: T): T {
  const value = config[key];
  return value === undefined ? fallback : (value as T);
}

export function section(config: Json, key: string): Json {
  const value = config[key];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object') throw new IrisError('bad-config', `config.json: "${key}" should be an object.`);
  return value as Json;
}

const ACTIVATIONS: Record<string, Activation> = {
  quick_gelu: 'quick_gelu',
  gelu: 'gelu',
  gelu_new: 'gelu_new',
  gelu_pytorch_tanh: 'gelu_new',
  gelu_fast: 'gelu_new',
};

export function activationOf(name: string, where: string): Activation {
  const act = ACTIVATIONS[name];
  if (!act) throw new IrisError('unsupported-model', `${where}: activation "${name}" is not supported (Iris has ${Object.keys(ACTIVATIONS).join(', ')}).`);
  return act;
}

export function requireDivisible(hidden: number, heads: number, where: string): void {
  if (hidden % heads !== 0) throw new IrisError('bad-config', `${where}: hidden size ${hidden} is not divisible by ${heads} heads.`);
}
