/**
 * The demo's sample images and app icons: simple synthetic scenes (a cat, a car, a house, a sunset, an apple)
 * drawn with signed-distance shapes and written as PNG by the project's test PNG writer. There is no internet
 * on the build machines, so no photographs: these are honest drawings, and the README says so.
 *
 *   node scripts/make-samples.mjs   → public/samples/*.png, public/icons/*.png
 *
 * Deterministic: the same code gives byte-identical files, which are committed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePng } from '../test/helpers/png-encode';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

type Rgb = [number, number, number];
/** Signed distance in pixels from (x, y) to a shape's edge: negative inside. */
type Shape = (x: number, y: number) => number;
/** A colour ('#rrggbb' or [r, g, b]) or a function of the position. */
type Paint = string | Rgb | ((x: number, y: number) => Rgb);

// --- shapes -------------------------------------------------------------------------------------------------

const circle = (cx: number, cy: number, r: number): Shape => (x, y) => Math.hypot(x - cx, y - cy) - r;

/** An axis-aligned ellipse (approximate distance, good enough for anti-aliasing). */
const ellipse = (cx: number, cy: number, rx: number, ry: number, angle = 0): Shape => (x, y) => {
  const [c, s] = [Math.cos(angle), Math.sin(angle)];
  const dx = (x - cx) * c + (y - cy) * s;
  const dy = -(x - cx) * s + (y - cy) * c;
  const k = Math.hypot(dx / rx, dy / ry);
  return ((k - 1) * Math.min(rx, ry));
};

const rect = (x0: number, y0: number, x1: number, y1: number, radius = 0): Shape => (x, y) => {
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  const hx = (x1 - x0) / 2 - radius, hy = (y1 - y0) / 2 - radius;
  const qx = Math.abs(x - cx) - hx, qy = Math.abs(y - cy) - hy;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
};

/** A line segment with round caps, `width` wide. */
const line = (ax: number, ay: number, bx: number, by: number, width: number): Shape => (x, y) => {
  const [px, py, vx, vy] = [x - ax, y - ay, bx - ax, by - ay];
  const t = Math.max(0, Math.min(1, (px * vx + py * vy) / (vx * vx + vy * vy)));
  return Math.hypot(px - vx * t, py - vy * t) - width / 2;
};

/** A simple polygon (any winding), points as [x, y] pairs. */
const polygon = (points: [number, number][]): Shape => (x, y) => {
  let d = Infinity;
  let inside = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [ax, ay] = points[j]!, [bx, by] = points[i]!;
    const [vx, vy, px, py] = [bx - ax, by - ay, x - ax, y - ay];
    const t = Math.max(0, Math.min(1, (px * vx + py * vy) / (vx * vx + vy * vy)));
    d = Math.min(d, Math.hypot(px - vx * t, py - vy * t));
    if ((ay > y) !== (by > y) && x < ((bx - ax) * (y - ay)) / (by - ay) + ax) inside = !inside;
  }
  return inside ? -d : d;
};

const union = (...shapes: Shape[]): Shape => (x, y) => Math.min(...shapes.map((s) => s(x, y)));
const everywhere: Shape = () => -1e9;

// --- paints -------------------------------------------------------------------------------------------------

const hex = (h: string): Rgb => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
const mix = (a: Rgb, b: Rgb, t: number): Rgb => [0, 1, 2].map((i) => a[i]! + (b[i]! - a[i]!) * Math.max(0, Math.min(1, t))) as Rgb;

/** A vertical gradient through colour stops [(y, colour)...]. */
const vertical = (...stops: [number, string][]): Paint => (_x, y) => {
  for (let i = 1; i < stops.length; i++) {
    const [y0, c0] = stops[i - 1]!, [y1, c1] = stops[i]!;
    if (y <= y1 || i === stops.length - 1) return mix(hex(c0), hex(c1), (y - y0) / (y1 - y0));
  }
  return hex(stops[0]![1]);
};

/** A radial gradient: `inner` at (cx, cy), `outer` at distance r. */
const radial = (cx: number, cy: number, r: number, inner: string, outer: string): Paint => (x, y) =>
  mix(hex(inner), hex(outer), Math.hypot(x - cx, y - cy) / r);

// --- the painter --------------------------------------------------------------------------------------------

class Picture {
  readonly rgb: Float32Array;
  constructor(readonly width: number, readonly height: number) {
    this.rgb = new Float32Array(width * height * 3);
  }

  /** Paints a shape over what is there; coverage from the distance gives one pixel of anti-aliasing. */
  fill(shape: Shape, paint: Paint, opacity = 1): this {
    for (let y = 0; y < this.height; y++) {
      for (let x = 0; x < this.width; x++) {
        const [px, py] = [x + 0.5, y + 0.5];
        const coverage = Math.max(0, Math.min(1, 0.5 - shape(px, py))) * opacity;
        if (coverage === 0) continue;
        const colour = typeof paint === 'function' ? paint(px, py) : typeof paint === 'string' ? hex(paint) : paint;
        const i = (y * this.width + x) * 3;
        for (let c = 0; c < 3; c++) this.rgb[i + c] = this.rgb[i + c]! + (colour[c]! - this.rgb[i + c]!) * coverage;
      }
    }
    return this;
  }

