// Page entry for test/browser/models.test.ts: each model run on the page's own thread (`inPage`) or in one
// long-lived dedicated module Worker (`inWorker`); both contexts keep their device and loaded models between calls.
import { runs, type RunName, type Runs } from './model-runs';
import type { RunRequest, RunResponse } from './models-worker';

type Result<K extends RunName> = Awaited<ReturnType<Runs[K]>>;

function inPage<K extends RunName>(name: K, args: Parameters<Runs[K]>[0]): Promise<Result<K>> {
  return (runs[name] as (a: unknown) => Promise<Result<K>>)(args);
}

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

function startWorker(): Worker {
  const w = new Worker(new URL('./models-worker.ts', import.meta.url), { type: 'module' });
  w.onmessage = (e: MessageEvent<RunResponse>) => {
    const call = pending.get(e.data.id);
    pending.delete(e.data.id);
    if ('error' in e.data) call?.reject(new Error(`in the worker: ${e.data.error}`));
    else call?.resolve(e.data.result);
  };
  w.onerror = (e) => {
    for (const call of pending.values()) call.reject(new Error(`worker error: ${e.message}`));
    pending.clear();
  };
  return w;
}

function inWorker<K extends RunName>(name: K, args: Parameters<Runs[K]>[0]): Promise<Result<K>> {
  worker ??= startWorker();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
    worker!.postMessage({ id, name, args } satisfies RunRequest);
  });
}

export interface ModelsApi {
  inPage: typeof inPage;
  inWorker: typeof inWorker;
}

Object.assign(window, { irisModels: { inPage, inWorker } satisfies ModelsApi });
