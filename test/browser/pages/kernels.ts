// Page entry: exposes the kernel checks to run on the page's own thread and inside a dedicated Worker.
import { runKernelChecks, type KernelReport } from './kernel-checks';

function inWorker(): Promise<KernelReport> {
  const worker = new Worker(new URL('./kernels-worker.ts', import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<KernelReport | { error: string }>) => {
      worker.terminate();
      if ('error' in e.data) reject(new Error(e.data.error));
      else resolve(e.data);
    };
    worker.onerror = (e) => reject(new Error(e.message));
  });
}

Object.assign(window, { irisKernels: { inPage: runKernelChecks, inWorker } });
