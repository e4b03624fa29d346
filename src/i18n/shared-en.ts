/**
 * The English messages the web components and the demo share: model-load progress, the components'
 * accessible names, and one explanation per IrisError code (what happened and what to do). The API's own
 * `IrisError.message` stays English and specific; these are what a person reads next to it.
 */
import type { IrisErrorCode } from '../errors';

export const sharedEn = {
  'progress.downloading': 'Downloading the model…',
  'progress.downloadingBytes': 'Downloading the model: {done} of {total} ({percent}%)',
  'progress.uploading': 'Uploading the weights to the GPU…',
  'progress.compiled': 'Compiled {n} GPU pipelines',
  'progress.compiling': 'Compiling the GPU shaders…',
  'progress.ready': 'Ready',
  'component.bars': 'Labels, most likely first',
  'component.loading': 'Model loading',
  'error.details': 'Details:',
  'error.unknown': 'Something went wrong.',
  'error.webgpu-unavailable': 'WebGPU is not available: this browser gives the page no GPU. Use a browser with WebGPU (Chrome or Edge 113+, Safari 26+, Firefox 141+) with hardware acceleration on.',
  'error.device-lost': 'The GPU was lost (a driver reset, or the system reclaimed it). Try again: Iris sets the GPU up anew.',
  'error.gpu-error': 'The GPU reported an error, often too little GPU memory for this model. Close other GPU-heavy tabs or pick a smaller model.',
  'error.non-finite': 'The model produced invalid numbers (NaN or infinity) on this GPU. Try again, or try another model or browser.',
  'error.numerical-error': 'The model produced invalid numbers (NaN or infinity) while writing, so it could not go on. With half-precision (f16) weights, loading it in f32 may help; otherwise try another model.',
  'error.safetensors-invalid': 'The weights file is damaged or not a safetensors file. Delete the model below and load it again.',
  'error.tensor-missing': 'The weights file lacks a parameter this model needs: it is not a checkpoint of this model type.',
  'error.tensor-shape': 'A parameter in the weights file has the wrong shape for this model’s configuration.',
  'error.unsupported-model': 'Iris cannot run this type of model. Pick one of the listed models.',
  'error.bad-config': 'The model’s configuration files are missing fields or malformed.',
  'error.bad-image': 'This image cannot be used: it is empty, cannot be decoded, or is far too large. Try a PNG, JPEG or WebP image.',
  'error.bad-input': 'The input is not valid. Check the fields and try again.',
  'error.tokenizer': 'The model’s tokenizer files are missing or malformed.',
  'error.download-failed': 'The download failed. Check the connection and try again; the bundled tiny models work offline.',
  'error.integrity-mismatch': 'A downloaded file is not the one the model catalogue expects (its size or checksum differs), so nothing of it was kept. Try again later, or from another network.',
  'error.aborted': 'Cancelled.',
  'error.not-enough-storage': 'There is not enough storage space on this device for this model. Delete models you no longer need, or free up disk space.',
  'error.quota-exceeded': 'The browser refused to store more data for this site. Delete models you no longer need, or free up disk space.',
  'error.cache-corrupt': 'A stored file failed its check and was removed. Try again: it is downloaded anew.',
} as const satisfies Record<string, string> & Record<`error.${IrisErrorCode}`, string>;

export type SharedKey = keyof typeof sharedEn;
