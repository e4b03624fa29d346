// elementwise.wgsl — y = activate(a · factor + b, ACTIVATION), the fused element-wise kernel behind
// `activation`, `add` and `scale` (needs activations.wgsl prepended).
//
// Layouts:
//   a  [n] f32
//   b  [bSize] element type WT (f32 or f16), broadcast as b[i % bSize]: the trailing dimensions of a (HAS_B)
//   y  [n] f32
//
// One invocation per element; workgroup 64; dispatch (ceil(n / 64), 1, 1) split over y when it exceeds the
// per-dimension limit (index = x + y · 65535 · 64).

override HAS_B: bool = false;
override ACTIVATION: u32 = 0u;

struct Params { n: u32, bSize: u32, factor: f32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<WT>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * 65535u * 64u;
  if (i >= p.n) { return; }
  var v = a[i] * p.factor;
  if (HAS_B) { v += f32(b[i % p.bSize]); }
  y[i] = activate(v, ACTIVATION);
}
