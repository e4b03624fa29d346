/**
 * The model pickers. Which model a task starts with:
 *   1. the one the person picked last time (localStorage);
 *   2. online: the real Hugging Face model (nothing downloads until they press Classify / Caption);
 *   3. offline: the Hub model if its weights are already on this device, else the bundled tiny model.
 */
import { DEFAULT_MODELS, MODELS, type CachedModel, type ModelEntry } from '../index';
import { element } from './dom';

export type Task = ModelEntry['task'];

const storageKey = (task: Task) => `iris.model.${task}`;

export function isCached(entry: ModelEntry, cached: readonly CachedModel[]): boolean {
  return cached.some((c) => c.complete && c.repo === entry.repo && (c.revision === entry.revision || c.requestedAs.includes(entry.revision)));
}

export function initialModel(task: Task, cached: readonly CachedModel[]): string {
  const remembered = safeStorage(() => localStorage.getItem(storageKey(task)));
  if (remembered && MODELS.some((m) => m.id === remembered && m.task === task)) return remembered;
  const hub = MODELS.find((m) => m.id === DEFAULT_MODELS[task])!;
  if (navigator.onLine || isCached(hub, cached)) return hub.id;
  return MODELS.find((m) => m.task === task && m.local)!.id;
}

export function rememberModel(task: Task, id: string): void {
  safeStorage(() => localStorage.setItem(storageKey(task), id));
}

/** Fills a <select> with the task's models, grouped by where they come from; keeps the selection. */
export function fillModelSelect(select: HTMLSelectElement, task: Task, cached: readonly CachedModel[], selected = select.value): void {
  const groups: [string, ModelEntry[]][] = [
    ['Hugging Face Hub (downloaded once)', MODELS.filter((m) => m.task === task && !m.local)],
    ['Bundled with the app (random weights, offline)', MODELS.filter((m) => m.task === task && m.local)],
  ];
  select.replaceChildren(
    ...groups.map(([label, entries]) => {
      const group = element('optgroup');
      group.label = label;
      for (const entry of entries) {
        const name = entry.local ? entry.label.replace(/ \(.*\)$/, '') : entry.label;
        const option = element('option', '', `${name} — ${entry.megabytes} MB${isCached(entry, cached) ? ' · on this device' : ''}`);
        option.value = entry.id;
        group.append(option);
      }
      return group;
    }),
  );
  if (selected) select.value = selected;
}

/** One sentence about the picked model. */
export function modelHint(id: string, cached: readonly CachedModel[]): string {
  const entry = MODELS.find((m) => m.id === id);
  if (!entry) return '';
  if (entry.local) return 'Random weights: the answers mean nothing, but every step runs on your GPU, offline.';
  return isCached(entry, cached)
    ? `${entry.repo}, already on this device: it loads without the network.`
    : `${entry.repo}: downloaded once from huggingface.co (about ${entry.megabytes} MB), then kept on this device.`;
}

export function modelLabel(id: string): string {
  return MODELS.find((m) => m.id === id)?.label.replace(/ \(.*\)$/, '') ?? id;
}

function safeStorage<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch {
    return null; // storage disabled (privacy settings): no memory of the choice
  }
}
