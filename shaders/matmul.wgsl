// matmul.wgsl — C = activate(A · op(B) + bias) + residual, batched, register-blocked, vec4 loads.
//
// Layouts, bindings and epilogue: matmul-common.wgsl.
//
// Tiles are specialised by override constants (set by the wrapper): a workgroup of WG_X × WG_Y
// invocations, each computing a 4×4 block of C, owns a (4·WG_Y) × (4·WG_X) tile and walks K in steps of
// 16 through two workgroup-memory tiles of vec4 (one 4-row column of A and one 4-column row of B per k,
// so the inner loop does 2 vec4 loads per 4 vec4 FMAs). 16×16 → 64×64 tiles for prefill-sized M; 32×1
// → 4×128 for a decoding step (M ≤ 4) with a [K, N] weight; with a [N, K] weight decoding steps go to
// gemv-subgroups.wgsl / gemv.wgsl. Dispatch (ceil(N / (4·WG_X)), ceil(M / (4·WG_Y)), batch).

override TRANS_B: bool = true;
override WG_X: u32 = 16u; // invocations along N (4 columns each)
override WG_Y: u32 = 16u; // invocations along M (4 rows each)

const TILE_K = 16u; // K per step

// k-major: As[k · WG_Y + i] holds A[m0 + 4i .. 4i + 3, k], Bs[k · WG_X + j] holds B[k, n0 + 4j .. 4j + 3].
var<workgroup> As: array<vec4<f32>, TILE_K * WG_Y>;
var<workgroup> Bs: array<vec4<f32>, TILE_K * WG_X>;

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) tid: u32) {
  let THREADS = WG_X * WG_Y;
  let m0 = wg.y * 4u * WG_Y;
  let n0 = wg.x * 4u * WG_X;
  let batch = wg.z;
  let aBase = batch * p.batchStrideA;
  let bBase = batch * p.batchStrideB;

  var acc: array<vec4<f32>, 4>; // acc[i] = C[m0 + 4·ly + i, n0 + 4·lx .. +3]

  for (var k0 = 0u; k0 < p.K; k0 += TILE_K) {
    // A tile: 4·WG_Y rows × 4 vec4 (16 k), each vec4 spread over 4 k-rows of As.
    for (var i = tid; i < WG_Y * 16u; i += THREADS) {
      let row = i / 4u;
      let kv = i % 4u;
      let m = m0 + row;
      let k = k0 + kv * 4u;
      var v = vec4<f32>(0.0);
      if (m < p.M && k < p.K) { v = A[(aBase + m * p.lda + k) / 4u]; }
      for (var c = 0u; c < 4u; c++) { As[(kv * 4u + c) * WG_Y + row / 4u][row % 4u] = v[c]; }
    }
    // B tile: 16 k × 4·WG_X n.
    if (TRANS_B) {
      for (var i = tid; i < WG_X * 16u; i += THREADS) {
        let col = i / 4u;
        let kv = i % 4u;
        let n = n0 + col;
        let k = k0 + kv * 4u;
        var v = vec4<f32>(0.0);
        if (n < p.N && k < p.K) { v = vec4<f32>(B[(bBase + n * p.ldb + k) / 4u]); }
        for (var c = 0u; c < 4u; c++) { Bs[(kv * 4u + c) * WG_X + col / 4u][col % 4u] = v[c]; }
      }
    } else {
      for (var i = tid; i < TILE_K * WG_X; i += THREADS) {
        let kr = i / WG_X;
        let nv = i % WG_X;
        let k = k0 + kr;
        let n = n0 + nv * 4u;
        var v = vec4<f32>(0.0);
        if (k < p.K && n < p.N) { v = vec4<f32>(B[(bBase + k * p.ldb + n) / 4u]); }
        Bs[kr * WG_X + nv] = v;
      }
    }
    workgroupBarrier();

    for (var kk = 0u; kk < TILE_K; kk++) {
      let a = As[kk * WG_Y + lid.y];
      let b = Bs[kk * WG_X + lid.x];
      acc[0] += a.x * b;
      acc[1] += a.y * b;
      acc[2] += a.z * b;
      acc[3] += a.w * b;
    }
    workgroupBarrier();
  }

  for (var i = 0u; i < 4u; i++) {
    let m = m0 + lid.y * 4u + i;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + lid.x * 4u + j;
      if (n >= p.N) { break; }
      store(batch, m, n, acc[i][j]);
    }
  }
}
