/**
 * A request's arguments, checked when it arrives: before its model is downloaded, uploaded or compiled,
 * so a wrong call is a 'bad-input' at once, offline too, and never a download error. The tasks check
 * with the same functions, so each rule lives here once.
 */
import { IrisError } from '../errors';
import { checkCaptionPrompt } from './caption';
import { checkCaptionOptions, type CaptionOptions } from './generation-config';

export interface LabelOptions {
  templates?: readonly string[];
  topK?: number;
}

/** Labels to rank, the prompt templates and topK of a zero-shot request. */
export function checkClassifyArguments(labels: unknown, options: LabelOptions = {}): void {
  if (!Array.isArray(labels) || labels.length === 0) throw new IrisError('bad-input', 'Give at least one label to classify against.');
  const notText = labels.findIndex((label) => typeof label !== 'string');
  if (notText >= 0) throw new IrisError('bad-input', `Label ${notText} is ${describe(labels[notText])}, not a string.`);
  const { templates, topK } = options;
  if (templates !== undefined) {
    if (!Array.isArray(templates) || templates.length === 0) throw new IrisError('bad-input', 'Give at least one prompt template.');
    for (const t of templates) {
      if (typeof t !== 'string' || !t.includes('{label}')) throw new IrisError('bad-input', `Template ${JSON.stringify(t)} has no {label} placeholder.`);
    }
  }
  if (topK !== undefined && !(Number.isInteger(topK) && topK >= 1)) {
    throw new IrisError('bad-input', `topK must be a whole number of labels, 1 or more; got ${describe(topK)}.`, { hint: 'Leave it out to get every label.' });
  }
}

/** Texts to embed: at least one, each a string. */
export function checkTexts(texts: unknown): void {
  if (!Array.isArray(texts) || texts.length === 0) throw new IrisError('bad-input', 'Give at least one text to embed.');
  const notText = texts.findIndex((text) => typeof text !== 'string');
  if (notText >= 0) throw new IrisError('bad-input', `Text ${notText} is ${describe(texts[notText])}, not a string.`);
}

/**
 * The caller's decoding options: whole numbers where counts are meant, finite penalties (the same checks
 * run again when they are merged with the checkpoint's generation_config.json).
 */
export function checkCaptionArguments(options: CaptionOptions & { prompt?: unknown } = {}): void {
  if (typeof options !== 'object' || options === null) throw new IrisError('bad-input', `Caption options must be an object, got ${describe(options)}.`);
  checkCaptionOptions(options);
  if (options.prompt !== undefined) checkCaptionPrompt(options.prompt);
}

function describe(value: unknown): string {
  return typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
}
