// gemv.wgsl — the decoding-step matmul (M ≤ 4 rows of A: one token per beam):
// C = activate(A · op(B) + bias) + residual, each output's sum over K split between SPLIT invocations
// and added up in workgroup memory. Layouts, bindings and epilogue: matmul-common.wgsl.
//
// Why not matmul.wgsl: with M ≤ 4 the work is one read of B, and streaming B takes many workgroups in
// flight; 4×128 output tiles that each walk all of K give N = 768 only 6 workgroups. Here a workgroup
// of 256 invocations owns 256 / SPLIT column slots:
//   TRANS_B  (B [N, K]): slot = t / SPLIT is column n; its SPLIT invocations read B's row n as strided
//            vec4s (coalesced), each summing all M rows: a slot's partial is a vec4 over rows.
//            Dispatch (ceil(N / (256 / SPLIT)), 1, batch).
//   !TRANS_B (B [K, N]): slot = t % VEC (VEC = 256 / SPLIT) is columns 4·slot .. 4·slot + 3; invocation
//            t reads rows k ≡ t / VEC (mod SPLIT), VEC consecutive vec4 per row of B (coalesced): a
//            slot's partial is a vec4 over columns, one per row m.
//            Dispatch (ceil(N / (4·VEC)), 1, batch).
// The SPLIT partials of a slot are halved down to one with a barrier per step.

override TRANS_B: bool = true;
override SPLIT: u32 = 32u; // power of two, at most 256
const WG = 256u;
const MAX_ROWS = 4u;

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
  if (TRANS_B) {
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
  } else {
    let VEC = WG / SPLIT;
    let slot = t % VEC;
    let s = t / VEC;
    let n = (wg.x * VEC + slot) * 4u;
    var acc: array<vec4<f32>, MAX_ROWS>; // acc[m]: row m's partial sums for columns n .. n + 3
    if (n < p.N) {
      for (var k = s; k < p.K; k += SPLIT) {
        let b = loadB(batch, (k * p.ldb + n) / 4u);
        for (var m = 0u; m < p.M; m++) { acc[m] += loadA(batch, m, k / 4u)[k % 4u] * b; }
      }
    }
    for (var m = 0u; m < p.M; m++) {
      partial[slot * SPLIT + s] = acc[m];
      reduceSlot(slot, s);
      if (s == 0u) {
        let sums = partial[slot * SPLIT];
        for (var j = 0u; j < 4u; j++) {
          if (n + j < p.N) { store(batch, m, n + j, sums[j]); }
        }
      }
    }
  }
}
