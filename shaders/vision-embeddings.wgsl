// vision-embeddings.wgsl — a ViT's input sequence: the class token prepended to the patch embeddings, plus
// the position embeddings.
//   y[b, 0, :] = classToken + positions[0, :]
//   y[b, t, :] = patches[b, t - 1, :] + positions[t, :]     for 1 ≤ t ≤ N
//
// Layouts:
//   patches     [B, N, H] f32
//   classToken  [H] and positions [N + 1, H], element type WT (f32 or f16)
//   y           [B, N + 1, H] f32
//
// One invocation per output element; workgroup 64; dispatch (ceil(B·(N+1)·H / 64), 1, 1) split over y when it
// exceeds the per-dimension limit (index = x + y · 65535 · 64).

struct Params { batch: u32, N: u32, H: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> patches: array<f32>;
@group(0) @binding(2) var<storage, read> classToken: array<WT>;
@group(0) @binding(3) var<storage, read> positions: array<WT>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * 65535u * 64u;
  let tokens = p.N + 1u;
  if (i >= p.batch * tokens * p.H) { return; }
  let c = i % p.H;
  let t = (i / p.H) % tokens;
  let b = i / (p.H * tokens);
  var value: f32;
  if (t == 0u) {
    value = f32(classToken[c]);
  } else {
    value = patches[(b * p.N + t - 1u) * p.H + c];
  }
  y[i] = value + f32(positions[t * p.H + c]);
}
