// im2col.wgsl — unfolds non-overlapping p×p patches (a stride-p, kernel-p convolution's input) into rows,
// so the patch embedding becomes one matmul with the conv weight flattened to [hidden, C·p·p].
//
// Layouts (row-major f32):
//   pixels  [B, C, H, W]
//   cols    [B, N, C·p·p] with N = (H/p)·(W/p); patch n = py·(W/p) + px, column (c, kh, kw) at
//           c·p·p + kh·p + kw: the order of a PyTorch Conv2d weight [hidden, C, p, p] flattened.
//
// One invocation per element of cols; workgroup 64; dispatch (ceil(total / 64), 1, 1) split over y when it
// exceeds the per-dimension limit (index = x + y · 65535 · 64).

struct Params { batch: u32, channels: u32, height: u32, width: u32, patchSize: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> pixels: array<f32>;
@group(0) @binding(2) var<storage, read_write> cols: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * 65535u * 64u;
  let patchesX = p.width / p.patchSize;
  let patches = (p.height / p.patchSize) * patchesX;
  let columns = p.channels * p.patchSize * p.patchSize;
  if (i >= p.batch * patches * columns) { return; }

  let column = i % columns;
  let n = (i / columns) % patches;
  let b = i / (columns * patches);
  let c = column / (p.patchSize * p.patchSize);
  let kh = (column / p.patchSize) % p.patchSize;
  let kw = column % p.patchSize;
  let row = (n / patchesX) * p.patchSize + kh;
  let col = (n % patchesX) * p.patchSize + kw;
  cols[i] = pixels[((b * p.channels + c) * p.height + row) * p.width + col];
}
