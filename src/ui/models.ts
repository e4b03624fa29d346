/**
 * The model pickers: the catalogue's models, the repositories the person entered ("Another repository…":
 * any Hub repo of a supported model type; its config.json says which model it is), and the bundled tiny ones.
 * Which model a task starts with:
 *   1. the one the person picked last time (localStorage);
 *   2. online: the real Hugging Face model (nothing downloads until they press Classify / Caption);
 *   3. offline: the Hub model if its weights are already on this device, else the bundled tiny model.
 */
import { DEFAULT_MODELS, MODELS, type CachedModel, type ModelEntry } from '../index';
import { parseRepoId, resolveModel } from '../worker/registry';
import { element, showError } from './dom';
import { t } from './i18n';

export type Task = ModelEntry['task'];

/** The option that opens the repository field (not a model id: it has no "/"). */
export const ANOTHER_REPOSITORY = 'another-repository';

const storageKey = (task: Task) => `iris.model.${task}`;
const reposKey = (task: Task) => `iris.repos.${task}`;

/** The repositories entered for `task` ("org/name[@revision]"), most recent first. */
export function enteredRepos(task: Task): string[] {
  const stored = safeStorage(() => JSON.parse(localStorage.getItem(reposKey(task)) ?? '[]') as unknown);
  if (!Array.isArray(stored)) return [];
  return stored.filter((id): id is string => typeof id === 'string' && isRepoId(id) && !MODELS.some((m) => m.id === id));
}

export function rememberRepo(task: Task, id: string): void {
  const repos = [id, ...enteredRepos(task).filter((r) => r !== id)];
  safeStorage(() => localStorage.setItem(reposKey(task), JSON.stringify(repos)));
}

function isRepoId(id: string): boolean {
  try {
    parseRepoId(id);
    return true;
  } catch {
    return false;
  }
}

/** What the cache holds of a repository at a revision: its complete record if there is one, else a partial one. */
function storedOf(entry: { repo: string; revision: string }, cached: readonly CachedModel[]): CachedModel | undefined {
  const records = cached.filter((c) => c.repo === entry.repo && (c.revision === entry.revision || c.requestedAs.includes(entry.revision)));
  return records.find((c) => c.complete) ?? records[0];
}

export function isCached(entry: ModelEntry, cached: readonly CachedModel[]): boolean {
  return storedOf(entry, cached)?.complete === true;
}

export function initialModel(task: Task, cached: readonly CachedModel[]): string {
  const remembered = safeStorage(() => localStorage.getItem(storageKey(task)));
  if (remembered && (MODELS.some((m) => m.id === remembered && m.task === task) || enteredRepos(task).includes(remembered))) return remembered;
  const hub = MODELS.find((m) => m.id === DEFAULT_MODELS[task])!;
  if (navigator.onLine || isCached(hub, cached)) return hub.id;
  return MODELS.find((m) => m.task === task && m.local)!.id;
}

export function rememberModel(task: Task, id: string): void {
  safeStorage(() => localStorage.setItem(storageKey(task), id));
}

/**
 * Fills a <select> with the task's models, grouped by where they come from, and the "Another repository…"
 * entry; keeps the selection. An entered repository shows its size once it is stored.
 */
export function fillModelSelect(select: HTMLSelectElement, task: Task, cached: readonly CachedModel[], selected = select.value): void {
  const option = (value: string, text: string) => Object.assign(element('option', '', text), { value });
  const withOptions = (label: string, options: HTMLOptionElement[]) => {
    const group = element('optgroup');
    group.label = label;
    group.append(...options);
    return group;
  };
  const catalogue = (entries: ModelEntry[]) => entries.map((entry) => {
    const name = entry.local ? entry.label.replace(/ \(.*\)$/, '') : entry.label;
    return option(entry.id, t('models.option', { name, mb: entry.megabytes }) + (isCached(entry, cached) ? t('models.onDevice') : ''));
  });
  const entered = enteredRepos(task).map((id) => {
    const stored = storedOf(parseRepoId(id), cached);
    return option(id, stored?.complete ? t('models.option', { name: id, mb: Math.round(stored.bytes / 1e6) }) + t('models.onDevice') : id);
  });
  select.replaceChildren(
    withOptions(t('models.hub'), [...catalogue(MODELS.filter((m) => m.task === task && !m.local)), ...entered, option(ANOTHER_REPOSITORY, t('models.another'))]),
    withOptions(t('models.bundled'), catalogue(MODELS.filter((m) => m.task === task && m.local))),
  );
  if (selected) select.value = selected;
}

/** One sentence about the picked model. */
export function modelHint(id: string, cached: readonly CachedModel[]): string {
  const entry = MODELS.find((m) => m.id === id);
  if (!entry) {
    if (!isRepoId(id)) return '';
    const stored = storedOf(parseRepoId(id), cached);
    return stored?.complete
      ? t('models.hintRepoCached', { repo: id, mb: Math.round(stored.bytes / 1e6) })
      : t('models.hintRepo', { repo: id });
  }
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

/**
 * "Another repository…" for one picker: choosing it shows a field (the picker keeps its model meanwhile);
 * what is typed is checked as a model id before anything downloads (a bad one says what is expected), then
 * `onPicked` gets it: a catalogue model of the task as itself, any other repository remembered for the task.
 * Whether it runs is known when it loads: its config.json names its model type (an unsupported one, or a
 * checkpoint of another task, is the load's error). Attach it before the picker's other change listeners.
 */
export function attachRepositoryEntry(select: HTMLSelectElement, task: () => Task, onPicked: (id: string) => void): void {
  const field = element('div', 'repo-entry');
  field.hidden = true;
  const input = element('input');
  Object.assign(input, { id: `${select.id}-repo`, type: 'text', placeholder: t('models.repoPlaceholder'), autocomplete: 'off', spellcheck: false });
  const label = element('label', '', t('models.repoLabel'));
  label.htmlFor = input.id;
  const use = Object.assign(element('button', '', t('models.repoUse')), { type: 'button' });
  const cancel = Object.assign(element('button', '', t('run.cancel')), { type: 'button' });
  const error = element('p', 'error');
  error.id = `${select.id}-repo-error`;
  error.setAttribute('role', 'alert');
  input.setAttribute('aria-describedby', error.id);
  field.append(label, input, use, cancel, error);
  select.after(field);

  let previous = select.value;
  const close = () => {
    field.hidden = true;
    error.textContent = '';
  };
  select.addEventListener('change', (event) => {
    if (select.value !== ANOTHER_REPOSITORY) {
      previous = select.value;
      return close();
    }
    event.stopImmediatePropagation(); // not a model: the picker keeps the last one until a repository is entered
    select.value = previous;
    field.hidden = false;
    input.focus();
  });
  const submit = () => {
    const id = input.value.trim();
    try {
      resolveModel(id, task()); // the format, or a catalogue model of another task
    } catch (e) {
      showError(error, e);
      return;
    }
    if (!MODELS.some((m) => m.id === id)) rememberRepo(task(), id);
    input.value = '';
    close();
    onPicked(id);
  };
  use.addEventListener('click', submit);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      submit();
    } else if (event.key === 'Escape') close();
  });
  cancel.addEventListener('click', () => {
    close();
    select.focus();
  });
}
