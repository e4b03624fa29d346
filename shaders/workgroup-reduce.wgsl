// workgroup-reduce.wgsl — the row reduction that softmax.wgsl, layernorm.wgsl and attention-probs.wgsl
// share: one workgroup of WG = 128 invocations per row, each invocation's partial value combined by a tree
// reduction in workgroup memory. Not a kernel on its own: the wrapper prepends it.

const WG = 128u;

var<workgroup> partial: array<f32, WG>;

// The max (takeMax) or sum of every invocation's `value`, returned to all of them. Every invocation of
// the workgroup must call it (barriers). workgroupUniformLoad makes the result provably uniform, so
// callers may branch on it.
fn workgroupReduce(tid: u32, value: f32, takeMax: bool) -> f32 {
  partial[tid] = value;
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    workgroupBarrier();
    if (tid < stride) {
      let a = partial[tid];
      let b = partial[tid + stride];
      partial[tid] = select(a + b, max(a, b), takeMax);
    }
  }
  let result = workgroupUniformLoad(&partial[0]);
  workgroupBarrier(); // `partial` is reused by the next reduction
  return result;
}
