// select-rows.wgsl — picks one row per batch item: y[b, :] = x[b, rows[b], :]
// (CLIP's EOS-token pooling, a ViT's class token).
//
// Layouts:
//   x     [B, L, H] f32
//   rows  [B] u32 (or i32); a row outside [0, L) yields zeros, never an out-of-bounds read
//   y     [B, H] f32
//
// One invocation per output element; workgroup 64; dispatch (ceil(B·H / 64), 1, 1) split over y when it
// exceeds the per-dimension limit (index = x + y · 65535 · 64).

struct Params { batch: u32, L: u32, H: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> rows: array<u32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * 65535u * 64u;
  if (i >= p.batch * p.H) { return; }
  let b = i / p.H;
  let c = i % p.H;
  let row = rows[b]; // a negative i32 reads as ≥ 2³¹, so one test covers both
  var value = 0.0;
  if (row < p.L) { value = x[(b * p.L + row) * p.H + c]; }
  y[i] = value;
}
