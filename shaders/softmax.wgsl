// softmax.wgsl — y = softmax(x + mask) over the last axis, numerically stable (the row maximum is
// subtracted before exp).
//
// Layouts (row-major f32):
//   x     [rows, L]
//   mask  [maskRows, L], ADDITIVE (0 keeps, -inf removes), row r uses mask row r % maskRows (HAS_MASK)
//   y     [rows, L]
// A row whose every entry is -inf (fully masked) is written as zeros rather than NaN. Large finite negative
// masks (torch.finfo.min) are ordinary numbers: a row masked with them entirely comes out uniform, as in
// PyTorch.
//
// One workgroup of 128 invocations per row; each invocation walks the row with stride 128 and the partial
// maxima / sums are combined by workgroup-reduce.wgsl. Dispatch grid1d(rows): the row index
// is wg.x + wg.y · 65535.

override HAS_MASK: bool = false;

struct Params { rows: u32, L: u32, maskRows: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

const MAX_F32 = 0x1.fffffep+127f; // the largest finite f32

fn logit(row: u32, col: u32) -> f32 {
  var v = x[row * p.L + col];
  if (HAS_MASK) { v += mask[(row % p.maskRows) * p.L + col]; }
  return v;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let row = wg.x + wg.y * 65535u;
  if (row >= p.rows) { return; } // uniform per workgroup, so the barriers below stay uniform

  // Seed with a real element of the row (not a finite sentinel) so the maximum of an all -inf row is -inf.
  var m = logit(row, min(tid, p.L - 1u));
  for (var c = tid + WG; c < p.L; c += WG) { m = max(m, logit(row, c)); }
  let rowMax = workgroupReduce(tid, m, true);

  let base = row * p.L;
  if (rowMax < -MAX_F32) { // -inf: nothing survives the mask
    for (var c = tid; c < p.L; c += WG) { y[base + c] = 0.0; }
    return;
  }

  var s = 0.0;
  for (var c = tid; c < p.L; c += WG) { s += exp(logit(row, c) - rowMax); }
  let inverse = 1.0 / workgroupReduce(tid, s, false); // ≥ 1: the maximum itself contributes exp(0)

  for (var c = tid; c < p.L; c += WG) { y[base + c] = exp(logit(row, c) - rowMax) * inverse; }
}
