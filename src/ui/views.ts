/**
 * The demo's two pages, one document: "Try a model" (image + tasks) and "Evaluate" (#evaluate). A hash,
 * so the page works from the service worker's one cached shell, offline, and the back button goes back.
 */
import { byId } from './dom';
import { t } from './i18n';

export type View = 'try' | 'evaluate';

export function setupViews(): void {
  const nav = byId('views');
  nav.hidden = false;
  const apply = () => {
    const view: View = location.hash === '#evaluate' ? 'evaluate' : 'try';
    byId('image-panel').hidden = view !== 'try';
    byId('tasks').hidden = view !== 'try';
    byId('evaluate').hidden = view !== 'evaluate';
    for (const link of nav.querySelectorAll('a')) {
      if (link.id === `view-${view}`) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    document.title = t(view === 'evaluate' ? 'page.titleEvaluate' : 'page.title');
  };
  window.addEventListener('hashchange', apply);
  apply();
}
