/**
 * Adapter and device acquisition. Limits are raised to what the adapter allows (ViT-B weights need
 * storage bindings far above the 128 MiB default) and `shader-f16` is requested where it exists.
 */
import { IrisError } from '../errors';

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
}

export interface DeviceFeatures {
  /** WGSL `enable f16;` is available: f16 weights stay f16 on the GPU. */
  f16: boolean;
  /** WGSL `enable subgroups;` is available (subgroupAdd in the decoding-step matmul). */
  subgroups: boolean;
  /** The adapter's largest subgroup size where it says (GPUAdapterInfo.subgroupMaxSize), else 0. */
  subgroupMaxSize: number;
  timestampQuery: boolean;
}

export interface AcquiredDevice {
  device: GPUDevice;
  adapter: AdapterDescription;
  features: DeviceFeatures;
}

export interface DeviceOptions {
  powerPreference?: GPUPowerPreference;
  /** Ignore shader-f16 even where present (tests of the f32 fallback, or a debugging aid). */
  disableF16?: boolean;
  /** Ignore `subgroups` even where present (tests of the workgroup-memory fallback). */
  disableSubgroups?: boolean;
}

/** The limits worth raising to the adapter's maximum for large models. */
const RAISED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

/** `navigator.gpu` in a page or worker; undefined elsewhere (pass Dawn's `create([])` in Node). */
export function defaultGpu(): GPU | undefined {
  return (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
}

export async function acquireDevice(gpu: GPU | undefined = defaultGpu(), options: DeviceOptions = {}): Promise<AcquiredDevice> {
  const hint =
    'Iris needs WebGPU: use a recent Chrome or Edge (113+), Safari 26+, or Firefox 141+ on Windows; ' +
    'on Linux Chrome may need chrome://flags/#enable-unsafe-webgpu. The page must be served over https or localhost.';
  if (!gpu) throw new IrisError('webgpu-unavailable', 'WebGPU is not available in this browser (navigator.gpu is missing).', { hint });

  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  } catch (cause) {
    throw new IrisError('webgpu-unavailable', 'WebGPU could not look for a GPU adapter.', { cause, hint });
  }
  if (!adapter) {
    throw new IrisError('webgpu-unavailable', 'WebGPU is present but no GPU adapter was found (the GPU may be blocklisted or disabled).', { hint });
  }

  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const requiredFeatures: GPUFeatureName[] = [];
  const f16 = adapter.features.has('shader-f16') && !options.disableF16;
  if (f16) requiredFeatures.push('shader-f16');
  const subgroups = adapter.features.has('subgroups' as GPUFeatureName) && !options.disableSubgroups;
  if (subgroups) requiredFeatures.push('subgroups' as GPUFeatureName);
  const timestampQuery = adapter.features.has('timestamp-query');
  if (timestampQuery) requiredFeatures.push('timestamp-query');

  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  } catch (cause) {
    throw new IrisError('webgpu-unavailable', 'The GPU adapter refused to create a device.', { cause, hint });
  }
  const info = adapter.info;
  return {
    device,
    adapter: {
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description || `${info.vendor} ${info.architecture}`.trim(),
      isFallbackAdapter: (info as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false,
    },
    features: { f16, subgroups, subgroupMaxSize: subgroups ? (info as { subgroupMaxSize?: number }).subgroupMaxSize ?? 0 : 0, timestampQuery },
  };
}
