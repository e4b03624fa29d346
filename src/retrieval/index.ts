/** Cross-modal retrieval: persistent image-embedding indexes searched on the GPU (see image-index.ts). */
export { ImageIndex, CHUNK_ROWS, type AddDependencies, type AddOptions, type IndexMeta, type OpenOptions } from './image-index';
export { clipEmbedder, type Embedder } from './embedder';
export { GpuMatrix, rankCandidates, type SearchHits } from './gpu-matrix';
export { indexedDbVectorStore, memoryVectorStore, StoreConflict, type StoreKey, type VectorStore } from './store';
export { decodeIndexFile, encodeIndexFile, EXPORT_MIME_TYPE, type ExportedIndex } from './format';
export { fileKey, fileVersion } from './items';
export type * from './types';
