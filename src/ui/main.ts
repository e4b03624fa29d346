/**
 * The Iris demo: pick an image, then rank labels with CLIP (zero-shot tab) or caption it (caption tab). All
 * the work happens in the library's worker on this device's GPU; this file only wires the page together.
 */
import './app.css';
import { createIris, isIrisError, type CachedModel, type Iris } from '../index';
import { CacheManager } from './cache';
import { setupCaption } from './caption';
import { byId, describeError, element } from './dom';
import { setupLanguageSwitch, t, translatePage } from './i18n';
import { setupEvaluate } from './evaluate';
import { setupImageInput, type PickedImage } from './image-input';
import { attachRepositoryEntry, fillModelSelect, initialModel, modelHint, rememberModel, type Task } from './models';
import { setupAsk } from './ask';
import type { TaskRunner } from './task-runner';
import { registerServiceWorker, showNetworkState } from './pwa';
import { setupTabs } from './tabs';
import { setupViews } from './views';
import { setupZeroShot } from './zero-shot';
import { showUnavailable, webGpuProblem } from './unavailable';

declare global {
  interface Window {
    /** For the console and the browser tests: the demo's Iris and its current image. */
    irisDemo?: { iris: Iris; image(): Blob | null };
  }
}

translatePage();
setupLanguageSwitch(byId('language'));
registerServiceWorker();
showNetworkState();

const problem = await webGpuProblem();
if (problem) showUnavailable(problem);
else await start();

async function start(): Promise<void> {
  // ?hub=URL: models come from that Hub mirror or self-hosted copy (the library's baseUrl) instead of huggingface.co.
  const hub = new URLSearchParams(location.search).get('hub') ?? undefined;
  let iris: Iris;
  try {
    iris = await createIris({ baseUrl: hub });
  } catch (error) {
    showUnavailable(isIrisError(error, 'webgpu-unavailable') ? describeError(error) : t('unavailable.startFailed', { error: describeError(error) }));
    return;
  }
  for (const id of ['image-panel', 'tasks', 'cache']) byId(id).hidden = false;
  const adapter = await iris.adapter();
  // The adapter's name is the device's own (translate="no"), set apart from the sentence around it.
  const adapterName = element('span', 'adapter-name', adapter.description || `${adapter.vendor} ${adapter.architecture}`);
  adapterName.translate = false;
  const [before = '', after = ''] = t('footer.adapter', { name: '\n' }).split('\n');
  byId('adapter').replaceChildren(before, adapterName, after + t(adapter.f16 ? 'footer.f16' : 'footer.noF16') + (hub ? t('footer.hub', { hub }) : ''));

  const pickers: Record<Task, HTMLSelectElement> = { 'zero-shot': byId('zs-model'), caption: byId('cap-model'), vqa: byId('ask-model') };
  const hints: Record<Task, HTMLElement> = { 'zero-shot': byId('zs-model-hint'), caption: byId('cap-model-hint'), vqa: byId('ask-model-hint') };
  const refreshPickers = (cached: readonly CachedModel[]) => {
    for (const task of ['zero-shot', 'caption', 'vqa'] as const) {
      fillModelSelect(pickers[task], task, cached);
      hints[task].textContent = modelHint(pickers[task].value, cached);
    }
    evaluate.refreshModels(cached);
  };

  const cache = new CacheManager(iris, (models, removed) => {
    // Deleted models must load (download) again before a new image can run at once.
    for (const m of removed) for (const runner of [zeroShot, caption, ask]) for (const id of runner.loaded) if (id.startsWith(m.repo)) runner.loaded.delete(id);
    refreshPickers(models);
  });
  const cached = await cache.refresh();
  for (const task of ['zero-shot', 'caption', 'vqa'] as const) {
    fillModelSelect(pickers[task], task, cached, initialModel(task, cached));
    hints[task].textContent = modelHint(pickers[task].value, cached);
    attachRepositoryEntry(pickers[task], () => task, (id) => {
      fillModelSelect(pickers[task], task, cache.list, id);
      pickers[task].dispatchEvent(new Event('change'));
    });
    pickers[task].addEventListener('change', () => {
      rememberModel(task, pickers[task].value);
      hints[task].textContent = modelHint(pickers[task].value, cache.list);
    });
  }

  const onLoaded = () => void cache.refresh().then(refreshPickers);
  const evaluate = setupEvaluate({ iris, preferredModel: (task) => pickers[task].value, cached: () => cache.list, onLoaded });
  let picked: PickedImage | null = null;
  const image = () => picked;
  const zeroShot = setupZeroShot(iris, image, onLoaded);
  const caption = setupCaption(iris, image, onLoaded);
  const ask = setupAsk(iris, image, onLoaded);
  const runners: Record<Task, TaskRunner & { start(): Promise<void> }> = { 'zero-shot': zeroShot, caption, vqa: ask };
  const tabTasks: Record<string, Task> = { 'tab-zero-shot': 'zero-shot', 'tab-caption': 'caption', 'tab-ask': 'vqa' };
  let activeTask: Task = 'zero-shot';
  (await import('./search')).setupSearch(iris, pickers['zero-shot'], onLoaded); // the "Search" tab (adds its own markup)
  setupTabs(byId('tasks').querySelector('[role="tablist"]')!, (tab) => (activeTask = tabTasks[tab.id] ?? 'zero-shot'));

  const input = setupImageInput((next) => {
    picked = next;
    ask.clear(); // the questions and answers belong to the previous image
    // With the model already on the GPU a new image costs milliseconds: run the open tab's task at once.
    const runner = runners[activeTask];
    if (!runner.busy && runner.loaded.has(pickers[activeTask].value)) void runner.start();
  });
  setupViews();
  window.irisDemo = { iris, image: () => input.current()?.blob ?? null };
  document.body.dataset.ready = 'true';
}
