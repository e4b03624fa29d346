/** The page for browsers without WebGPU: why, and what to do (the text is in index.html). */
import { byId } from './dom';

/** Null when WebGPU works here, else the reason it does not. */
export async function webGpuProblem(): Promise<string | null> {
  if (!window.isSecureContext) return 'the page is not a secure context (it needs https:// or localhost).';
  if (!('gpu' in navigator)) return 'navigator.gpu does not exist.';
  try {
    const adapter = await navigator.gpu.requestAdapter();
    return adapter ? null : 'navigator.gpu.requestAdapter() found no GPU adapter (WebGPU is switched off, or the GPU or its driver is blocklisted).';
  } catch (error) {
    return `navigator.gpu.requestAdapter() failed: ${String(error)}.`;
  }
}

export function showUnavailable(reason: string): void {
  for (const id of ['image-panel', 'tasks', 'cache']) byId(id).hidden = true;
  byId('unavailable-reason').textContent = reason;
  byId('unavailable').hidden = false;
  byId('adapter').textContent = 'No WebGPU adapter.';
  document.querySelector<HTMLAnchorElement>('.skip')!.hidden = true;
}
