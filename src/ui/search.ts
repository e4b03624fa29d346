/**
 * The search tab: index a folder of photos with the zero-shot (CLIP) model, then find them by text or by
 * "more like this". The vectors live in the library's IndexedDB index (one per model), committed in small
 * batches, so a cancelled run or a closed tab keeps what was done and the next run embeds only the rest.
 * The picked Files stay in a Map by key for thumbnails; after a reload the keys without a File show a
 * placeholder. The tab's markup is made here, appended to the task tablist before setupTabs runs.
 */
import './search.css';
import { isIrisError, type Iris, type IndexAddProgress, type IndexAddResult, type IndexHit, type IrisIndex, type SkipReason } from '../index';
import { formatMs } from '../components/format';
import { fileVersion } from '../retrieval/items';
import { byId, describeError, element, showError } from './dom';
import { t } from './i18n';
import { LoadProgressView } from './load-progress';
import { ANOTHER_REPOSITORY, modelLabel } from './models';
import { droppedFiles, walkHandle, type Picked } from './picked-files';

const BATCH = 8;
const TOP_K = 24;
const reason = (r: SkipReason) => t(`search.reason.${r}`);

const panelHtml = () => `
  <div class="field">
    <label for="search-model">${t('html.search.model')}</label>
    <select id="search-model"></select>
  </div>
  <div id="search-drop" class="search-drop">
    <p>${t('search.drop')}</p>
    <div class="actions">
      <button type="button" id="search-folder">${t('search.chooseFolder')}</button>
      <input type="file" id="search-folder-input" webkitdirectory multiple hidden />
      <button type="button" id="search-files">${t('search.choosePhotos')}</button>
      <input type="file" id="search-files-input" multiple accept="image/*" hidden />
    </div>
    <p class="hint">${t('search.privacy')}</p>
  </div>
  <div class="search-progress" id="search-progress" hidden>
    <div class="load-step">
      <span class="load-name" id="search-progress-label">${t('search.indexing')}</span>
      <span class="load-detail" id="search-progress-text"></span>
      <progress id="search-bar" max="1" value="0" aria-labelledby="search-progress-label"></progress>
    </div>
    <button type="button" id="search-cancel" class="small" hidden>${t('run.cancel')}</button>
  </div>
  <div class="load" id="search-load"></div>
  <p class="timing" id="search-summary" role="status"></p>
  <details id="search-skipped" hidden><summary>${t('search.skippedFiles')}</summary><ul></ul></details>
  <p id="search-error" class="error" role="alert"></p>
  <div class="search-index-row">
    <p class="hint" id="search-size"></p>
    <button type="button" id="search-resume" class="small" hidden>${t('search.resume')}</button>
    <button type="button" id="search-clear" class="small">${t('search.clear')}</button>
  </div>
  <form class="search-query" id="search-form" role="search">
    <label for="search-text" class="visually-hidden">${t('search.queryLabel')}</label>
    <input type="search" id="search-text" placeholder="${t('search.placeholder')}" autocomplete="off" enterkeyhint="search" />
    <button type="submit" class="primary" id="search-run">${t('search.run')}</button>
  </form>
  <p class="timing" id="search-timing" role="status"></p>
  <ol class="search-grid" id="search-results" aria-label="${t('search.results')}"></ol>
`;

