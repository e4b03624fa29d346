/**
 * Prompt templates of a zero-shot model family: how a label becomes a sentence its text tower was trained on.
 * A family gives its own (Chinese-CLIP's are Chinese); CLIP's English ones are the default.
 */

export const DEFAULT_TEMPLATE = 'a photo of a {label}.';

/** The prompts a model family reads labels in: its default templates, a small ensemble, and their language. */
export interface PromptTemplates {
  /** Used when a request names no templates. */
  readonly default: readonly string[];
  /** Several phrasings averaged per label (prompt ensembling), for callers that ask for it. */
  readonly ensemble: readonly string[];
  /** BCP 47 language of the templates (and of the labels and queries the model understands). */
  readonly language: string;
}

/** CLIP's: "a photo of a {label}." and a few of the CLIP paper's ImageNet prompts (averaging them usually ranks better). */
export const ENGLISH_TEMPLATES: PromptTemplates = {
  default: [DEFAULT_TEMPLATE],
  ensemble: [DEFAULT_TEMPLATE, 'a drawing of a {label}.', 'a close-up photo of a {label}.', 'a photo of the small {label}.', 'a bright photo of a {label}.'],
  language: 'en',
};
