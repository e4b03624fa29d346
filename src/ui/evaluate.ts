/**
 * The Evaluate page: a model over a set of the person's images, against references.
 *
 *  - Captions: references from a COCO captions JSON; each image is captioned (the chosen decoding), then
 *    the worker scores them (iris.evaluateCaptions: BLEU-1..4, ROUGE-L, CIDEr-D as pycocoevalcap).
 *  - Zero-shot labels: true labels from folder names or a `file,label` CSV; each image is classified over
 *    the classes, then the worker computes top-1 / top-5 / mean per-class accuracy (iris.evaluateZeroShot).
 *
 * The loop runs here, one request per image, so the table and progress update as it goes and one
 * AbortSignal cancels it; the models and the metrics run in the worker, and the page stays responsive.
 * Cancelling scores the images done so far (marked as partial). Reading the files and checking them
 * against each other happens as soon as they are picked, so a malformed file is named before any run.
 */
import { IrisError, isIrisError, type CachedModel, type CaptionMetrics, type ClassificationMetrics, type Iris } from '../index';
import type { ImageId } from '../eval/caption-metrics';
import { parseCocoCaptions, type CocoImage } from '../eval/coco-captions';
import { cocoResultsJson, scoresJson } from '../eval/export';
import { FileIndex } from '../eval/file-names';
import { labelsFromFolders, parseLabelCsv, type LabeledSet } from '../eval/labels';
import { formatMs } from '../components/format';
import { followModelPrompts } from './prompt-defaults';
import { byId, clamp, DemoError, describeError, element, showError } from './dom';
import { t } from './i18n';
import { LoadProgressView } from './load-progress';
import { attachRepositoryEntry, fillModelSelect, modelLabel, type Task } from './models';
import { renderSortableTable, type Column } from './sortable-table';
import { parseList } from './zero-shot';

type Kind = 'captions' | 'labels';

interface PickedFile {
  file: File;
  /** The folder-relative path for a folder pick ("val/cat/1.jpg"), else the file name. */
  path: string;
}

interface CaptionItem {
  id: ImageId;
  path: string;
  file: File;
  references: string[];
}

interface LabelItem {
  path: string;
  file: File;
  label: string;
  labelIndex: number;
}

type Plan =
  | { kind: 'captions'; source: string; items: CaptionItem[]; unused: number; skipped: number }
  | { kind: 'labels'; source: string; items: LabelItem[]; classNames: string[]; unused: number };

/** A missing input: shown as a hint ("Choose the …"), not as an error. */
class MissingInput extends DemoError {}

const IMAGE_NAME = /\.(png|jpe?g|webp|gif|bmp|avif)$/i;

/** What the COCO caption evaluation has that this page does not compute, and why. */
export const NOT_COMPUTED = {
  METEOR: 'not computed: pycocoevalcap runs METEOR 1.5, a Java program, which a browser cannot run',
  SPICE: 'not computed: pycocoevalcap runs SPICE 1.0, a Java program (with Stanford CoreNLP), which a browser cannot run',
};

export interface EvaluateParts {
  iris: Iris;
  /** The model the Try page has picked for a task (the first choice here too). */
  preferredModel(task: Task): string;
  cached(): readonly CachedModel[];
  onLoaded(model: string): void;
}

