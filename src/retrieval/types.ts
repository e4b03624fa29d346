/** The retrieval API's plain data: what crosses the page ↔ worker boundary (structured-clonable). */

/** How stored vectors are kept (IndexedDB and GPU): f16 halves the space; f32 is exact. */
export type VectorPrecision = 'f16' | 'f32';

/** An image to index under a key of the caller's choosing (a File is keyed by its path, see `fileKey`). */
export interface IndexItem {
  key: string;
  /** A File/Blob, encoded image bytes, decoded pixels, or a URL (fetched by the worker). */
  image: Blob | ArrayBuffer | ImageData | { width: number; height: number; data: Uint8Array | Uint8ClampedArray } | string;
  /**
   * What makes this key's content "the same" on a later add: when the key is indexed with this version
   * already, the image is not read or embedded again. Default: size:lastModified for a File, size for a Blob,
   * '' otherwise (a key indexed once is never re-embedded unless its version changes).
   */
  version?: string;
}

export interface IndexOpenOptions {
  /**
   * The CLIP model whose embeddings the index holds. An index with vectors of another model is refused;
   * omitted: the model the index was built with (a new index gets the default zero-shot model).
   */
  model?: string;
  /** Storage precision of a NEW index (an existing one keeps its own). Default 'f16'. */
  precision?: VectorPrecision;
}

export interface IndexInfo {
  name: string;
  model: string;
  /** Embedding size; 0 until the first image is embedded. */
  dim: number;
  precision: VectorPrecision;
  /** Images in the index. */
  size: number;
  /** Bytes of stored vectors (not counting keys). */
  vectorBytes: number;
  /** Increases with every committed change. */
  version: number;
}

export interface IndexAddOptions {
  /** Images per forward pass and per committed batch (default 16). */
  batchSize?: number;
}

/** Why a file was not indexed. */
export type SkipReason =
  | 'not-an-image' // its MIME type says it is something else (text/plain, video/mp4, ...)
  | 'empty' // 0 bytes
  | 'unreadable' // the file could not be read (deleted or moved since it was picked, permission, network)
  | 'undecodable'; // not an image format this browser can decode, corrupt, or too large

export interface SkippedFile {
  key: string;
  reason: SkipReason;
  message: string;
}

export interface IndexAddProgress {
  /** Items in this add() call. */
  total: number;
  /** Items dealt with so far (embedded, unchanged or skipped). */
  processed: number;
  /** Images embedded and committed so far in this call. */
  embedded: number;
  /** Already indexed with the same version: not read, not embedded. */
  unchanged: number;
  skipped: number;
  /** Images in the index now. */
  size: number;
}

export interface IndexAddResult {
  /** New keys. */
  added: number;
  /** Keys indexed before whose version changed: embedded again, the old vector replaced. */
  updated: number;
  unchanged: number;
  skipped: SkippedFile[];
  skippedByReason: Record<SkipReason, number>;
  /** Images in the index now. */
  size: number;
  ms: number;
  /** Embedded images per second of this call (decode + preprocess + forward + storage). */
  imagesPerSecond: number;
}

/** A search query: text, an image, an indexed key ("more like this"), or an embedding. */
export type IndexQuery =
  | string
  | { key: string }
  | { vector: Float32Array }
  | Exclude<IndexItem['image'], string>
  | ImageBitmap;

export interface IndexSearchOptions {
  /** How many results (default 20). */
  topK?: number;
}

export interface IndexHit {
  key: string;
  /** Cosine similarity of the query and the image embedding, in [-1, 1]. */
  score: number;
}

export interface IndexSearchResult {
  hits: IndexHit[];
  size: number;
  /** Milliseconds of the whole request in the worker (query embedding included). */
  ms: number;
  /** Milliseconds of the GPU scoring + top-K (upload of changed rows included). */
  searchMs: number;
}

export interface RankedText {
  text: string;
  /** Position in the list that was passed. */
  index: number;
  /** Cosine similarity with the image. */
  score: number;
}
