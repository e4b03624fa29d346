/**
 * The model pickers. Which model a task starts with:
 *   1. the one the person picked last time (localStorage);
 *   2. online: the real Hugging Face model (nothing downloads until they press Classify / Caption);
 *   3. offline: the Hub model if its weights are already on this device, else the bundled tiny model.
 */
import { DEFAULT_MODELS, MODELS, type CachedModel, type ModelEntry } from '../index';
import { element } from './dom';
import { t } from './i18n';

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
    [t('models.hub'), MODELS.filter((m) => m.task === task && !m.local)],
    [t('models.bundled'), MODELS.filter((m) => m.task === task && m.local)],
  ];
  select.replaceChildren(
    ...groups.map(([label, entries]) => {
      const group = element('optgroup');
      group.label = label;
      for (const entry of entries) {
        const name = entry.local ? entry.label.replace(/ \(.*\)$/, '') : entry.label;
        const option = element('option', '', t('models.option', { name, mb: entry.megabytes }) + (isCached(entry, cached) ? t('models.onDevice') : ''));
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
  if (entry.local) return t('models.hintLocal');
  return isCached(entry, cached)
    ? t('models.hintCached', { repo: entry.repo })
    : t('models.hintHub', { repo: entry.repo, mb: entry.megabytes });
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
