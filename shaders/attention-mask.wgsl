// attention-mask.wgsl — the mask rule that attention.wgsl and attention-probs.wgsl share; not a kernel on
// its own (the wrapper prepends it). It reads the kernel's `p` (keyLen, hasPadding, paddingF32,
// paddingStride, causal, prefixLength) and `padding` binding:
//   hasPadding  padding [batch, paddingStride] u32 (f32 when paddingF32), 0 = padded key
//   causal      with qAbs = i + queryOffset and P = prefixLength, key j is visible iff
//               j < P (the GIT image prefix, seen by every query) or (qAbs ≥ P and j ≤ qAbs).
//               P = 0 is ordinary causal attention.

// Score of a masked key. A finite sentinel, far below any real score, keeps the arithmetic free of inf.
const MASKED = -3.0e38;

fn visible(b: u32, qAbs: u32, j: u32) -> bool {
  if (j >= p.keyLen) { return false; }
  if (p.hasPadding != 0u) {
    let bits = padding[b * p.paddingStride + j];
    if (select(bits == 0u, bitcast<f32>(bits) == 0.0, p.paddingF32 != 0u)) { return false; }
  }
  if (p.causal != 0u) {
    if (j < p.prefixLength) { return true; }
    return qAbs >= p.prefixLength && j <= qAbs;
  }
  return true;
}
