/**
 * Each zero-shot model starts with labels and templates in its own language (the catalogue's `prompts`:
 * Chinese-CLIP's are Chinese). Text the user typed is kept: only the previous model's untouched defaults
 * (what the page was shown with) are replaced when the picker changes.
 */
import { ENGLISH_PROMPTS, promptsOf, type ModelPrompts } from '../worker/registry';

/** Non-empty trimmed lines (or comma-separated parts), as the tabs read their lists. */
const lines = (text: string, separators = /\n/): string => text.split(separators).map((s) => s.trim()).filter(Boolean).join('\n');

/** Follows `picker` (on change, and now); returns the update, for pickers refilled by code (no change event). */
export function followModelPrompts(picker: HTMLSelectElement, labels: HTMLTextAreaElement | null, templates: HTMLTextAreaElement): () => void {
  // The page's markup holds the English defaults.
  let shown: ModelPrompts = ENGLISH_PROMPTS;
  const apply = () => {
    const next = promptsOf(picker.value);
    if (next === shown) return;
    if (labels && lines(labels.value, /[\n,]/) === shown.labels.join('\n')) labels.value = next.labels.join('\n');
    const current = lines(templates.value);
    const untouched = [shown.templates.default, shown.templates.ensemble].some((t) => t.join('\n') === current);
    if (untouched) templates.value = next.templates.default.join('\n');
    shown = next;
  };
  picker.addEventListener('change', apply);
  apply();
  return apply;
}
