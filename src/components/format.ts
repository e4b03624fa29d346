/** Number formatting shared by the web components and the demo app. */
import type { IrisProgress } from '../index';
import { sharedText, type Lang } from '../i18n';

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

/** A probability as a percentage with one decimal: 0.7234 → "72.3%". */
export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** Fraction done of a load event, or null where there is no measure (upload, shader compilation). */
export function progressFraction(event: IrisProgress): number | null {
  if (event.phase === 'ready') return 1;
  if (event.phase === 'download' && event.bytesTotal) return Math.min(1, (event.bytesDone ?? 0) / event.bytesTotal);
  return null;
}

/** One line for a person, in `lang`: what the load is doing now. */
export function progressText(event: IrisProgress, lang: Lang = 'en'): string {
  switch (event.phase) {
    case 'download': {
      const { bytesDone = 0, bytesTotal = 0 } = event;
      if (!bytesTotal) return sharedText(lang, 'progress.downloading');
      return sharedText(lang, 'progress.downloadingBytes', {
        done: formatBytes(bytesDone), total: formatBytes(bytesTotal), percent: Math.floor((100 * bytesDone) / bytesTotal),
      });
    }
    case 'upload':
      return sharedText(lang, 'progress.uploading');
    case 'compile':
      return event.pipelines ? sharedText(lang, 'progress.compiled', { n: event.pipelines }) : sharedText(lang, 'progress.compiling');
    case 'ready':
      return sharedText(lang, 'progress.ready');
    case 'notice':
      return event.message ?? '';
  }
}
