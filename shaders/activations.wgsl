// activations.wgsl — element-wise activation functions shared by matmul epilogues and the elementwise
// kernel. Not a kernel on its own: the TypeScript wrapper prepends it to the shaders that call `activate`.
//   kind 0: identity   1: GELU (erf, BERT/ViT/GIT text)   2: GELU tanh ("gelu_new", GPT-2)
//   kind 3: quick_gelu x·σ(1.702x) (CLIP)
// All math in f32; tanh and exp arguments are clamped so large |x| gives ±1 / 0, never NaN.

const ACT_NONE = 0u;
const ACT_GELU = 1u;
const ACT_GELU_TANH = 2u;
const ACT_QUICK_GELU = 3u;

// erf to ~1.2e-7 absolute (Numerical Recipes erfc Chebyshev fit); WGSL has no erf builtin.
fn erf_f32(x: f32) -> f32 {
  let z = abs(x);
  let t = 1.0 / (1.0 + 0.5 * z);
  let poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277))))))));
  let r = 1.0 - t * exp(poly);
  return select(-r, r, x >= 0.0);
}

fn tanh_safe(x: f32) -> f32 {
  return tanh(clamp(x, -15.0, 15.0));
}

fn activate(x: f32, kind: u32) -> f32 {
  switch kind {
    case 1u: { return 0.5 * x * (1.0 + erf_f32(x * 0.7071067811865476)); }
    case 2u: { return 0.5 * x * (1.0 + tanh_safe(0.7978845608028654 * (x + 0.044715 * x * x * x))); }
    case 3u: { return x / (1.0 + exp(clamp(-1.702 * x, -80.0, 80.0))); }
    default: { return x; }
  }
}
