// Page for the library API test: exposes createIris and a synthetic test image on window.
import { createIris } from '../../../src/index';
import { attempt, pageIris } from './page-iris';

function testImage(width = 96, height = 64): ImageData {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data.set([(x * 255) / width, (y * 255) / height, ((x + y) * 3) % 256, 255], i);
    }
  }
  return new ImageData(data, width, height);
}

// createIris too, for tests that need an Iris with other options (an unreachable Hub).
const api = Object.assign(pageIris(), { testImage, attempt, createIris });
Object.assign(window, { irisApi: api });
