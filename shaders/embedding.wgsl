// embedding.wgsl — token (+ position) embedding gather:
//   y[b, t, :] = table[ids[b, t], :] + positions[t + positionOffset, :]
//
// Layouts:
//   ids        [B, L] i32 (u32 ids are read as i32: any id ≥ 2³¹ is out of range like a negative one)
//   table      [V, H] element type WT (f32 or f16)
//   positions  [P, H] WT (HAS_POSITIONS); the wrapper checks positionOffset + L ≤ P
//   y          [B, L, H] f32
// An id outside [0, V) yields a row of zeros: a bad id never reads out of bounds.
//
// One invocation per output element; workgroup 64; dispatch (ceil(B·L·H / 64), 1, 1) split over y when it
// exceeds the per-dimension limit (index = x + y · 65535 · 64).

override HAS_POSITIONS: bool = false;

struct Params { tokens: u32, L: u32, H: u32, V: u32, positionOffset: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> ids: array<i32>;
@group(0) @binding(2) var<storage, read> table: array<WT>;
@group(0) @binding(3) var<storage, read> positions: array<WT>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * 65535u * 64u;
  if (i >= p.tokens * p.H) { return; }
  let token = i / p.H;
  let c = i % p.H;
  let id = ids[token];
  if (id < 0 || u32(id) >= p.V) {
    y[i] = 0.0;
    return;
  }
  var value = f32(table[u32(id) * p.H + c]);
  if (HAS_POSITIONS) { value += f32(positions[(token % p.L + p.positionOffset) * p.H + c]); }
  y[i] = value;
}