  png(): Promise<Uint8Array> {
    const rows = Array.from({ length: this.height }, (_, y) => {
      const row = new Uint8Array(this.width * 3);
      for (let i = 0; i < row.length; i++) row[i] = Math.round(Math.max(0, Math.min(255, this.rgb[y * this.width * 3 + i]!)));
      return row;
    });
    // Filter 4 (Paeth) on every row compresses smooth gradients best.
    return encodePng({ width: this.width, height: this.height, colorType: 2, bitDepth: 8, rows, filters: [4] });
  }
}

const W = 320, H = 240;

function cat(): Picture {
  const p = new Picture(W, H).fill(everywhere, vertical([0, '#f3e3c8'], [H, '#e2c9a0']));
  p.fill(ellipse(160, 222, 95, 14), '#c8ad83'); // shadow
  const fur = radial(150, 110, 110, '#f0a04b', '#c46a1c');
  p.fill(polygon([[88, 92], [98, 22], [140, 66]]), fur).fill(polygon([[232, 92], [222, 22], [180, 66]]), fur); // ears
  p.fill(polygon([[100, 78], [104, 40], [128, 66]]), '#f6c4b8').fill(polygon([[220, 78], [216, 40], [192, 66]]), '#f6c4b8');
  p.fill(ellipse(160, 130, 92, 82), fur); // head
  p.fill(ellipse(160, 160, 42, 30), '#fbe6cf'); // muzzle
  for (const x of [124, 196]) {
    p.fill(ellipse(x, 116, 17, 19), '#f7f3d0').fill(ellipse(x, 117, 6, 16), '#1f1a16').fill(circle(x + 4, 109, 3), '#ffffff');
  }
  p.fill(polygon([[150, 146], [170, 146], [160, 158]]), '#e0707a'); // nose
  p.fill(line(160, 158, 160, 168, 2.5), '#5a3a2a').fill(line(160, 168, 148, 176, 2.5), '#5a3a2a').fill(line(160, 168, 172, 176, 2.5), '#5a3a2a');
  for (const [dy, slope] of [[-6, -8], [2, 0], [10, 8]] as const) {
    p.fill(line(128, 160 + dy, 70, 154 + dy + slope, 1.6), '#4a3426').fill(line(192, 160 + dy, 250, 154 + dy + slope, 1.6), '#4a3426');
  }
  p.fill(line(142, 70, 150, 92, 5), '#b25f18').fill(line(160, 66, 160, 90, 5), '#b25f18').fill(line(178, 70, 170, 92, 5), '#b25f18'); // stripes
  return p;
}

function car(): Picture {
  const p = new Picture(W, H).fill(everywhere, vertical([0, '#8ec9f0'], [130, '#d9eefb']));
  p.fill(rect(0, 130, W, H), '#6fae4f').fill(rect(0, 150, W, 220), '#55585e');
  for (let x = 8; x < W; x += 48) p.fill(rect(x, 183, x + 26, 188, 2), '#f4f1e4'); // lane dashes
  p.fill(ellipse(160, 200, 118, 9), '#3c3e42', 0.8); // shadow
  p.fill(polygon([[92, 128], [118, 92], [206, 92], [236, 128]]), '#c92a2a'); // cabin
  p.fill(polygon([[102, 126], [122, 98], [158, 98], [158, 126]]), '#bfe3f5').fill(polygon([[166, 126], [166, 98], [202, 98], [224, 126]]), '#bfe3f5');
  p.fill(rect(48, 124, 276, 182, 16), vertical([124, '#e23b3b'], [182, '#a61e1e'])); // body
  p.fill(rect(52, 146, 272, 150), '#8e1717');
  p.fill(rect(256, 136, 276, 148, 4), '#ffe9a8').fill(rect(48, 136, 62, 148, 4), '#ff8a7a'); // lights
  for (const x of [100, 226]) p.fill(circle(x, 184, 24), '#1d1d20').fill(circle(x, 184, 11), '#a9adb4').fill(circle(x, 184, 4), '#55585e');
  return p;
}

