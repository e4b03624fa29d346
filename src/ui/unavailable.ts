/** The page for browsers without WebGPU: why, and what to do (the text is in index.html). */
import { byId } from './dom';
import { t } from './i18n';

/** Null when WebGPU works here, else the reason it does not. */
export async function webGpuProblem(): Promise<string | null> {
  if (!window.isSecureContext) return t('unavailable.insecure');
  if (!('gpu' in navigator)) return t('unavailable.noGpu');
  try {
    const adapter = await navigator.gpu.requestAdapter();
    return adapter ? null : t('unavailable.noAdapter');
  } catch (error) {
    return t('unavailable.adapterFailed', { error: String(error) });
  }
}

export function showUnavailable(reason: string): void {
  for (const id of ['image-panel', 'tasks', 'cache']) byId(id).hidden = true;
  byId('unavailable-reason').textContent = reason;
  byId('unavailable').hidden = false;
  byId('adapter').textContent = t('footer.noAdapter');
  document.querySelector<HTMLAnchorElement>('.skip')!.hidden = true;
}
