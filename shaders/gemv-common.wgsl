// gemv-common.wgsl — what gemv.wgsl and gemv-subgroups.wgsl share; not a kernel on its own (the wrapper
// prepends it). Params, bindings and the epilogue are laid out as in matmul.wgsl:
//   A [batch, M, K] f32 (M ≤ 4), B [batchB, N, K] or [batchB, K, N] of WT, bias [N], residual [batch, M, N],
//   C [batch, M, N] from element cOffset with row stride ldc and batch stride batchStrideC.
// K, lda and ldb are multiples of 4 (and N too for a [K, N] B): the wrapper pads others.

override HAS_BIAS: bool = false;
override HAS_RESIDUAL: bool = false;
override ACTIVATION: u32 = 0u;

struct Params {
  M: u32, N: u32, K: u32,
  lda: u32, ldb: u32, ldc: u32,
  batchStrideA: u32, batchStrideB: u32, batchStrideC: u32,
  cOffset: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> B: array<vec4<WT>>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> residual: array<f32>;
@group(0) @binding(5) var<storage, read_write> C: array<f32>;

// Elements k .. k+3 (kv = k / 4) of row m of A in this batch.
fn loadA(batch: u32, m: u32, kv: u32) -> vec4<f32> {
  return A[(batch * p.batchStrideA + m * p.lda) / 4u + kv];
}

// Elements 4·v .. 4·v+3 of B counted from the start of this batch's matrix.
fn loadB(batch: u32, v: u32) -> vec4<f32> {
  return vec4<f32>(B[batch * p.batchStrideB / 4u + v]);
}

// C[m, n] = activate(dot + bias[n]) + residual[m, n].
fn store(batch: u32, m: u32, n: u32, dot: f32) {
  var v = dot;
  if (HAS_BIAS) { v += bias[n]; }
  v = activate(v, ACTIVATION);
  if (HAS_RESIDUAL) { v += residual[(batch * p.M + m) * p.N + n]; }
  C[p.cOffset + batch * p.batchStrideC + m * p.ldc + n] = v;
}
