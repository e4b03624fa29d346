// attention.wgsl — fused multi-head scaled-dot-product attention, flash-attention style:
//   out[b, i, h, :] = Σ_j softmax_j(q_i · k_j · scale  | mask) · v_j
// computed with an online softmax (running maximum m and sum l per query, the accumulator rescaled by
// exp(m_old - m_new) whenever m grows), so no [queryLen, keyLen] matrix ever reaches global memory.
// Everything in f32.
//
// Layouts: q, k and v are f32 "heads views" of arbitrary buffers, element (b, t, h, d) at
//   offset + b · batchStride + t · rowStride + h · D + d
// which reads [B, L, H·D] activations, a packed [B, L, 3·H·D] qkv (offsets 0, H·D, 2·H·D) or a KV cache
// [B, maxLen, H·D] alike. out is [batch, queryLen, heads · D] f32.
// Mask (attention-mask.wgsl; a masked key gets probability 0, a query that sees no key at all gets zeros).
// The mask options are uniform flags, not override constants, so one pipeline per head dim serves every mask.
//
// Workgroup: 64 invocations = BQ (16) queries × LANES (4). One workgroup per (block of 16 queries, head,
// batch). The block's queries stay in workgroup memory; keys and values stream through it in tiles of
// BK (16). Per tile, the 4 lanes of a query each score 4 keys, then each lane updates its own quarter of the
// query's output (dims lane, lane + 4, …) in registers. Dispatch grid1d(queryBlocks · heads · batch).

override D: u32; // head dim, ≤ LANES · MAX_PER_LANE; sizes the workgroup arrays and unrolls the loops

struct Params {
  batch: u32, heads: u32, queryLen: u32, keyLen: u32,
  qOffset: u32, qRowStride: u32, qBatchStride: u32,
  kOffset: u32, kRowStride: u32, kBatchStride: u32,
  vOffset: u32, vRowStride: u32, vBatchStride: u32,
  causal: u32, hasPadding: u32, paddingF32: u32, paddingStride: u32, prefixLength: u32, queryOffset: u32,
  queryBlocks: u32, scale: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read> padding: array<u32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;

const BQ = 16u;
const BK = 16u;
const LANES = 4u;
const WG = BQ * LANES;
const MAX_PER_LANE = 32u;

// Rows padded by one element so rows read together at the same d fall in different memory banks.
var<workgroup> Qs: array<f32, BQ * (D + 1u)>;
var<workgroup> Ks: array<f32, BK * (D + 1u)>;
var<workgroup> Vs: array<f32, BK * D>;
var<workgroup> S: array<f32, BQ * BK>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let block = wg.x + wg.y * 65535u;
  let qBlock = block % p.queryBlocks;
  let h = (block / p.queryBlocks) % p.heads;
  let b = block / (p.queryBlocks * p.heads);
  if (b >= p.batch) { return; } // uniform per workgroup, so the barriers below stay uniform

  let q0 = qBlock * BQ;
  for (var e = tid; e < BQ * D; e += WG) {
    let r = e / D;
    let d = e % D;
    var value = 0.0;
    if (q0 + r < p.queryLen) { value = q[p.qOffset + b * p.qBatchStride + (q0 + r) * p.qRowStride + h * D + d]; }
    Qs[r * (D + 1u) + d] = value;
  }

  let row = tid / LANES;
  let lane = tid % LANES;
  let perLane = (D + LANES - 1u) / LANES; // a constant once D is specialised, so the loops unroll
  let i = q0 + row;
  let qAbs = i + p.queryOffset;

  // Causal: no query of this block sees a key past max(its last position, the prefix), so stop there.
  var keyEnd = p.keyLen;
  if (p.causal != 0u) {
    let lastAbs = min(q0 + BQ, p.queryLen) - 1u + p.queryOffset;
    keyEnd = min(p.keyLen, max(lastAbs + 1u, p.prefixLength));
  }

  var m = MASKED; // running maximum of this query's visible scores
  var l = 0.0;    // running Σ exp(score - m)
  var acc: array<f32, MAX_PER_LANE>; // acc[t] = running Σ exp(score - m) · v[lane + t · LANES]

  for (var j0 = 0u; j0 < keyEnd; j0 += BK) {
    workgroupBarrier(); // the previous tile is consumed (and, the first time, Qs is complete)
    for (var e = tid; e < BK * D; e += WG) {
      let r = e / D;
      let d = e % D;
      let j = j0 + r;
      var kv = 0.0;
      var vv = 0.0;
      if (j < p.keyLen) {
        kv = k[p.kOffset + b * p.kBatchStride + j * p.kRowStride + h * D + d];
        vv = v[p.vOffset + b * p.vBatchStride + j * p.vRowStride + h * D + d];
      }
      Ks[r * (D + 1u) + d] = kv;
      Vs[r * D + d] = vv;
    }
    workgroupBarrier();

    for (var c = lane; c < BK; c += LANES) {
      var s = MASKED;
      if (visible(b, qAbs, j0 + c)) {
        var qk = 0.0;
        for (var d = 0u; d < D; d++) { qk += Qs[row * (D + 1u) + d] * Ks[c * (D + 1u) + d]; }
        s = qk * p.scale;
      }
      S[row * BK + c] = s;
    }
    workgroupBarrier();

    // The LANES invocations of a query read the same scores, so they keep identical copies of m and l.
    var tileMax = MASKED;
    for (var c = 0u; c < BK; c++) { tileMax = max(tileMax, S[row * BK + c]); }
    if (tileMax > MASKED) {
      let mNew = max(m, tileMax);
      let correction = exp(m - mNew); // 0 while nothing was visible yet (m = MASKED)
      l *= correction;
      for (var t = 0u; t < perLane; t++) { acc[t] *= correction; }
      for (var c = 0u; c < BK; c++) {
        let s = S[row * BK + c];
        if (s > MASKED) {
          let weight = exp(s - mNew);
          l += weight;
          for (var t = 0u; t < perLane; t++) {
            let d = lane + t * LANES;
            if (d < D) { acc[t] += weight * Vs[c * D + d]; }
          }
        }
      }
      m = mNew;
    }
  }

  if (i >= p.queryLen) { return; }
  let inverse = select(0.0, 1.0 / l, l > 0.0); // l = 0: every key masked → zeros
  let base = ((b * p.queryLen + i) * p.heads + h) * D;
  for (var t = 0u; t < perLane; t++) {
    let d = lane + t * LANES;
    if (d < D) { out[base + d] = acc[t] * inverse; }
  }
}
