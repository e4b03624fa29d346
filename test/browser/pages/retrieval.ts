// Page for the retrieval test: createIris, and synthetic photo Files (PNG, drawn on a canvas) on window.
import { attempt, pageIris } from './page-iris';

/** A PNG File with its own pattern; the same (name, seed, lastModified) gives the same File each time. */
async function photo(name: string, seed: number, lastModified = 1_700_000_000_000): Promise<File> {
  const canvas = new OffscreenCanvas(48, 40);
  const context = canvas.getContext('2d')!;
  for (let y = 0; y < 40; y += 4) {
    for (let x = 0; x < 48; x += 4) {
      context.fillStyle = `rgb(${(x * seed * 7) % 256}, ${(y * seed * 13) % 256}, ${((x + y) * seed * 3) % 256})`;
      context.fillRect(x, y, 4, 4);
    }
  }
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  return new File([blob], name, { type: 'image/png', lastModified });
}

const api = Object.assign(pageIris(), { photo, attempt });
Object.assign(window, { retrievalApi: api });