export function setupEvaluate(parts: EvaluateParts): { refreshModels(cached: readonly CachedModel[]): void } {
  const { iris } = parts;
  const filesInput = byId<HTMLInputElement>('ev-files');
  const folderInput = byId<HTMLInputElement>('ev-folder');
  const cocoInput = byId<HTMLInputElement>('ev-coco');
  const subset = byId<HTMLInputElement>('ev-subset');
  const csvInput = byId<HTMLInputElement>('ev-csv');
  const classesInput = byId<HTMLTextAreaElement>('ev-classes');
  const templatesInput = byId<HTMLTextAreaElement>('ev-templates');
  const modelSelect = byId<HTMLSelectElement>('ev-model');
  const beams = byId<HTMLInputElement>('ev-beams');
  const maxTokens = byId<HTMLInputElement>('ev-max');
  const runButton = byId<HTMLButtonElement>('ev-run');
  const status = byId('ev-status');
  const progress = byId<HTMLProgressElement>('ev-progress');
  const error = byId('ev-error');
  const planText = byId('ev-plan');
  const imagesText = byId('ev-images');
  const load = new LoadProgressView(byId('ev-load'), 'ev-load');

  let picked: PickedFile[] = [];
  let ignored = 0;
  let controller: AbortController | null = null;
  let thumbnails: string[] = [];
  const chosenModel: Partial<Record<Task, string>> = {};

  const kind = (): Kind => (document.querySelector<HTMLInputElement>('input[name="ev-kind"]:checked')?.value === 'labels' ? 'labels' : 'captions');
  const task = (): Task => (kind() === 'labels' ? 'zero-shot' : 'caption');
  const labelSource = () => (document.querySelector<HTMLInputElement>('input[name="ev-label-source"]:checked')?.value === 'csv' ? 'csv' : 'folders');
  const decoding = () => (document.querySelector<HTMLInputElement>('input[name="ev-decoding"]:checked')?.value === 'beam' ? 'beam' : 'greedy');

  let followPrompts = () => {};
  const fillModels = (cached: readonly CachedModel[]) => {
    const current = task();
    fillModelSelect(modelSelect, current, cached, chosenModel[current] ?? parts.preferredModel(current));
    followPrompts();
  };
  attachRepositoryEntry(modelSelect, task, (id) => {
    fillModelSelect(modelSelect, task(), parts.cached(), id);
    modelSelect.dispatchEvent(new Event('change'));
  });
  modelSelect.addEventListener('change', () => (chosenModel[task()] = modelSelect.value));
  // A Chinese-CLIP model reads its class names (folder names, CSV labels) into its Chinese templates.
  followPrompts = followModelPrompts(modelSelect, null, templatesInput);

  // Which inputs show: the references and settings of the chosen kind.
  const syncForm = () => {
    const labels = kind() === 'labels';
    byId('ev-captions-input').hidden = labels;
    byId('ev-caption-settings').hidden = labels;
    byId('ev-labels-input').hidden = !labels;
    byId('ev-label-settings').hidden = !labels;
    byId('ev-csv-field').hidden = labelSource() !== 'csv';
    beams.disabled = decoding() !== 'beam';
    fillModels(parts.cached());
  };

  // Checks the inputs as soon as they change: a malformed file is named before anything runs.
  let checking = 0;
  const check = async () => {
    const ticket = ++checking;
    let hint = '';
    let problem: unknown = null;
    try {
      hint = describePlan(await plan());
    } catch (e) {
      // A missing input is a hint ("Choose the …"); anything else is an error that names the problem.
      if (e instanceof MissingInput) hint = e.message;
      else problem = e;
    }
    if (ticket !== checking || controller) return;
    planText.textContent = hint;
    if (problem === null) error.textContent = '';
    else showError(error, problem);
  };

  const onPick = (input: HTMLInputElement, fromFolder: boolean) => {
    const files = [...(input.files ?? [])];
    const images = files.filter((f) => f.type.startsWith('image/') || IMAGE_NAME.test(f.name));
    ignored = files.length - images.length;
    picked = images.map((file) => ({ file, path: (fromFolder && file.webkitRelativePath) || file.name }));
    imagesText.textContent = picked.length === 0 ? t('ev.noImages') :
      t('ev.picked', { n: picked.length }) + (fromFolder ? t('ev.pickedFolder', { folder: picked[0]!.path.split('/')[0]! }) : '') +
      (ignored ? t('ev.ignored', { n: ignored }) : '') + t('ev.sentenceEnd');
    input.value = ''; // picking the same files again still fires `change`
    void check();
  };

  byId('ev-choose-files').addEventListener('click', () => filesInput.click());
  byId('ev-choose-folder').addEventListener('click', () => folderInput.click());
  filesInput.addEventListener('change', () => onPick(filesInput, false));
  folderInput.addEventListener('change', () => onPick(folderInput, true));
  for (const input of [cocoInput, csvInput, subset]) input.addEventListener('change', () => void check());
  classesInput.addEventListener('change', () => void check());
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="ev-kind"], input[name="ev-label-source"], input[name="ev-decoding"]')) {
    radio.addEventListener('change', () => {
      syncForm();
      void check();
    });
  }
  syncForm();

  /** The run as it will happen, or an IrisError('bad-input') that names what is wrong. */
  async function plan(): Promise<Plan> {
    if (picked.length === 0) throw new MissingInput('bad-input', t('ev.needImages'));
    const paths = picked.map((p) => p.path);
    const fileOf = new Map(picked.map((p) => [p.path.replaceAll('\\', '/'), p.file]));
    if (kind() === 'captions') {
      const refs = cocoInput.files?.[0];
      if (!refs) throw new MissingInput('bad-input', t('ev.needCoco'));
      const text = await refs.text();
      let images: CocoImage[];
      let skipped = 0;
      if (subset.checked) {
        const index = new FileIndex(paths);
        images = [];
        for (const image of parseCocoCaptions(text, { name: refs.name })) {
          const matches = index.matches(image.fileName);
          if (matches.length > 1) throw new DemoError('bad-input', t('ev.ambiguous', { file: refs.name, name: image.fileName, id: JSON.stringify(image.id), matches: matches.slice(0, 3).join(', ') }));
          if (matches.length === 0) skipped++;
          else images.push({ ...image, file: matches[0] });
        }
        if (images.length === 0) throw new DemoError('bad-input', t('ev.noneMatch', { file: refs.name, n: skipped, picked: paths.length }));
      } else {
        try {
          images = parseCocoCaptions(text, { name: refs.name, files: paths });
        } catch (e) {
          if (e instanceof IrisError && /is not among the/.test(e.message)) {
            throw new DemoError('bad-input', describeError(e) + t('ev.notPicked'), { cause: e });
          }
          throw e;
        }
      }
      const items = images.map((image) => ({ id: image.id, path: image.file!, file: fileOf.get(image.file!)!, references: image.captions }));
      return { kind: 'captions', source: refs.name, items, unused: paths.length - items.length, skipped };
    }

    const classes = parseList(classesInput.value);
    const options = classes.length ? { classNames: classes } : {};
    let set: LabeledSet;
    let source: string;
    if (labelSource() === 'csv') {
      const csv = csvInput.files?.[0];
      if (!csv) throw new MissingInput('bad-input', t('ev.needCsv'));
      set = parseLabelCsv(await csv.text(), { ...options, name: csv.name, files: paths });
      source = csv.name;
    } else {
      try {
        set = labelsFromFolders(paths, options);
      } catch (e) {
        if (e instanceof IrisError && /not inside a class folder/.test(e.message)) {
          throw new DemoError('bad-input', describeError(e) + t('ev.notInFolder'), { cause: e });
        }
        throw e;
      }
      source = t('ev.folderNames');
    }
    const items = set.images.map((image) => ({ ...image, path: image.file, file: fileOf.get(image.file.replaceAll('\\', '/'))! }));
    return { kind: 'labels', source, items, classNames: set.classNames, unused: paths.length - items.length };
  }

  runButton.addEventListener('click', () => {
    if (controller) controller.abort();
    else void run();
  });

  async function run(): Promise<void> {
    error.textContent = '';
    let p: Plan;
    try {
      p = await plan();
    } catch (e) {
      showError(error, e);
      return;
    }
    const runTask = task();
    const model = modelSelect.value;
    controller = new AbortController();
    const { signal } = controller;
    runButton.textContent = t('run.cancel');
    runButton.classList.add('cancel');
    byId('ev-results').hidden = true;
    progress.hidden = false;
    progress.max = p.items.length;
    progress.value = 0;
    try {
      status.textContent = t('ev.loading', { model: modelLabel(model) });
      load.start();
      await iris.load(model, runTask, { signal, onProgress: (event) => load.update(event) });
      parts.onLoaded(model);
      // Timings from here: per image, without the model load (which has its own line).
      const work = { started: performance.now(), signal, model };
      if (p.kind === 'captions') await runCaptions(p, work);
      else await runLabels(p, work);
    } catch (e) {
      load.stop();
      status.textContent = '';
      if (isIrisError(e, 'aborted')) error.textContent = t('ev.cancelledNone');
      else showError(error, e);
    } finally {
      controller = null;
      runButton.textContent = t('ev.run');
      runButton.classList.remove('cancel');
      progress.hidden = true;
    }
  }

  interface Work {
    started: number;
    signal: AbortSignal;
    model: string;
  }

  /**
   * Runs `each` over the items in order, with progress. A cancel stops it: it returns how many were done
   * (the caller scores those); with none done the cancel propagates. An image that fails stops the run,
   * its error naming the file.
   */
  async function forEachImage<T extends { path: string }>(items: readonly T[], work: Work, verb: 'ev.captioning' | 'ev.classifying', each: (item: T) => Promise<void>): Promise<{ done: number; cancelled: boolean }> {
    for (const [i, item] of items.entries()) {
      const elapsed = performance.now() - work.started;
      status.textContent = t(verb, { i: i + 1, n: items.length, path: item.path }) + (i > 0 ? t('ev.perImage', { ms: formatMs(elapsed / i) }) : '');
      try {
        await each(item);
      } catch (e) {
        if (isIrisError(e, 'aborted') && i > 0) return { done: i, cancelled: true };
        if (isIrisError(e, 'aborted')) throw e;
        throw new DemoError(isIrisError(e) ? e.code : 'bad-input', `${item.path}: ${describeError(e)}`, { cause: e });
      }
      progress.value = i + 1;
    }
    return { done: items.length, cancelled: false };
  }

  async function runCaptions(p: Extract<Plan, { kind: 'captions' }>, work: Work): Promise<void> {
    const numBeams = decoding() === 'beam' ? clamp(beams.valueAsNumber, 2, 8, 3) : 1;
    const maxNewTokens = clamp(maxTokens.valueAsNumber, 1, 64, 20);
    const predictions: string[] = [];
    const { done, cancelled } = await forEachImage(p.items, work, 'ev.captioning', async (item) => {
      const result = await iris.caption(item.file, { model: work.model, numBeams, maxNewTokens, signal: work.signal });
      predictions.push(result.text);
    });
    const items = p.items.slice(0, done);
    status.textContent = t('ev.scoringCaptions', { n: done });
    // Scoring after a cancel is the point of stopping early, so it does not take the cancelled signal.
    const metrics = await iris.evaluateCaptions(
      items.map((item, i) => ({ imageId: item.id, references: item.references, candidate: predictions[i]! })),
      cancelled ? {} : { signal: work.signal },
    );
    const ms = performance.now() - work.started;
    status.textContent = '';
    const settings = numBeams > 1 ? t('ev.beamSettings', { n: numBeams }) : t('ev.greedy');
    showCaptionResults({ plan: p, items, predictions, metrics, model: work.model, numBeams, maxNewTokens, cancelled, ms, settings });
  }

  async function runLabels(p: Extract<Plan, { kind: 'labels' }>, work: Work): Promise<void> {
    const templates = parseList(templatesInput.value);
    const classes = p.classNames;
    const column = new Map(classes.map((c, i) => [c, i]));
    const rows: Float32Array[] = [];
    const { done, cancelled } = await forEachImage(p.items, work, 'ev.classifying', async (item) => {
      const result = await iris.classify(item.file, classes, { model: work.model, templates: templates.length ? templates : undefined, signal: work.signal });
      const row = new Float32Array(classes.length);
      for (const { label, score } of result.labels) row[column.get(label)!] = score;
      rows.push(row);
    });
    const items = p.items.slice(0, done);
    status.textContent = t('ev.scoring');
    const metrics = await iris.evaluateZeroShot(rows, items.map((item) => item.labelIndex), cancelled ? {} : { signal: work.signal });
    status.textContent = '';
    showLabelResults({ plan: p, items, rows, metrics, model: work.model, templates, cancelled, ms: performance.now() - work.started });
  }

  // Results ----------------------------------------------------------------------------------------------

  function resetResults(kind: Kind, title: string, summary: string, cancelled: boolean, total: number, done: number) {
    for (const url of thumbnails) URL.revokeObjectURL(url);
    thumbnails = [];
    byId('ev-results-title').textContent = title;
    byId('ev-summary').textContent = (cancelled ? t('ev.cancelledAfter', { done, total }) : '') + summary;
    byId('ev-results').hidden = false;
    byId('ev-results').dataset.partial = String(cancelled);
    byId('ev-results').dataset.kind = kind;
    byId('ev-table').dataset.kind = kind;
  }

  function showMetrics(entries: [key: string, name: string, value: number, text: string][]) {
    byId('ev-metrics').replaceChildren(
      ...entries.map(([key, name, value, text]) => {
        const item = element('div', 'metric');
        item.dataset.metric = key;
        const dd = element('dd', 'metric-value', text);
        dd.dataset.value = String(value);
        item.append(element('dt', 'metric-name', name), dd);
        return item;
      }),
    );
  }

  function thumbnail(file: File, path: string): HTMLElement {
    const url = URL.createObjectURL(file);
    thumbnails.push(url);
    const figure = element('div', 'ev-image');
    const img = element('img');
    img.src = url;
    img.alt = '';
    img.loading = 'lazy';
    img.width = 64;
    img.height = 48;
    figure.append(img, element('span', 'ev-path', path));
    return figure;
  }

  function exportButtons(files: [label: string, name: string, text: () => string][]) {
    byId('ev-exports').replaceChildren(
      ...files.map(([label, name, text]) => {
        const button = element('button', 'small', label);
        button.type = 'button';
        button.dataset.file = name;
        button.addEventListener('click', () => download(name, text()));
        return button;
      }),
    );
  }

  function showCaptionResults(r: {
    plan: Extract<Plan, { kind: 'captions' }>; items: CaptionItem[]; predictions: string[]; metrics: CaptionMetrics;
    model: string; numBeams: number; maxNewTokens: number; cancelled: boolean; ms: number; settings: string;
  }) {
    const n = r.items.length;
    resetResults('captions', t('ev.captionScores'), t('ev.captionSummary', {
      model: modelLabel(r.model), settings: r.settings, max: r.maxNewTokens, n, source: r.plan.source, ms: formatMs(r.ms), perImage: formatMs(r.ms / n),
    }), r.cancelled, r.plan.items.length, n);
    const c = r.metrics.corpus;
    showMetrics([
      ['bleu1', 'BLEU-1', c.bleu1, c.bleu1.toFixed(3)], ['bleu2', 'BLEU-2', c.bleu2, c.bleu2.toFixed(3)],
      ['bleu3', 'BLEU-3', c.bleu3, c.bleu3.toFixed(3)], ['bleu4', 'BLEU-4', c.bleu4, c.bleu4.toFixed(3)],
      ['rougeL', 'ROUGE-L', c.rougeL, c.rougeL.toFixed(3)], ['ciderD', 'CIDEr-D', c.ciderD, c.ciderD.toFixed(3)],
    ]);
    byId('ev-not-computed').textContent = t('ev.notComputed');

    const rows = r.items.map((item, i) => ({ index: i, item, prediction: r.predictions[i]!, scores: r.metrics.perImage[i]! }));
    const base = `captions_${slug(r.model)}`;
    exportButtons([
      [t('ev.downloadResults'), `${base}_results.json`, () => cocoResultsJson(rows.map((row) => ({ imageId: row.item.id, caption: row.prediction })))],
      [t('ev.downloadScores'), `${base}_scores.json`, () => scoresJson({
        task: 'captions', model: r.model, references: r.plan.source, decoding: { numBeams: r.numBeams, maxNewTokens: r.maxNewTokens },
        images: n, complete: !r.cancelled,
        metrics: { Bleu_1: c.bleu1, Bleu_2: c.bleu2, Bleu_3: c.bleu3, Bleu_4: c.bleu4, ROUGE_L: c.rougeL, CIDEr: c.ciderD },
        notComputed: NOT_COMPUTED,
        perImage: rows.map(({ item, prediction, scores: s }) => ({
          image_id: item.id, file_name: item.path, caption: prediction,
          Bleu_1: s.bleu1, Bleu_2: s.bleu2, Bleu_3: s.bleu3, Bleu_4: s.bleu4, ROUGE_L: s.rougeL, CIDEr: s.ciderD,
        })),
      })],
    ]);

    type Row = (typeof rows)[number];
    const columns: Column<Row>[] = [
      { key: 'image', title: t('ev.col.image'), cell: (row) => thumbnail(row.item.file, row.item.path), sortValue: (row) => row.index, ascending: t('ev.fileOrder'), descending: t('ev.reverseOrder') },
      {
        key: 'cider', title: 'CIDEr-D', numeric: true, cell: (row) => row.scores.ciderD.toFixed(3), sortValue: (row) => row.scores.ciderD,
        ascending: t('ev.worstCider'), descending: t('ev.bestCider'),
      },
      { key: 'prediction', title: t('ev.col.prediction'), cell: (row) => element('span', 'ev-prediction', row.prediction || t('ev.emptyPrediction')) },
      {
        key: 'references', title: t('ev.col.references'), cell: (row) => {
          const list = element('ul', 'ev-references');
          list.append(...row.item.references.map((ref) => element('li', '', ref)));
          return list;
        },
      },
    ];
    renderSortableTable(byId<HTMLTableElement>('ev-table'), columns, rows, t('ev.captionTable'),
      { key: 'cider', direction: 'ascending' },
      (row) => ({ imageId: JSON.stringify(row.item.id), cider: String(row.scores.ciderD) }), byId('ev-table-note'));
  }

  function showLabelResults(r: {
    plan: Extract<Plan, { kind: 'labels' }>; items: LabelItem[]; rows: Float32Array[]; metrics: ClassificationMetrics;
    model: string; templates: string[]; cancelled: boolean; ms: number;
  }) {
    const classes = r.plan.classNames;
    const n = r.items.length;
    resetResults('labels', t('ev.accuracy'), t('ev.labelSummary', {
      model: modelLabel(r.model), classes: classes.length, source: r.plan.source, n, ms: formatMs(r.ms), perImage: formatMs(r.ms / n),
    }), r.cancelled, r.plan.items.length, n);
    const m = r.metrics;
    const percent = (v: number) => `${(v * 100).toFixed(1)}%`;
    showMetrics([
      ['top1', t('ev.top1'), m.top1, percent(m.top1)],
      ['top5', t('ev.top5'), m.top5, percent(m.top5)],
      ['meanPerClass', t('ev.meanPerClass'), m.meanPerClassAccuracy, percent(m.meanPerClassAccuracy)],
    ]);
    byId('ev-not-computed').textContent = classes.length <= 5 ? t('ev.top5Trivial', { n: classes.length }) : '';

    const rows = r.items.map((item, i) => {
      const scores = r.rows[i]!;
      // Ties rank the lower class index first, as eval's classificationMetrics does.
      let predicted = 0;
      for (let c = 1; c < scores.length; c++) if (scores[c]! > scores[predicted]!) predicted = c;
      const top5 = [...scores.keys()].sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, 5);
      return { index: i, item, predicted, scores, top5, trueScore: scores[item.labelIndex]! };
    });
    const base = `zero-shot_${slug(r.model)}`;
    exportButtons([
      [t('ev.downloadPredictions'), `${base}_predictions.json`, () => scoresJson(rows.map((row) => ({
        file: row.item.path, label: row.item.label, predicted: classes[row.predicted],
        top5: row.top5.map((c) => ({ label: classes[c], score: row.scores[c] })),
      })))],
      [t('ev.downloadScores'), `${base}_scores.json`, () => scoresJson({
        task: 'zero-shot', model: r.model, labels: r.plan.source, templates: r.templates, classes, images: n, complete: !r.cancelled,
        metrics: { top1: m.top1, top5: m.top5, meanPerClassAccuracy: m.meanPerClassAccuracy },
        perImage: rows.map((row) => ({ file: row.item.path, label: row.item.label, predicted: classes[row.predicted], correct: row.predicted === row.item.labelIndex, trueLabelScore: row.trueScore })),
      })],
    ]);

    type Row = (typeof rows)[number];
    const columns: Column<Row>[] = [
      { key: 'image', title: t('ev.col.image'), cell: (row) => thumbnail(row.item.file, row.item.path), sortValue: (row) => row.index, ascending: t('ev.fileOrder'), descending: t('ev.reverseOrder') },
      { key: 'true', title: t('ev.col.true'), cell: (row) => row.item.label },
      {
        key: 'predicted', title: t('ev.col.predicted'), cell: (row) => {
          const right = row.predicted === row.item.labelIndex;
          const span = element('span', right ? 'ev-right' : 'ev-wrong', `${right ? '✓' : '✗'} ${classes[row.predicted]} (${percent(row.scores[row.predicted]!)})`);
          span.setAttribute('aria-label', `${classes[row.predicted]}, ${percent(row.scores[row.predicted]!)}: ${t(right ? 'ev.right' : 'ev.wrong')}`);
          return span;
        },
      },
      {
        key: 'trueScore', title: t('ev.col.trueScore'), numeric: true, cell: (row) => percent(row.trueScore), sortValue: (row) => row.trueScore,
        ascending: t('ev.worstTrue'), descending: t('ev.bestTrue'),
      },
    ];
    renderSortableTable(byId<HTMLTableElement>('ev-table'), columns, rows, t('ev.labelTable'),
      { key: 'trueScore', direction: 'ascending' },
      (row) => ({ file: row.item.path, label: row.item.label, predicted: classes[row.predicted]! }), byId('ev-table-note'));
  }

  function describePlan(p: Plan): string {
    const unused = p.unused ? t('ev.unused', { n: p.unused, source: p.source }) : '';
    if (p.kind === 'captions') {
      const refs = p.items.reduce((sum, item) => sum + item.references.length, 0);
      const skipped = p.skipped ? t('ev.skippedListed', { n: p.skipped }) : '';
      return t('ev.readyCaptions', { n: p.items.length, refs, source: p.source, skipped, unused });
    }
    return t('ev.readyLabels', { n: p.items.length, classes: p.classNames.length, source: p.source, unused });
  }

  return {
    refreshModels: (cached) => fillModels(cached),
  };
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = element('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

const slug = (model: string) => model.replace(/[^\w.-]+/g, '-');
