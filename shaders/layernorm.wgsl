// layernorm.wgsl — y = (x - mean) / sqrt(var + eps) · weight + bias over the last axis.
//
// Layouts (row-major):
//   x       [rows, H] f32
//   weight  [H], bias [H]  element type WT (f32, or f16 behind `enable f16;`)
//   y       [rows, H] f32
// Two passes over the row in f32: the mean first, then the mean of squared deviations (never
// E[x²] - E[x]², which cancels catastrophically when |mean| ≫ std). Both passes work on x - x[row, 0]:
// that difference is exact for nearby values, so the sums stay small and a large common offset (e.g.
// activations around 1e4) costs no precision in the mean.
//
// One workgroup of 128 invocations per row; each invocation walks the row with stride 128 and the partial
// sums are combined by workgroup-reduce.wgsl. Dispatch grid1d(rows): the row index is
// wg.x + wg.y · 65535.

struct Params { rows: u32, H: u32, eps: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<WT>;
@group(0) @binding(3) var<storage, read> bias: array<WT>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let row = wg.x + wg.y * 65535u;
  if (row >= p.rows) { return; } // uniform per workgroup, so the barriers below stay uniform
  let base = row * p.H;
  let n = f32(p.H);
  let shift = x[base];

  var s = 0.0;
  for (var c = tid; c < p.H; c += WG) { s += x[base + c] - shift; }
  let mean = workgroupReduce(tid, s, false) / n; // mean of the shifted row

  var d2 = 0.0;
  for (var c = tid; c < p.H; c += WG) {
    let d = (x[base + c] - shift) - mean;
    d2 += d * d;
  }
  let inverseStd = inverseSqrt(workgroupReduce(tid, d2, false) / n + p.eps);

  for (var c = tid; c < p.H; c += WG) {
    y[base + c] = ((x[base + c] - shift) - mean) * inverseStd * f32(weight[c]) + f32(bias[c]);
  }
}