function house(): Picture {
  const p = new Picture(W, H).fill(everywhere, vertical([0, '#5fa8e8'], [160, '#cfe8fb']));
  p.fill(circle(268, 44, 22), '#ffd95a');
  p.fill(union(circle(70, 50, 16), circle(90, 42, 20), circle(112, 52, 15), rect(60, 50, 122, 66, 8)), '#ffffff', 0.95);
  p.fill(rect(0, 170, W, H), vertical([170, '#7cc35a'], [H, '#4d8f33']));
  p.fill(polygon([[150, 240], [170, 240], [164, 196], [156, 196]]), '#d8c8a4'); // path
  p.fill(rect(90, 110, 230, 198), '#f1e2c2'); // walls
  p.fill(polygon([[76, 114], [160, 50], [244, 114]]), '#a9442f'); // roof
  p.fill(rect(148, 146, 172, 198, 2), '#6b3f22').fill(circle(167, 174, 2), '#f2d36b'); // door
  for (const x of [104, 188]) p.fill(rect(x, 128, x + 30, 156, 2), '#ffffff').fill(rect(x + 3, 131, x + 27, 153), '#8fcdf2').fill(rect(x + 14, 131, x + 16, 153), '#ffffff');
  p.fill(rect(265, 140, 277, 204, 3), '#74502e'); // tree
  p.fill(union(circle(271, 122, 28), circle(252, 138, 20), circle(290, 138, 20)), radial(265, 112, 50, '#6cc04a', '#2f7a22'));
  return p;
}

function sunset(): Picture {
  const p = new Picture(W, H).fill(everywhere, vertical([0, '#3b2a73'], [70, '#c1487a'], [140, '#ffb347']));
  p.fill(circle(160, 142, 34), '#ffe08a');
  p.fill(rect(0, 140, W, H), vertical([140, '#24406e'], [H, '#0f1f3d']));
  for (let i = 0; i < 9; i++) {
    const y = 148 + i * 9, half = 30 - i * 2.6;
    p.fill(rect(160 - half, y, 160 + half, y + 2.5, 1.2), '#ffd27a', 0.8 - i * 0.07); // the sun's reflection
  }
  p.fill(polygon([[60, 176], [110, 176], [100, 188], [70, 188]]), '#2a1b12'); // boat
  p.fill(line(84, 176, 84, 110, 2.5), '#2a1b12').fill(polygon([[87, 114], [87, 172], [118, 172]]), '#f3ece0');
  for (const [x, y] of [[220, 60], [240, 72], [205, 76]] as const) {
    p.fill(line(x - 8, y - 3, x, y, 1.8), '#2a1b3a').fill(line(x, y, x + 8, y - 3, 1.8), '#2a1b3a'); // birds
  }
  return p;
}

function apple(): Picture {
  const p = new Picture(W, H).fill(everywhere, vertical([0, '#e9edf2'], [150, '#d6dde6']));
  p.fill(rect(0, 150, W, H), (x, y) => mix(hex('#a8713f'), hex('#8a5a30'), 0.5 + 0.5 * Math.sin(y * 0.35 + Math.sin(x * 0.03) * 3)));
  p.fill(ellipse(166, 200, 70, 12), '#5e3c1f', 0.55);
  const skin = radial(135, 110, 105, '#ff6b5a', '#a3131a');
  p.fill(union(circle(140, 142, 58), circle(186, 142, 58), ellipse(163, 168, 66, 40)), skin);
  p.fill(ellipse(132, 118, 13, 20, -0.5), '#ffd3c8', 0.7); // highlight
  p.fill(line(163, 94, 170, 66, 6), '#5b3a1e');
  p.fill(ellipse(192, 74, 24, 10, -0.5), radial(185, 72, 26, '#8fd15c', '#3d8a2a'));
  return p;
}

/** The app icon: an iris (a blue-violet ring around a pupil) on indigo. `inset` shrinks it for maskable icons. */
function icon(size: number, inset = 1): Picture {
  const s = size / 512;
  const c = size / 2;
  const p = new Picture(size, size).fill(everywhere, radial(c, c * 0.6, size, '#4f46e5', '#312e81'));
  const r = 190 * s * inset;
  p.fill(circle(c, c, r + 14 * s), '#ffffff');
  p.fill(circle(c, c, r), radial(c, c, r, '#67e8f9', '#4338ca'));
  for (let i = 0; i < 24; i++) {
    const a = (i / 24) * Math.PI * 2;
    p.fill(line(c + Math.cos(a) * r * 0.45, c + Math.sin(a) * r * 0.45, c + Math.cos(a) * r * 0.92, c + Math.sin(a) * r * 0.92, 5 * s), '#a5f3fc', 0.45);
  }
  p.fill(circle(c, c, r * 0.4), '#0b0a1f');
  p.fill(circle(c - r * 0.16, c - r * 0.16, r * 0.11), '#ffffff');
  return p;
}

export async function main(): Promise<number> {
  const samples = { cat, car, house, sunset, apple };
  const out = (path: string, bytes: Uint8Array) => {
    mkdirSync(dirname(join(ROOT, path)), { recursive: true });
    writeFileSync(join(ROOT, path), bytes);
    console.log(`${path}: ${(bytes.length / 1024).toFixed(1)} KiB`);
  };
  for (const [name, draw] of Object.entries(samples)) out(`public/samples/${name}.png`, await draw().png());
  out('public/icons/icon-192.png', await icon(192).png());
  out('public/icons/icon-512.png', await icon(512).png());
  out('public/icons/icon-maskable-512.png', await icon(512, 0.72).png()); // inside the maskable safe zone (80%)
  out('public/icons/apple-touch-icon.png', await icon(180).png());
  return 0;
}
