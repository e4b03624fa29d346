/**
 * The elements' shadow-DOM styles. Colours come from custom properties so a page can theme them
 * (--iris-accent, --iris-track, --iris-muted); the defaults pass WCAG AA contrast on white.
 */
export const elementStyles = `
:host {
  display: block;
  max-width: 32rem;
  font: inherit;
  color: inherit;
  --accent: var(--iris-accent, #4338ca);
  --track: var(--iris-track, #e4e4f0);
  --muted: var(--iris-muted, #52525b);
}
:host([hidden]) { display: none; }
figure { margin: 0; display: grid; gap: 0.75rem; }
img { display: block; max-width: 100%; max-height: 16rem; object-fit: contain; border-radius: 0.5rem; }
img:not([src]) { display: none; }
.progress { display: grid; gap: 0.25rem; font-size: 0.875rem; color: var(--muted); }
.progress[hidden] { display: none; }
progress { width: 100%; height: 0.5rem; accent-color: var(--accent); }
.bars { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.5rem; }
.bars li { display: grid; grid-template-columns: 1fr auto; gap: 0.125rem 0.5rem; }
.bar-value { font-variant-numeric: tabular-nums; }
.bar-track { grid-column: 1 / -1; height: 0.5rem; border-radius: 0.25rem; background: var(--track); overflow: hidden; }
.bar-fill { display: block; height: 100%; background: var(--accent); }
.bars li:first-child .bar-label { font-weight: 600; }
.caption, .answer { margin: 0; font-size: 1.125rem; line-height: 1.4; min-height: 1.4em; }
.error { margin: 0; color: #b91c1c; }
.error:empty { display: none; }
`;
