// matmul-common.wgsl — what the three matmul kernels (matmul.wgsl, gemv.wgsl, gemv-subgroups.wgsl) share:
// Params, bindings and the epilogue. Not a kernel on its own: the wrapper prepends it.
//   A        [batch, M, K] f32, row stride lda, batch stride batchStrideA
//   B        [batchB, N, K] (TRANS_B; PyTorch nn.Linear weight [out, in]) or [batchB, K, N] (GPT-2 Conv1D
//            [in, out]), row stride ldb, batch stride batchStrideB (0: one weight for every batch). Element
//            type WT: f32, or f16 (the wrapper prepends `enable f16; alias WT = f16;`); products are
//            always accumulated in f32.
//   bias     [N] f32                      (HAS_BIAS)
//   residual [batch, M, N] f32, dense (HAS_RESIDUAL), added after the activation
//   C        [batch, M, N] f32, row stride ldc, from element cOffset with batch stride batchStrideC
//            (lets a projection write straight into rows of a KV cache)
// Vec4 loads need K, lda and ldb to be multiples of 4 (and N too when !TRANS_B): the wrapper pads others.

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

// Elements k .. k+3 (kv = k / 4) of row m of A in this batch (the GEMVs).
fn loadA(batch: u32, m: u32, kv: u32) -> vec4<f32> {
  return A[(batch * p.batchStrideA + m * p.lda) / 4u + kv];
}

// Elements 4·v .. 4·v+3 of B counted from the start of this batch's matrix (the GEMVs).
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
