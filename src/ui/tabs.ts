/**
 * ARIA tabs (https://www.w3.org/WAI/ARIA/apg/patterns/tabs/): one tab in the tab order, arrow keys / Home /
 * End move between tabs and select them, each tab shows its panel.
 */
export function setupTabs(tablist: HTMLElement, onSelect?: (tab: HTMLElement) => void): void {
  const tabs = [...tablist.querySelectorAll<HTMLElement>('[role="tab"]')];
  const select = (tab: HTMLElement, focus: boolean) => {
    for (const t of tabs) {
      const selected = t === tab;
      t.setAttribute('aria-selected', String(selected));
      t.tabIndex = selected ? 0 : -1;
      document.getElementById(t.getAttribute('aria-controls')!)!.hidden = !selected;
    }
    if (focus) tab.focus();
    onSelect?.(tab);
  };
  tablist.addEventListener('click', (event) => {
    const tab = (event.target as HTMLElement).closest<HTMLElement>('[role="tab"]');
    if (tab) select(tab, false);
  });
  tablist.addEventListener('keydown', (event) => {
    const index = tabs.indexOf(document.activeElement as HTMLElement);
    if (index < 0) return;
    const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    select(tabs[(next + tabs.length) % tabs.length]!, true);
  });
}
