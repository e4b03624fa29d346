/** Embedding arithmetic on the CPU: unit-length rows, scaled cosine logits, row softmax (CLIP-style scoring). */

/** Rows scaled to unit length (in place is avoided: the caller may keep the raw embeddings). */
export function l2Normalize(vectors: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(vectors.length);
  for (let r = 0; r < vectors.length / dim; r++) {
    let sum = 0;
    for (let i = 0; i < dim; i++) sum += vectors[r * dim + i]! ** 2;
    const inv = 1 / Math.max(Math.sqrt(sum), 1e-12);
    for (let i = 0; i < dim; i++) out[r * dim + i] = vectors[r * dim + i]! * inv;
  }
  return out;
}

/** logits_per_image [images, texts] = scale · (normalised image) · (normalised text)ᵀ. */
export function similarityLogits(imageEmbeds: Float32Array, textEmbeds: Float32Array, dim: number, scale: number): Float32Array {
  const images = imageEmbeds.length / dim;
  const texts = textEmbeds.length / dim;
  const a = l2Normalize(imageEmbeds, dim);
  const b = l2Normalize(textEmbeds, dim);
  const logits = new Float32Array(images * texts);
  for (let i = 0; i < images; i++) {
    for (let j = 0; j < texts; j++) {
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += a[i * dim + d]! * b[j * dim + d]!;
      logits[i * texts + j] = scale * dot;
    }
  }
  return logits;
}

/** Softmax of each row (probabilities over labels). */
export function softmaxRows(logits: Float32Array, cols: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let r = 0; r < logits.length / cols; r++) {
    const row = logits.subarray(r * cols, (r + 1) * cols);
    let max = -Infinity; // a loop, not Math.max(...row): 150,000 labels would overflow the call stack
    for (let i = 0; i < cols; i++) max = Math.max(max, row[i]!);
    let sum = 0;
    for (let i = 0; i < cols; i++) sum += out[r * cols + i] = Math.exp(row[i]! - max);
    for (let i = 0; i < cols; i++) out[r * cols + i] = out[r * cols + i]! / sum;
  }
  return out;
}
