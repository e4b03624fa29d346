// gemv.wgsl — the decoding-step matmul (M ≤ 4 rows of A: one token per beam) for a weight B [N, K]:
// C = activate(A · Bᵀ + bias) + residual, each output's sum over K split between SPLIT invocations and
// added up in workgroup memory; gemv-subgroups.wgsl does the same with subgroupAdd where the adapter has
// subgroups. Layouts, bindings and epilogue: matmul-common.wgsl.
//
// Why not matmul.wgsl: with M ≤ 4 the work is one read of B, and streaming B takes many workgroups in
// flight; 4×128 output tiles that each walk all of K give N = 768 only 6 workgroups. Here a workgroup of
// 256 invocations owns 256 / SPLIT columns: slot = t / SPLIT is column n, and its SPLIT invocations read
// row n of B as strided vec4s (coalesced), each summing all M rows, so a slot's partial is a vec4 over
// rows. The SPLIT partials are halved down to one with a barrier per step.
// Dispatch (ceil(N / (256 / SPLIT)), 1, batch).

override SPLIT: u32 = 32u; // power of two, at most 256
const WG = 256u;

var<workgroup> partial: array<vec4<f32>, WG>;

// Sums partial[slot·SPLIT + s] over s into partial[slot·SPLIT]. Every invocation calls it (barriers).
fn reduceSlot(slot: u32, s: u32) {
  for (var stride = SPLIT / 2u; stride > 0u; stride /= 2u) {
    workgroupBarrier();
    if (s < stride) { partial[slot * SPLIT + s] += partial[slot * SPLIT + s + stride]; }
  }
  workgroupBarrier();
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let batch = wg.z;
  let kVecs = p.K / 4u;
  let slot = t / SPLIT;
  let s = t % SPLIT;
  let n = wg.x * (WG / SPLIT) + slot;
  var acc = vec4<f32>(0.0); // acc[m]: row m's partial dot product
  if (n < p.N) {
    for (var kv = s; kv < kVecs; kv += SPLIT) {
      let b = loadB(batch, n * p.ldb / 4u + kv);
      for (var m = 0u; m < p.M; m++) { acc[m] += dot(loadA(batch, m, kv), b); }
    }
  }
  partial[t] = acc;
  reduceSlot(slot, s);
  if (s == 0u && n < p.N) {
    for (var m = 0u; m < p.M; m++) { store(batch, m, n, partial[t][m]); }
  }
}
