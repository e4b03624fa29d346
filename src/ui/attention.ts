/**
 * "Where the model looked": the image with a heat map over the part of it the model saw. The grid is laid
 * over `region` (the centre crop for CLIP and GIT, the whole image for ViT-GPT2, which squashes it), and the
 * rest of the image is dimmed, since the model never saw it. One cell per patch, row-major, top-left first.
 */
import type { HeatMap, ImageRegion } from '../index';
import { element } from './dom';
import { t, type MessageKey } from './i18n';

export class AttentionFigure {
  readonly figure = element('figure', 'attention');
  private readonly image = element('img');
  private readonly crop = element('div', 'attention-crop');
  private readonly grid = element('div', 'attention-grid');
  private readonly note = element('span', 'attention-note');
  private url: string | undefined;
  private imageBlob: Blob | undefined;

  /** `idle` is the caption under the figure while no map is shown. */
  constructor(container: HTMLElement, id: string, private readonly idle: string) {
    this.figure.id = id;
    this.figure.hidden = true;
    this.image.alt = '';
    this.grid.setAttribute('role', 'img');
    this.crop.append(this.grid);
    this.crop.hidden = true;
    const stage = element('div', 'attention-stage');
    stage.append(this.image, this.crop);
    const legend = element('span', 'attention-legend');
    legend.setAttribute('aria-hidden', 'true');
    legend.append(element('span', '', t('attention.low')), element('span', 'attention-ramp'), element('span', '', t('attention.high')));
    const caption = element('figcaption');
    caption.append(this.note, legend);
    this.figure.append(stage, caption);
    container.append(this.figure);
    this.note.textContent = idle;
  }

  /** Shows the figure with this image and no map yet. */
  setImage(blob: Blob, description: string): void {
    if (blob !== this.imageBlob) {
      if (this.url) URL.revokeObjectURL(this.url);
      this.url = URL.createObjectURL(blob);
      this.image.src = this.url;
      this.imageBlob = blob;
    }
    this.image.alt = t('attention.imageAlt', { description });
    this.hideMap();
    this.figure.hidden = false;
  }

  /** Draws `map` over `region` of the image; `what` names what looked ("the caption word “cat”"). */
  showMap(map: HeatMap, region: ImageRegion, what: string): void {
    const { rows, cols, values } = map;
    Object.assign(this.crop.style, {
      left: `${region.x * 100}%`, top: `${region.y * 100}%`, width: `${region.width * 100}%`, height: `${region.height * 100}%`,
    });
    this.grid.style.gridTemplate = `repeat(${rows}, 1fr) / repeat(${cols}, 1fr)`;
    this.grid.dataset.rows = String(rows);
    this.grid.dataset.cols = String(cols);
    const cells = Array.from(values, (value) => {
      const cell = element('span', 'attention-cell');
      cell.dataset.value = String(value);
      cell.style.backgroundColor = heatColor(value);
      return cell;
    });
    this.grid.replaceChildren(...cells);
    const summary = t('attention.summary', { what, rows, cols, where: t(strongest(map)) });
    this.grid.setAttribute('aria-label', summary);
    this.note.textContent = t(isWhole(region) ? 'attention.note' : 'attention.noteCrop', { what, rows, cols });
    this.crop.hidden = false;
  }

  hideMap(): void {
    this.crop.hidden = true;
    this.grid.replaceChildren();
    this.note.textContent = this.idle;
  }

  hide(): void {
    this.figure.hidden = true;
    this.hideMap();
  }
}

const isWhole = (r: ImageRegion) => r.x === 0 && r.y === 0 && r.width === 1 && r.height === 1;

/** Where the largest value is, as the message that says it ("at the top left", "in the centre", …). */
export function strongest({ rows, cols, values }: HeatMap): MessageKey {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  const third = (index: number, size: number) => Math.min(2, Math.floor((3 * index) / size));
  const vertical = (['top', '', 'bottom'] as const)[third(Math.floor(best / cols), rows)]!;
  const horizontal = (['Left', '', 'Right'] as const)[third(best % cols, cols)]!;
  if (!vertical && !horizontal) return 'attention.centre';
  if (!vertical) return horizontal === 'Left' ? 'attention.left' : 'attention.right';
  return `attention.${vertical}${horizontal}`;
}

/** Blue (little attention) through cyan and yellow to red (the most), more opaque as it grows. */
const STOPS: [number, [number, number, number]][] = [
  [0, [37, 52, 148]],
  [0.35, [44, 162, 200]],
  [0.7, [250, 215, 60]],
  [1, [220, 38, 38]],
];

export function heatColor(value: number): string {
  const v = Math.min(1, Math.max(0, value));
  let i = 1;
  while (i < STOPS.length - 1 && v > STOPS[i]![0]) i++;
  const [v0, c0] = STOPS[i - 1]!;
  const [v1, c1] = STOPS[i]!;
  const t = (v - v0) / (v1 - v0);
  const [r, g, b] = c0.map((c, k) => Math.round(c + (c1[k]! - c) * t));
  return `rgba(${r}, ${g}, ${b}, ${(0.25 + 0.5 * v).toFixed(3)})`;
}
