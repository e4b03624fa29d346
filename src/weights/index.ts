/**
 * Original Hugging Face checkpoints in the browser: Hub fetch with Range + resume, an IndexedDB cache that
 * works offline, and validated safetensors. How a model (in the worker) uses it:
 *
 *   const hub = new Hub();                                   // huggingface.co, IndexedDB 'iris-weights'
 *   const files = await hub.load({ repo: 'openai/clip-vit-base-patch32', files: ['config.json',
 *     'model.safetensors', 'tokenizer.json'], optionalFiles: ['generation_config.json'], signal, onProgress });
 *   const config = files.json('config.json');
 *   const weights = files.weights().alias('lm_head.weight', 'transformer.wte.weight');   // tied, if absent
 *   const wq = weights.upload(gpu, 'text_model.encoder.layers.0.self_attn.q_proj.weight', [512, 512], { as: 'weight' });
 *   const ln = weights.upload(gpu, 'text_model.final_layer_norm.weight', [512], { as: 'f32' });
 */
export { Hub, type HubOptions, type LoadRequest, type StorageLike } from './hub';
export { ModelFiles } from './model-files';
export { WeightSet, type UploadOptions, type WeightGpu } from './weight-set';
export { toFloat16Bits, toFloat32, toInt32, type HostTensor } from './host-tensor';
export { parseSafetensors, type SafetensorsDType } from './safetensors';
export type { LoadProgress } from './progress';
export type { PinnedFile } from './integrity';
export type { CachedModel } from './weight-cache';
export { indexedDbStore, type CacheKey, type KeyValueStore } from './cache-store';
export { DEFAULT_HUB_URL, resolveUrl } from './hub-url';
