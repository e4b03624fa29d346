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
import { byId, clamp, describeError, element } from './dom';
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
    const t = task();
    fillModelSelect(modelSelect, t, cached, chosenModel[t] ?? parts.preferredModel(t));
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
    let problem = '';
    try {
      hint = describePlan(await plan());
    } catch (e) {
      // A missing input is a hint ("Choose the …"); anything else is an error that names the problem.
      if (e instanceof IrisError && e.message.startsWith('Choose')) hint = e.message;
      else problem = describeError(e);
    }
    if (ticket !== checking || controller) return;
    planText.textContent = hint;
    error.textContent = problem;
  };

  const onPick = (input: HTMLInputElement, fromFolder: boolean) => {
    const files = [...(input.files ?? [])];
    const images = files.filter((f) => f.type.startsWith('image/') || IMAGE_NAME.test(f.name));
    ignored = files.length - images.length;
    picked = images.map((file) => ({ file, path: (fromFolder && file.webkitRelativePath) || file.name }));
    imagesText.textContent = picked.length === 0 ? 'No images picked.' :
      `${picked.length} image${picked.length === 1 ? '' : 's'}${fromFolder ? ` from the folder “${picked[0]!.path.split('/')[0]}”` : ''}` +
      (ignored ? ` (${ignored} other file${ignored === 1 ? '' : 's'} ignored)` : '') + '.';
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
    if (picked.length === 0) throw new IrisError('bad-input', 'Choose the images first: several files, or a folder.');
    const paths = picked.map((p) => p.path);
    const fileOf = new Map(picked.map((p) => [p.path.replaceAll('\\', '/'), p.file]));
    if (kind() === 'captions') {
      const refs = cocoInput.files?.[0];
      if (!refs) throw new IrisError('bad-input', 'Choose the reference captions file (COCO JSON).');
      const text = await refs.text();
      let images: CocoImage[];
      let skipped = 0;
      if (subset.checked) {
        const index = new FileIndex(paths);
        images = [];
        for (const image of parseCocoCaptions(text, { name: refs.name })) {
          const matches = index.matches(image.fileName);
          if (matches.length > 1) throw new IrisError('bad-input', `${refs.name}: "${image.fileName}" (id ${JSON.stringify(image.id)}) fits several picked files (${matches.slice(0, 3).join(', ')}).`);
          if (matches.length === 0) skipped++;
          else images.push({ ...image, file: matches[0] });
        }
        if (images.length === 0) throw new IrisError('bad-input', `${refs.name}: none of its ${skipped} images is among the ${paths.length} picked files.`);
      } else {
        try {
          images = parseCocoCaptions(text, { name: refs.name, files: paths });
        } catch (e) {
          if (e instanceof IrisError && /is not among the/.test(e.message)) {
            throw new IrisError('bad-input', `${e.message} Pick that file too, or tick “Score only the picked images”.`);
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
      if (!csv) throw new IrisError('bad-input', 'Choose the labels CSV file (header file,label).');
      set = parseLabelCsv(await csv.text(), { ...options, name: csv.name, files: paths });
      source = csv.name;
    } else {
      try {
        set = labelsFromFolders(paths, options);
      } catch (e) {
        if (e instanceof IrisError && /not inside a class folder/.test(e.message)) {
          throw new IrisError('bad-input', `${e.message} Choose the folder that holds one folder per class with “Choose a folder…”, or use a CSV.`);
        }
        throw e;
      }
      source = 'folder names';
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
      error.textContent = describeError(e);
      return;
    }
    const t = task();
    const model = modelSelect.value;
    controller = new AbortController();
    const { signal } = controller;
    runButton.textContent = 'Cancel';
    runButton.classList.add('cancel');
    byId('ev-results').hidden = true;
    progress.hidden = false;
    progress.max = p.items.length;
    progress.value = 0;
    try {
      status.textContent = `Loading ${modelLabel(model)}…`;
      load.start();
      await iris.load(model, t, { signal, onProgress: (event) => load.update(event) });
      parts.onLoaded(model);
      // Timings from here: per image, without the model load (which has its own line).
      const work = { started: performance.now(), signal, model };
      if (p.kind === 'captions') await runCaptions(p, work);
      else await runLabels(p, work);
    } catch (e) {
      load.stop();
      status.textContent = '';
      error.textContent = isIrisError(e, 'aborted') ? 'Cancelled before any image was done.' : describeError(e);
    } finally {
      controller = null;
      runButton.textContent = 'Evaluate';
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
  async function forEachImage<T extends { path: string }>(items: readonly T[], work: Work, verb: string, each: (item: T) => Promise<void>): Promise<{ done: number; cancelled: boolean }> {
    for (const [i, item] of items.entries()) {
      const elapsed = performance.now() - work.started;
      status.textContent = `${verb} image ${i + 1} of ${items.length}: ${item.path}` + (i > 0 ? ` · ${formatMs(elapsed / i)} per image` : '');
      try {
        await each(item);
      } catch (e) {
        if (isIrisError(e, 'aborted') && i > 0) return { done: i, cancelled: true };
        if (isIrisError(e, 'aborted')) throw e;
        throw new IrisError(isIrisError(e) ? e.code : 'bad-input', `${item.path}: ${describeError(e)}`, { cause: e });
      }
      progress.value = i + 1;
    }
    return { done: items.length, cancelled: false };
  }

  async function runCaptions(p: Extract<Plan, { kind: 'captions' }>, work: Work): Promise<void> {
    const numBeams = decoding() === 'beam' ? clamp(beams.valueAsNumber, 2, 8, 3) : 1;
    const maxNewTokens = clamp(maxTokens.valueAsNumber, 1, 64, 20);
    const predictions: string[] = [];
    const { done, cancelled } = await forEachImage(p.items, work, 'Captioning', async (item) => {
      const result = await iris.caption(item.file, { model: work.model, numBeams, maxNewTokens, signal: work.signal });
      predictions.push(result.text);
    });
    const items = p.items.slice(0, done);
    status.textContent = `Scoring ${done} caption${done === 1 ? '' : 's'}…`;
    // Scoring after a cancel is the point of stopping early, so it does not take the cancelled signal.
    const metrics = await iris.evaluateCaptions(
      items.map((item, i) => ({ imageId: item.id, references: item.references, candidate: predictions[i]! })),
      cancelled ? {} : { signal: work.signal },
    );
    const ms = performance.now() - work.started;
    status.textContent = '';
    const settings = numBeams > 1 ? `beam search, ${numBeams} beams` : 'greedy';
    showCaptionResults({ plan: p, items, predictions, metrics, model: work.model, numBeams, maxNewTokens, cancelled, ms, settings });
  }

  async function runLabels(p: Extract<Plan, { kind: 'labels' }>, work: Work): Promise<void> {
    const templates = parseList(templatesInput.value);
    const classes = p.classNames;
    const column = new Map(classes.map((c, i) => [c, i]));
    const rows: Float32Array[] = [];
    const { done, cancelled } = await forEachImage(p.items, work, 'Classifying', async (item) => {
      const result = await iris.classify(item.file, classes, { model: work.model, templates: templates.length ? templates : undefined, signal: work.signal });
      const row = new Float32Array(classes.length);
      for (const { label, score } of result.labels) row[column.get(label)!] = score;
      rows.push(row);
    });
    const items = p.items.slice(0, done);
    status.textContent = 'Scoring…';
    const metrics = await iris.evaluateZeroShot(rows, items.map((item) => item.labelIndex), cancelled ? {} : { signal: work.signal });
    status.textContent = '';
    showLabelResults({ plan: p, items, rows, metrics, model: work.model, templates, cancelled, ms: performance.now() - work.started });
  }

  // Results ----------------------------------------------------------------------------------------------

  function resetResults(kind: Kind, title: string, summary: string, cancelled: boolean, total: number, done: number) {
    for (const url of thumbnails) URL.revokeObjectURL(url);
    thumbnails = [];
    byId('ev-results-title').textContent = title;
    byId('ev-summary').textContent = (cancelled ? `Cancelled after ${done} of ${total} images: these scores are for those ${done} only. ` : '') + summary;
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
    resetResults('captions', 'Caption scores', `${modelLabel(r.model)}, ${r.settings}, at most ${r.maxNewTokens} new tokens: ${n} image${n === 1 ? '' : 's'} against ${r.plan.source} in ${formatMs(r.ms)} (${formatMs(r.ms / n)} per image).`, r.cancelled, r.plan.items.length, n);
    const c = r.metrics.corpus;
    showMetrics([
      ['bleu1', 'BLEU-1', c.bleu1, c.bleu1.toFixed(3)], ['bleu2', 'BLEU-2', c.bleu2, c.bleu2.toFixed(3)],
      ['bleu3', 'BLEU-3', c.bleu3, c.bleu3.toFixed(3)], ['bleu4', 'BLEU-4', c.bleu4, c.bleu4.toFixed(3)],
      ['rougeL', 'ROUGE-L', c.rougeL, c.rougeL.toFixed(3)], ['ciderD', 'CIDEr-D', c.ciderD, c.ciderD.toFixed(3)],
    ]);
    byId('ev-not-computed').textContent =
      'METEOR and SPICE are not computed: the COCO caption evaluation runs them as Java programs (METEOR 1.5; SPICE 1.0 with Stanford CoreNLP), ' +
      'which cannot run in a browser. For those two, score the exported predictions with pycocoevalcap.';

    const rows = r.items.map((item, i) => ({ index: i, item, prediction: r.predictions[i]!, scores: r.metrics.perImage[i]! }));
    const base = `captions_${slug(r.model)}`;
    exportButtons([
      ['Download predictions (COCO results JSON)', `${base}_results.json`, () => cocoResultsJson(rows.map((row) => ({ imageId: row.item.id, caption: row.prediction })))],
      ['Download scores (JSON)', `${base}_scores.json`, () => scoresJson({
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
      { key: 'image', title: 'Image', cell: (row) => thumbnail(row.item.file, row.item.path), sortValue: (row) => row.index, ascending: 'in file order', descending: 'in reverse file order' },
      {
        key: 'cider', title: 'CIDEr-D', numeric: true, cell: (row) => row.scores.ciderD.toFixed(3), sortValue: (row) => row.scores.ciderD,
        ascending: 'worst CIDEr-D first', descending: 'best CIDEr-D first',
      },
      { key: 'prediction', title: 'Prediction', cell: (row) => element('span', 'ev-prediction', row.prediction || '(empty)') },
      {
        key: 'references', title: 'References', cell: (row) => {
          const list = element('ul', 'ev-references');
          list.append(...row.item.references.map((ref) => element('li', '', ref)));
          return list;
        },
      },
    ];
    renderSortableTable(byId<HTMLTableElement>('ev-table'), columns, rows, 'Each image with its predicted caption and references',
      { key: 'cider', direction: 'ascending' },
      (row) => ({ imageId: JSON.stringify(row.item.id), cider: String(row.scores.ciderD) }), byId('ev-table-note'));
  }

  function showLabelResults(r: {
    plan: Extract<Plan, { kind: 'labels' }>; items: LabelItem[]; rows: Float32Array[]; metrics: ClassificationMetrics;
    model: string; templates: string[]; cancelled: boolean; ms: number;
  }) {
    const classes = r.plan.classNames;
    const n = r.items.length;
    resetResults('labels', 'Zero-shot accuracy', `${modelLabel(r.model)}, ${classes.length} classes from ${r.plan.source}: ${n} image${n === 1 ? '' : 's'} in ${formatMs(r.ms)} (${formatMs(r.ms / n)} per image).`, r.cancelled, r.plan.items.length, n);
    const m = r.metrics;
    const percent = (v: number) => `${(v * 100).toFixed(1)}%`;
    showMetrics([
      ['top1', 'Top-1 accuracy', m.top1, percent(m.top1)],
      ['top5', 'Top-5 accuracy', m.top5, percent(m.top5)],
      ['meanPerClass', 'Mean per-class accuracy', m.meanPerClassAccuracy, percent(m.meanPerClassAccuracy)],
    ]);
    byId('ev-not-computed').textContent = classes.length <= 5 ? `With ${classes.length} classes, top-5 accuracy is 100% by definition; add classes (above) to make it tell something.` : '';

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
      ['Download predictions (JSON)', `${base}_predictions.json`, () => scoresJson(rows.map((row) => ({
        file: row.item.path, label: row.item.label, predicted: classes[row.predicted],
        top5: row.top5.map((c) => ({ label: classes[c], score: row.scores[c] })),
      })))],
      ['Download scores (JSON)', `${base}_scores.json`, () => scoresJson({
        task: 'zero-shot', model: r.model, labels: r.plan.source, templates: r.templates, classes, images: n, complete: !r.cancelled,
        metrics: { top1: m.top1, top5: m.top5, meanPerClassAccuracy: m.meanPerClassAccuracy },
        perImage: rows.map((row) => ({ file: row.item.path, label: row.item.label, predicted: classes[row.predicted], correct: row.predicted === row.item.labelIndex, trueLabelScore: row.trueScore })),
      })],
    ]);

    type Row = (typeof rows)[number];
    const columns: Column<Row>[] = [
      { key: 'image', title: 'Image', cell: (row) => thumbnail(row.item.file, row.item.path), sortValue: (row) => row.index, ascending: 'in file order', descending: 'in reverse file order' },
      { key: 'true', title: 'True label', cell: (row) => row.item.label },
      {
        key: 'predicted', title: 'Predicted', cell: (row) => {
          const right = row.predicted === row.item.labelIndex;
          const span = element('span', right ? 'ev-right' : 'ev-wrong', `${right ? '✓' : '✗'} ${classes[row.predicted]} (${percent(row.scores[row.predicted]!)})`);
          span.setAttribute('aria-label', `${classes[row.predicted]}, ${percent(row.scores[row.predicted]!)}: ${right ? 'right' : 'wrong'}`);
          return span;
        },
      },
      {
        key: 'trueScore', title: 'P(true label)', numeric: true, cell: (row) => percent(row.trueScore), sortValue: (row) => row.trueScore,
        ascending: 'worst first (lowest probability of the true label)', descending: 'best first (highest probability of the true label)',
      },
    ];
    renderSortableTable(byId<HTMLTableElement>('ev-table'), columns, rows, 'Each image with its true and predicted label',
      { key: 'trueScore', direction: 'ascending' },
      (row) => ({ file: row.item.path, label: row.item.label, predicted: classes[row.predicted]! }), byId('ev-table-note'));
  }

  function describePlan(p: Plan): string {
    const unused = p.unused ? ` ${p.unused} picked image${p.unused === 1 ? ' is' : 's are'} not in ${p.source} and left out.` : '';
    if (p.kind === 'captions') {
      const refs = p.items.reduce((sum, item) => sum + item.references.length, 0);
      const skipped = p.skipped ? ` ${p.skipped} listed image${p.skipped === 1 ? '' : 's'} without a picked file skipped.` : '';
      return `Ready: ${p.items.length} image${p.items.length === 1 ? '' : 's'} with ${refs} reference captions from ${p.source}.${skipped}${unused}`;
    }
    return `Ready: ${p.items.length} image${p.items.length === 1 ? '' : 's'} in ${p.classNames.length} classes (from ${p.source}).${unused}`;
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