export function setupSearch(iris: Iris, zeroShotModel: HTMLSelectElement, onLoaded: (model: string) => void): void {
  // Markup: one more tab and its panel in the task card.
  const tablist = byId('tasks').querySelector<HTMLElement>('[role="tablist"]')!;
  const tab = element('button', '', t('tab.search'));
  Object.assign(tab, { type: 'button', id: 'tab-search', tabIndex: -1 });
  tab.setAttribute('role', 'tab');
  tab.setAttribute('aria-controls', 'panel-search');
  tab.setAttribute('aria-selected', 'false');
  tablist.append(tab);
  const panel = element('div', 'panel search-panel');
  Object.assign(panel, { id: 'panel-search', hidden: true });
  panel.setAttribute('role', 'tabpanel');
  panel.setAttribute('aria-labelledby', 'tab-search');
  panel.innerHTML = panelHtml();
  byId('tasks').append(panel);

  const model = byId<HTMLSelectElement>('search-model');
  const folderInput = byId<HTMLInputElement>('search-folder-input');
  const filesInput = byId<HTMLInputElement>('search-files-input');
  const drop = byId('search-drop');
  const progress = byId('search-progress');
  const bar = byId<HTMLProgressElement>('search-bar');
  const progressText = byId('search-progress-text');
  const summary = byId('search-summary');
  const skippedBox = byId<HTMLDetailsElement>('search-skipped');
  const error = byId('search-error');
  const sizeText = byId('search-size');
  const resume = byId<HTMLButtonElement>('search-resume');
  const form = byId<HTMLFormElement>('search-form');
  const query = byId<HTMLInputElement>('search-text');
  const timing = byId('search-timing');
  const results = byId<HTMLOListElement>('search-results');
  const load = new LoadProgressView(byId('search-load'), 'search-load');
  const cancel = byId<HTMLButtonElement>('search-cancel');

  // The model picker mirrors the zero-shot tab's (same options, same choice, both ways).
  const mirror = () => {
    model.replaceChildren(...[...zeroShotModel.children].map((node) => node.cloneNode(true)));
    model.querySelector(`option[value="${ANOTHER_REPOSITORY}"]`)?.remove(); // repositories are entered on the zero-shot tab
    model.value = zeroShotModel.value;
  };
  mirror();
  new MutationObserver(mirror).observe(zeroShotModel, { childList: true, subtree: true });
  zeroShotModel.addEventListener('change', () => {
    if (model.value !== zeroShotModel.value) {
      model.value = zeroShotModel.value;
      results.replaceChildren();
      void openCurrent().catch((e: unknown) => showError(error, e));
    }
  });
  model.addEventListener('change', () => {
    zeroShotModel.value = model.value;
    zeroShotModel.dispatchEvent(new Event('change'));
    results.replaceChildren();
    summary.textContent = timing.textContent = '';
    void openCurrent().catch((e: unknown) => showError(error, e));
  });

  /** Picked Files by key, with their object URLs (made when first shown). */
  const files = new Map<string, { file: File; url?: string }>();
  let lastPicked: Picked[] = [];
  let index: IrisIndex | null = null;
  let running: AbortController | null = null;

  const indexName = (id: string) => `demo-photos:${id}`;
  const showSize = () => {
    const n = index?.size ?? 0;
    sizeText.textContent = t('search.size', { n, model: modelLabel(model.value) });
  };

  async function openCurrent(): Promise<IrisIndex> {
    const id = model.value;
    if (index?.model !== id || index.name !== indexName(id)) index = await iris.index(indexName(id), { model: id });
    showSize();
    return index;
  }

  async function add(picked: Picked[]): Promise<void> {
    if (running) return;
    if (picked.length === 0) {
      error.textContent = t('search.noFiles');
      return;
    }
    lastPicked = picked;
    for (const { key, file } of picked) {
      const old = files.get(key);
      if (old?.url && old.file !== file) URL.revokeObjectURL(old.url);
      if (old?.file !== file) files.set(key, { file });
    }
    const controller = new AbortController();
    running = controller;
    model.disabled = true;
    error.textContent = '';
    summary.textContent = '';
    skippedBox.hidden = true;
    resume.hidden = true;
    progress.hidden = false;
    cancel.hidden = false;
    bar.value = 0;
    progressText.textContent = t('search.progress', { done: 0, total: picked.length });
    const started = performance.now();
    let embeddingStarted = 0;
    const onProgress = (p: IndexAddProgress) => {
      const now = performance.now();
      if (!embeddingStarted) embeddingStarted = started;
      bar.value = p.total ? p.processed / p.total : 1;
      const seconds = (now - embeddingStarted) / 1000;
      const rate = seconds > 0 ? p.embedded / seconds : 0;
      const perItem = p.processed > 0 ? seconds / p.processed : 0;
      const left = (p.total - p.processed) * perItem;
      progressText.textContent = t('search.progress', { done: p.processed, total: p.total }) + (rate > 0 ? t('search.rate', { rate: rate.toFixed(1) }) : '') +
        (p.processed < p.total && perItem > 0 ? t('search.left', { time: formatSeconds(left) }) : '');
      sizeText.textContent = t('search.size', { n: p.size, model: modelLabel(model.value) });
    };
    try {
      const target = await openCurrent();
      load.start();
      const items = picked.map(({ key, file }) => ({ key, image: file, version: fileVersion(file) }));
      const result = await target.add(items, {
        signal: controller.signal,
        batchSize: BATCH,
        onProgress,
        onModelProgress: (event) => {
          load.update(event);
          if (event.phase === 'ready') {
            embeddingStarted = performance.now();
            onLoaded(event.model);
          }
        },
      });
      bar.value = 1;
      summary.textContent = describeResult(result);
      showSkipped(result);
      progressText.textContent = t('search.done', { done: result.added + result.updated + result.unchanged, total: picked.length });
    } catch (e) {
      load.stop();
      if (isIrisError(e, 'aborted')) {
        summary.textContent = t('search.cancelled', { n: index?.size ?? 0 });
        resume.hidden = false;
      } else showError(error, e);
      progress.hidden = true;
    } finally {
      running = null;
      cancel.hidden = true;
      model.disabled = false;
      if (index) showSize();
    }
  }

  function describeResult(r: IndexAddResult): string {
    const parts = [t('search.added', { n: r.added })];
    if (r.updated) parts.push(t('search.changed', { n: r.updated }));
    if (r.unchanged) parts.push(t('search.unchanged', { n: r.unchanged }));
    const skipped = Object.entries(r.skippedByReason).filter(([, n]) => n > 0).map(([why, n]) => `${n} ${reason(why as SkipReason)}`);
    if (r.skipped.length) parts.push(t('search.skipped', { n: r.skipped.length, reasons: skipped.join(', ') }));
    const rate = r.imagesPerSecond > 0 ? t('search.rate', { rate: r.imagesPerSecond.toFixed(1) }) : '';
    return t('search.summary', { parts: parts.join(' · '), ms: formatMs(r.ms), rate });
  }

  function showSkipped(r: IndexAddResult): void {
    const list = skippedBox.querySelector('ul')!;
    const items = document.createDocumentFragment(); // appended one by one: a folder may skip 100,000 files
    for (const s of r.skipped) {
      const item = element('li');
      item.append(element('strong', '', s.key), t('search.skippedItem', { reason: reason(s.reason), message: s.message }));
      items.append(item);
    }
    list.replaceChildren(items);
    skippedBox.hidden = r.skipped.length === 0;
  }

  async function search(q: string | { key: string }): Promise<void> {
    error.textContent = '';
    try {
      const target = await openCurrent();
      if (target.size === 0) {
        error.textContent = t('search.empty');
        return;
      }
      load.start();
      const hits = await target.search(q, { topK: TOP_K, onModelProgress: (event) => load.update(event) });
      render(hits, typeof q === 'string' ? t('search.query', { q }) : t('search.like', { name: q.key }));
      const last = target.lastSearch;
      const what = typeof q === 'string' ? t('search.query', { q }) : t('search.like', { name: baseName(q.key) });
      timing.textContent = t('search.timing', { n: hits.length, total: target.size, what }) +
        (last ? t('search.timingMs', { ms: formatMs(last.ms), searchMs: formatMs(last.searchMs) }) : '');
    } catch (e) {
      load.stop();
      showError(error, e);
    }
  }

  function render(hits: IndexHit[], what: string): void {
    results.setAttribute('aria-label', t('search.resultsFor', { what }));
    results.replaceChildren(...hits.map((hit, rank) => {
      const item = element('li', 'search-hit');
      item.dataset.key = hit.key;
      item.dataset.score = String(hit.score);
      const name = baseName(hit.key);
      const entry = files.get(hit.key);
      if (entry) {
        entry.url ??= URL.createObjectURL(entry.file);
        const img = element('img');
        Object.assign(img, { src: entry.url, alt: name, loading: 'lazy', decoding: 'async' });
        item.append(img);
      } else {
        const placeholder = element('div', 'search-placeholder');
        placeholder.append(element('span', '', hit.key));
        placeholder.title = t('search.placeholderTitle');
        placeholder.setAttribute('role', 'img');
        placeholder.setAttribute('aria-label', t('search.placeholderLabel', { name }));
        item.append(placeholder);
      }
      const caption = element('div', 'search-caption');
      const score = element('span', 'search-score', hit.score.toFixed(3));
      score.title = t('search.score');
      caption.append(element('span', 'search-name', name), element('span', 'search-rank', `#${rank + 1}`), score);
      caption.title = hit.key;
      const more = element('button', 'small search-more', t('search.more'));
      more.type = 'button';
      more.setAttribute('aria-label', t('search.moreLabel', { name }));
      more.addEventListener('click', () => void search({ key: hit.key }));
      item.append(caption, more);
      return item;
    }));
  }

  // Picking: the folder button uses the File System Access API where the browser has it.
  type DirectoryPicker = () => Promise<FileSystemDirectoryHandle>;
  byId('search-folder').addEventListener('click', async () => {
    const picker = (window as unknown as { showDirectoryPicker?: DirectoryPicker }).showDirectoryPicker;
    if (!picker) return folderInput.click();
    try {
      const handle = await picker.call(window);
      await add(await walkHandle(handle, handle.name));
    } catch (e) {
      if ((e as Error)?.name !== 'AbortError') showError(error, e);
    }
  });
  byId('search-files').addEventListener('click', () => filesInput.click());
  for (const input of [folderInput, filesInput]) {
    input.addEventListener('change', () => {
      const picked = [...(input.files ?? [])].map((file) => ({ key: file.webkitRelativePath || file.name, file }));
      input.value = '';
      void add(picked);
    });
  }
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('dragging');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('dragging'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('dragging');
    const transfer = event.dataTransfer;
    if (transfer) void droppedFiles(transfer).then(add, (e: unknown) => showError(error, e));
  });

  cancel.addEventListener('click', () => running?.abort());
  resume.addEventListener('click', () => void add(lastPicked));
  byId('search-clear').addEventListener('click', async () => {
    if (running) return;
    const target = await openCurrent();
    await target.clear();
    results.replaceChildren();
    summary.textContent = timing.textContent = '';
    skippedBox.hidden = true;
    progress.hidden = true;
    showSize();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = query.value.trim();
    if (text) void search(text);
    else query.focus();
  });
  window.addEventListener('pagehide', () => running?.abort());

  void openCurrent().catch((e: unknown) => (sizeText.textContent = describeError(e)));
}

function baseName(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

function formatSeconds(s: number): string {
  if (s < 60) return t('time.seconds', { s: Math.max(1, Math.round(s)) });
  const m = Math.floor(s / 60);
  return m < 60 ? t('time.minutes', { m, s: Math.round(s % 60) }) : t('time.hours', { h: Math.floor(m / 60), m: m % 60 });
}
