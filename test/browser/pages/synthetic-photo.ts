// The synthetic photos the retrieval page and the demo tests pick: self-contained (no imports, no closures), so
// the Node side can also hand drawPhoto to a page that does not load this module (see demo-page.ts).

/** A 48×40 canvas of 4-pixel squares in a pattern of its own per `seed` (the same seed gives the same pixels). */
export function drawPhoto(seed: number): OffscreenCanvas {
  const canvas = new OffscreenCanvas(48, 40);
  const context = canvas.getContext('2d')!;
  for (let y = 0; y < 40; y += 4) {
    for (let x = 0; x < 48; x += 4) {
      context.fillStyle = `rgb(${(x * seed * 7) % 256}, ${(y * seed * 13) % 256}, ${((x + y) * seed * 3) % 256})`;
      context.fillRect(x, y, 4, 4);
    }
  }
  return canvas;
}
