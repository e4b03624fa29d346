/**
 * Where the image comes from: drag and drop, paste, a file picker, the camera, or a bundled sample. Every
 * path ends in one Blob, shown in the preview and handed to the tasks (the worker decodes it).
 */
import { setupCamera } from './camera';
import { byId, element } from './dom';
import { t } from './i18n';

export interface PickedImage {
  blob: Blob;
  /** What the image shows, for the preview's alternative text. */
  description: string;
}

/** The bundled samples (public/samples, drawn by scripts/make-samples.ts). */
export const SAMPLES = [
  { file: 'cat.png', description: t('sample.cat') },
  { file: 'car.png', description: t('sample.car') },
  { file: 'house.png', description: t('sample.house') },
  { file: 'sunset.png', description: t('sample.sunset') },
  { file: 'apple.png', description: t('sample.apple') },
];

export function setupImageInput(onImage: (image: PickedImage) => void): { current(): PickedImage | null } {
  const drop = byId('drop');
  const preview = byId<HTMLImageElement>('preview');
  const error = byId('image-error');
  const fileInput = byId<HTMLInputElement>('file');
  let current: PickedImage | null = null;
  let objectUrl: string | undefined;

  const show = (blob: Blob, description: string) => {
    if (blob.type && !blob.type.startsWith('image/')) {
      error.textContent = t('image.notImage', { type: blob.type });
      return;
    }
    error.textContent = '';
    if (objectUrl) URL.revokeObjectURL(objectUrl);
    objectUrl = URL.createObjectURL(blob);
    preview.src = objectUrl;
    preview.alt = t('image.previewAlt', { description });
    drop.dataset.empty = 'false';
    current = { blob, description };
    onImage(current);
  };

  byId('choose-file').addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    if (file) show(file, file.name);
    fileInput.value = ''; // choosing the same file again still fires `change`
  });

  // Drag and drop onto the preview; a drop anywhere else must not make the browser open the file instead.
  for (const type of ['dragover', 'drop'] as const) window.addEventListener(type, (event) => event.preventDefault());
  drop.addEventListener('dragenter', () => drop.classList.add('dragging'));
  drop.addEventListener('dragleave', (event) => {
    if (!drop.contains(event.relatedTarget as Node | null)) drop.classList.remove('dragging');
  });
  drop.addEventListener('drop', (event) => {
    drop.classList.remove('dragging');
    const file = [...(event.dataTransfer?.files ?? [])].find((f) => f.type.startsWith('image/'));
    if (file) show(file, file.name);
    else error.textContent = t('image.dropNotImage');
  });

  // Paste anywhere: an image on the clipboard replaces the current one (text still pastes into the fields).
  document.addEventListener('paste', (event) => {
    const file = [...(event.clipboardData?.files ?? [])].find((f) => f.type.startsWith('image/'));
    if (!file) return;
    event.preventDefault();
    show(file, t('image.pasted'));
  });

  const samples = byId('samples');
  for (const sample of SAMPLES) {
    const button = element('button', 'sample');
    button.type = 'button';
    button.setAttribute('aria-label', t('image.sample', { description: sample.description }));
    const thumbnail = element('img');
    thumbnail.src = `/samples/${sample.file}`;
    thumbnail.alt = '';
    thumbnail.width = 80;
    thumbnail.height = 60;
    button.append(thumbnail);
    button.addEventListener('click', async () => {
      try {
        const response = await fetch(`/samples/${sample.file}`);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        show(await response.blob(), sample.description);
      } catch (e) {
        error.textContent = t('image.sampleFailed', { error: String(e) });
      }
    });
    samples.append(button);
  }

  setupCamera({
    onOpen: () => {
      preview.hidden = true;
      drop.dataset.camera = 'true';
    },
    onClose: () => {
      preview.hidden = false;
      delete drop.dataset.camera;
    },
    onPhoto: (photo) => show(photo, t('image.fromCamera')),
    onError: (message) => (error.textContent = message),
  });

  return { current: () => current };
}
