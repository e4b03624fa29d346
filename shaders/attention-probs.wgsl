// attention-probs.wgsl — the explicit attention probabilities softmax_j(q_i · k_j · scale | mask), for
// attention maps. Same inputs, mask rule and numerics as attention.wgsl (which never materialises them).
//
// Layouts: q, k are f32 heads views, element (b, t, h, d) at offset + b · batchStride + t · rowStride +
// h · D + d. probs is [batch, heads, queryLen, keyLen] f32. Mask: attention-mask.wgsl (uniform flags).
// A query with no visible key gets a row of zeros.
//
// One workgroup of 128 invocations per (query, head, batch) row. The scores are written to the output row
// first and then turned into probabilities in place (max and sum by workgroup-reduce.wgsl).
// Dispatch grid1d(batch · heads · queryLen): row index wg.x + wg.y · 65535.

override D: u32;

struct Params {
  batch: u32, heads: u32, queryLen: u32, keyLen: u32,
  qOffset: u32, qRowStride: u32, qBatchStride: u32,
  kOffset: u32, kRowStride: u32, kBatchStride: u32,
  causal: u32, hasPadding: u32, paddingF32: u32, paddingStride: u32, prefixLength: u32, queryOffset: u32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> padding: array<u32>;
@group(0) @binding(4) var<storage, read_write> probs: array<f32>;

var<workgroup> query: array<f32, D>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let row = wg.x + wg.y * 65535u;
  if (row >= p.batch * p.heads * p.queryLen) { return; } // uniform per workgroup
  let i = row % p.queryLen;
  let h = (row / p.queryLen) % p.heads;
  let b = row / (p.queryLen * p.heads);
  let qAbs = i + p.queryOffset;
  let base = row * p.keyLen;

  for (var d = tid; d < D; d += WG) { query[d] = q[p.qOffset + b * p.qBatchStride + i * p.qRowStride + h * D + d]; }
  workgroupBarrier();

  var m = MASKED;
  for (var j = tid; j < p.keyLen; j += WG) {
    var s = MASKED;
    if (visible(b, qAbs, j)) {
      let kBase = p.kOffset + b * p.kBatchStride + j * p.kRowStride + h * D;
      var qk = 0.0;
      for (var d = 0u; d < D; d++) { qk += query[d] * k[kBase + d]; }
      s = qk * p.scale;
    }
    probs[base + j] = s;
    m = max(m, s);
  }
  let rowMax = workgroupReduce(tid, m, true);

  var sum = 0.0;
  if (rowMax > MASKED) {
    for (var j = tid; j < p.keyLen; j += WG) {
      let s = probs[base + j];
      if (s > MASKED) { sum += exp(s - rowMax); }
    }
  }
  let total = workgroupReduce(tid, sum, false);
  let inverse = select(0.0, 1.0 / total, total > 0.0); // no visible key → zeros

  for (var j = tid; j < p.keyLen; j += WG) {
    let s = probs[base + j];
    probs[base + j] = select(0.0, exp(s - rowMax) * inverse, s > MASKED);
  }
}
