// similarity.wgsl — dot products of query vectors with the rows of one segment of a stored matrix (a
// matrix–vector product per query: retrieval scores):
//   scores[q, base + r] = Σ_d queries[q, d] · M[r, d]      for r < rows
//
// Layouts (row-major):
//   M        [rows, dim4] WT: f32, or f16 (the wrapper prepends `enable f16; alias WT = f16;`), rows
//            zero-padded to dim4 (a multiple of 4) so each row is whole vec4s; accumulation is f32
//   queries  [Q, dim4] f32, zero-padded like M
//   scores   [Q, n] f32 (row stride n); this dispatch writes columns base .. base + rows
//
// Workgroup 256 = 32 matrix rows × 8 lanes: lane l of a row sums the vec4s l, l + 8, l + 16, … (neighbouring
// lanes read neighbouring memory), and the 8 partial sums meet in workgroup memory. One workgroup row per
// query. Dispatch (ceil(rows / 32), Q).

struct Params {
  rows: u32,
  vecs: u32,  // row length in vec4s: dim4 / 4
  n: u32,     // row stride of scores
  base: u32,  // first column this dispatch writes
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> M: array<vec4<WT>>;
@group(0) @binding(2) var<storage, read> queries: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> scores: array<f32>;

const LANES = 8u;
const ROWS_PER_GROUP = 32u;

var<workgroup> partial: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let q = wg.y;
  let local = tid / LANES;
  let lane = tid % LANES;
  let r = wg.x * ROWS_PER_GROUP + local;
  var sum = 0.0;
  if (r < p.rows) {
    let rowStart = r * p.vecs;
    let queryStart = q * p.vecs;
    for (var v = lane; v < p.vecs; v += LANES) {
      sum += dot(vec4<f32>(M[rowStart + v]), queries[queryStart + v]);
    }
  }
  partial[tid] = sum;
  workgroupBarrier();
  if (lane == 0u && r < p.rows) {
    var total = 0.0;
    for (var l = 0u; l < LANES; l++) { total += partial[tid + l]; }
    scores[q * p.n + p.base + r] = total;
  }
}
