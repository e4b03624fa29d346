// transpose.wgsl — dst [cols, rows] = srcᵀ for a row-major src [rows, cols] of WT (f32 or f16).
// Used once at load time to turn GPT-2's Conv1D weights [in, out] into nn.Linear's [out, in], the layout
// the decoding-step GEMV reads fastest.
// A 16×16 workgroup moves one 16×16 tile through workgroup memory, so both the reads of src and the
// writes of dst are row-contiguous. Dispatch (ceil(cols / 16), ceil(rows / 16), 1).

struct Params { rows: u32, cols: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<WT>;
@group(0) @binding(2) var<storage, read_write> dst: array<WT>;

const T = 16u;
var<workgroup> tile: array<array<WT, 17>, 16>; // 17: a column walk does not hit one memory bank

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row = wg.y * T + lid.y;
  let col = wg.x * T + lid.x;
  if (row < p.rows && col < p.cols) { tile[lid.y][lid.x] = src[row * p.cols + col]; }
  workgroupBarrier();
  // Thread (x, y) now writes dst row (tile column) wg.x·16 + y, column wg.y·16 + x.
  let outRow = wg.x * T + lid.y;
  let outCol = wg.y * T + lid.x;
  if (outRow < p.cols && outCol < p.rows) { dst[outRow * p.rows + outCol] = tile[lid.x][lid.y]; }
}
