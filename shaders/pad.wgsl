// pad.wgsl — copies a [batch, rows, cols] f32 tensor into a zero-padded [batch, rowsOut, colsOut] one.
// Used to give matmul its vec4-aligned operands when K (or N) is not a multiple of 4.
// One invocation per output element; workgroup 64; dispatch (ceil(total / 64), 1, 1) split over y when
// it exceeds the per-dimension limit (index = x + y · 65535 · 64).

struct Params { batch: u32, rows: u32, cols: u32, rowsOut: u32, colsOut: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<WT>;
@group(0) @binding(2) var<storage, read_write> dst: array<WT>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * 65535u * 64u;
  let total = p.batch * p.rowsOut * p.colsOut;
  if (i >= total) { return; }
  let col = i % p.colsOut;
  let row = (i / p.colsOut) % p.rowsOut;
  let b = i / (p.colsOut * p.rowsOut);
  var v = WT(0.0);
  if (row < p.rows && col < p.cols) { v = src[(b * p.rows + row) * p.cols + col]; }
  dst[i] = v;
}
