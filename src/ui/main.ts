// Placeholder demo page: reports the WebGPU adapter (the full demo app replaces this).
import { acquireDevice } from '../gpu/device';
import { isIrisError } from '../errors';

const status = document.querySelector<HTMLParagraphElement>('#adapter')!;
acquireDevice().then(
  ({ adapter, features, device }) => {
    status.textContent = `WebGPU adapter: ${adapter.description} (${adapter.vendor}/${adapter.architecture})` +
      `${features.f16 ? ', shader-f16' : ''}.`;
    device.destroy();
  },
  (error: unknown) => {
    status.textContent = isIrisError(error) ? error.message : `WebGPU failed: ${String(error)}`;
  },
);
