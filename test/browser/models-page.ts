// Node-side driver of test/browser/pages/models.html: opens it in Chromium and calls its model runs, on the
// page thread or in its dedicated Worker, with a deadline. Also what the golden-model browser tests share:
// a hub server over golden folders with the page, the golden inputs as run arguments, and the checks.
import { beforeEach, expect, inject } from 'vitest';
import { f32, f32Row, f32Tolerances, goldenTensors, i64AsI32, shapeOf, type GoldenModel, type GoldenSuggestedTolerances } from '../helpers/golden';
import { HubServer } from '../helpers/hub-server';
import { allClose } from '../helpers/reference';
import type { GoldenTensor } from '../helpers/safetensors-node';
import { evaluateWithin, launchChromium, type Browser } from './chromium';
import { forTheFile } from './per-file';
import type { ModelsApi } from './pages/models';
import type { GenerateResult, ImageInputs, ModelSource, RunName, Runs, TeacherForcedResult } from './pages/model-runs';

export type RunArgs<K extends RunName> = Parameters<Runs[K]>[0];
export type RunResult<K extends RunName> = Awaited<ReturnType<Runs[K]>>;
export type Where = 'page' | 'worker';
type Tensors = Map<string, GoldenTensor>;

export async function openModelsPage(): Promise<Browser> {
  const browser = await launchChromium();
  await browser.page.goto(`${inject('baseUrl')}/test/browser/pages/models.html`);
  await browser.page.waitForFunction(() => 'irisModels' in window, null, { timeout: 60_000 });
  return browser;
}

/** window.irisModels.inPage / inWorker(name, args). */
export function runModel<K extends RunName>(browser: Browser, where: Where, name: K, args: RunArgs<K>, ms = 90_000): Promise<RunResult<K>> {
  const call = ([w, n, a]: [string, string, unknown]) => {
    const api = (window as unknown as { irisModels: Record<keyof ModelsApi, (name: string, args: unknown) => Promise<unknown>> }).irisModels;
    return api[w === 'page' ? 'inPage' : 'inWorker'](n, a);
  };
  return evaluateWithin(browser.page, call, [where, name, args], ms, `${name} (${where})`) as Promise<RunResult<K>>;
}

export interface GoldenModelsPage<M extends string> {
  readonly browser: Browser;
  readonly server: HubServer;
  /** Golden folder `model` as served, cached in IndexedDB database `db`. */
  source(model: M, db: string): ModelSource;
  run<K extends RunName>(where: Where, name: K, args: RunArgs<K>): Promise<RunResult<K>>;
}

/**
 * For one test file: a hub server with the golden folders `repos` maps (folder → repository) and the models page,
 * started before its tests and closed after them; the server's request log is reset before each test.
 */
export function useGoldenModelsPage<M extends string>(repos: Record<M, string>): GoldenModelsPage<M> {
  const server = forTheFile('hub server', () => HubServer.start({ repos: Object.fromEntries(Object.entries<string>(repos).map(([folder, repo]) => [repo, folder])) }), (hub) => hub.close());
  const browser = forTheFile('browser', openModelsPage, (opened) => opened.close());
  beforeEach(() => server().resetLog());
  return {
    get browser() { return browser(); },
    get server() { return server(); },
    source: (model, db) => ({ baseUrl: server().url, repo: repos[model], db }),
    run: (where, name, args) => runModel(browser(), where, name, args),
  };
}

/** `actual` is there and within `t` of `expected` everywhere; `what` names it in the failure. */
export function expectClose(actual: ArrayLike<number> | undefined, expected: ArrayLike<number>, t: { atol: number; rtol: number }, what: string): void {
  expect(actual, what).toBeDefined();
  const check = allClose(actual!, expected, t.atol, t.rtol);
  expect(check.ok, `${what}: ${check.detail}`).toBe(true);
}

/** A golden folder's inputs and outputs, and the manifest's f32 tolerances. */
export const golden = (model: GoldenModel): { inputs: Tensors; outputs: Tensors; tol: GoldenSuggestedTolerances } =>
  ({ inputs: goldenTensors(model, 'inputs'), outputs: goldenTensors(model, 'outputs'), tol: f32Tolerances(model) });

/** An I64 golden tensor (token ids) as plain numbers. */
export const ids = (tensors: Tensors, name: string): number[] => Array.from(i64AsI32(tensors, name));

/** Every golden image of `pixel_values` ([images, 3, S, S]). */
export const allImages = (inputs: Tensors): ImageInputs => ({ pixelValues: Array.from(f32(inputs, 'pixel_values')), images: shapeOf(inputs, 'pixel_values')[0]! });

/** The first golden image of `pixel_values`, alone. */
export const firstImage = (inputs: Tensors): ImageInputs => ({ pixelValues: Array.from(f32Row(inputs, 'pixel_values', 0)), images: 1 });

/** Golden token ids and their attention mask (I64 tensors) as run arguments. */
export const textInputs = (inputs: Tensors, tokens = 'input_ids', mask = 'attention_mask') => ({ inputIds: ids(inputs, tokens), attentionMask: ids(inputs, mask) });

/** A teacher-forced run: the logits' shape and values, and its encoder output, against the golden tensors named. */
export function expectTeacherForced(out: TeacherForcedResult, outputs: Tensors, tol: GoldenSuggestedTolerances, encoder: string, projected?: string): void {
  expect(out.logitsShape).toEqual(shapeOf(outputs, 'logits'));
  expectClose(out.encoder, f32(outputs, encoder), tol.hidden, encoder);
  if (projected) expectClose(out.projected, f32(outputs, projected), tol.hidden, projected);
  expectClose(out.logits, f32(outputs, 'logits'), tol.logits, 'logits');
}

/** A greedy run: exactly the golden ids, and each step's logits within the manifest's tolerance. */
export function expectGreedy(out: GenerateResult, outputs: Tensors, tol: GoldenSuggestedTolerances, generated = 'generated_ids', stepLogits = 'generate_logits'): void {
  expect(out.ids).toEqual(ids(outputs, generated));
  expectClose(out.stepLogits, f32(outputs, stepLogits), tol.logits, stepLogits);
}
