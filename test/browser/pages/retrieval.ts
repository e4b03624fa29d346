// Page for the retrieval test: createIris, and synthetic photo Files (PNG, drawn on a canvas) on window.
import { attempt, pageIris } from './page-iris';
import { drawPhoto } from './synthetic-photo';

/** A PNG File with its own pattern; the same (name, seed, lastModified) gives the same File each time. */
async function photo(name: string, seed: number, lastModified = 1_700_000_000_000): Promise<File> {
  const blob = await drawPhoto(seed).convertToBlob({ type: 'image/png' });
  return new File([blob], name, { type: 'image/png', lastModified });
}

const api = Object.assign(pageIris(), { photo, attempt });
Object.assign(window, { retrievalApi: api });
