// similarity.wgsl — dot products of query vectors with the rows of one segment of a stored matrix (a
// matrix–vector product per query: retrieval scores):
//   scores[q, base + r] = Σ_d queries[q, d] · M[r, d]      for r < rows
//
// Layouts:
//   M        blocked by 4 rows: vec4 v (values 4v .. 4v+3) of row r is M[(⌊r / 4⌋ · vecs + v) · 4 + r % 4],
//            vecs = dim4 / 4 vec4s per row, rows zero-padded to dim4 (a multiple of 4). Element type WT: f32,
//            or f16 (the wrapper prepends `enable f16; alias WT = f16;`); accumulation is f32.
//   queries  [Q, dim4] f32 row-major, zero-padded like M
//   scores   [Q, n] f32 (row stride n); this dispatch writes columns base .. base + rows
//
// One invocation per matrix row, no workgroup memory and no barrier. In the blocked layout the 4 rows of a
// block read 4 neighbouring vec4s at every step of their loops (32 bytes in f16, 64 in f32: whole memory
// sectors on GPUs) and each block is one sequential stream. Measured on CPU implementations at 100,000 × 512:
// lavapipe f16 ~45 ms with blocks of 4, ~80 ms row-major or with blocks of 32, ~150 ms with 8 lanes per row
// reduced through workgroup memory; SwiftShader f32 ~460 ms with blocks of 4 or row-major, ~1,300 ms with
// blocks of 32 (two busy cores, so ±30%).
// Workgroup 64; dispatch (ceil(rows / 64), Q).

struct Params {
  rows: u32,
  vecs: u32,  // vec4s per row: dim4 / 4
  n: u32,     // row stride of scores
  base: u32,  // first column this dispatch writes
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> M: array<vec4<WT>>;
@group(0) @binding(2) var<storage, read> queries: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> scores: array<f32>;

const BLOCK = 4u;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let q = gid.y;
  let r = gid.x;
  if (r >= p.rows) { return; }
  let first = (r / BLOCK) * p.vecs * BLOCK + r % BLOCK;
  let queryStart = q * p.vecs;
  var sum = vec4<f32>(0.0);
  for (var v = 0u; v < p.vecs; v++) {
    sum += vec4<f32>(M[first + v * BLOCK]) * queries[queryStart + v];
  }
  scores[q * p.n + p.base + r] = (sum.x + sum.y) + (sum.z + sum.w);
}
