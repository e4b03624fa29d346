/** The cache manager: the models whose weights are in IndexedDB, their sizes, and deleting them. */
import { MODELS, type CachedModel, type Iris } from '../index';
import { formatBytes } from '../components/format';
import { byId, describeError, element } from './dom';
import { t } from './i18n';

export class CacheManager {
  private readonly rows = byId('cache-rows');
  private readonly total = byId('cache-total');
  private readonly clearButton = byId<HTMLButtonElement>('cache-clear');
  private models: CachedModel[] = [];

  constructor(private readonly iris: Iris, private readonly onChange: (models: CachedModel[], removed: CachedModel[]) => void) {
    this.clearButton.addEventListener('click', () => void this.remove(this.models, () => iris.cache.clear()));
  }

  get list(): readonly CachedModel[] {
    return this.models;
  }

  async refresh(): Promise<CachedModel[]> {
    try {
      this.models = await this.iris.cache.list();
    } catch (error) {
      this.total.textContent = t('cache.unreadable', { error: describeError(error) });
      return this.models;
    }
    this.rows.replaceChildren(...this.models.map((model) => this.row(model)));
    if (this.models.length === 0) {
      const cell = element('td', 'empty', t('cache.empty'));
      cell.colSpan = 4;
      const row = element('tr');
      row.append(cell);
      this.rows.append(row);
    }
    const bytes = this.models.reduce((sum, m) => sum + m.bytes, 0);
    let text = t('cache.total', { n: this.models.length, size: formatBytes(bytes) });
    const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
    if (estimate?.quota) text += t('cache.quota', { quota: formatBytes(estimate.quota) });
    this.total.textContent = text;
    this.clearButton.disabled = this.models.length === 0;
    return this.models;
  }

  private row(model: CachedModel): HTMLTableRowElement {
    const name = MODELS.find((m) => m.repo === model.repo)?.label.replace(/ \(.*\)$/, '') ?? model.repo;
    const row = element('tr');
    const title = element('td');
    title.append(element('span', 'model-name', name), element('span', 'repo', model.repo));
    title.translate = false; // names: the model's and its repo's
    const revision = /^[0-9a-f]{40}$/.test(model.revision) ? model.revision.slice(0, 7) : model.revision;
    const size = element('td', 'num', formatBytes(model.bytes + model.partialBytes));
    if (!model.complete) size.append(element('span', 'repo', t('cache.partial')));
    const remove = element('button', 'small', t('cache.delete'));
    remove.type = 'button';
    remove.setAttribute('aria-label', t('cache.deleteLabel', { name, size: formatBytes(model.bytes) }));
    remove.addEventListener('click', () => void this.remove([model], () => this.iris.cache.delete(model.repo, model.revision)));
    const actions = element('td', 'actions-cell');
    actions.append(remove);
    const revisionCell = element('td', 'revision', revision);
    revisionCell.translate = false; // a git ref or commit
    row.append(title, revisionCell, size, actions);
    return row;
  }

  private async remove(models: CachedModel[], action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.total.textContent = t('cache.deleteFailed', { error: describeError(error) });
      return;
    }
    await this.refresh();
    this.onChange(this.models, models);
    this.clearButton.focus();
  }
}
