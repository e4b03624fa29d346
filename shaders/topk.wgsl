// topk.wgsl — the K largest values of each row and their column indices, best first, in passes:
// every workgroup sorts CHUNK consecutive entries of one row in workgroup memory and keeps its best K; the
// next pass does the same over those candidates, until one workgroup per row is left (the last pass).
//
// Order (deterministic, the same as the CPU reference): a larger value first; equal values by the smaller
// index; −0 equals +0; NaN ranks below every number, −∞ included. Values are compared as "orderable" u32
// keys: the f32 bits mapped so that unsigned order is numeric order (negative: every bit flipped; otherwise
// the sign bit set), −0 read as +0 and NaN as key 0.
//
// Layouts (row-major, element strides in Params):
//   first pass:  inKeys = the values [rows, n] f32, read as their u32 bits (row stride inStride); the index
//                of an entry is its column; inIdx is unused (bind any read-only buffer).
//   later:       inKeys / inIdx = the candidates a previous pass wrote: keys u32, indices u32 [rows, n].
//   outKeys      [rows, groups · K] u32: each workgroup's best K keys at [row, group · K ..]; in the last
//                pass the f32 bits of the values themselves (NaN comes back as a NaN).
//   outIdx       [rows, groups · K] u32.
// Entries past the end of a row are padding (key 0, index 0xffffffff): they sort after every real entry, so
// with K ≤ n the final K are all real. K ≤ CHUNK / 2 makes every pass shrink the candidates at least twofold.
//
// Workgroup 256 invocations; bitonic sort of CHUNK = 1024 (key, index) pairs in 8 KiB of workgroup memory,
// each invocation comparing two pairs per step. Dispatch (groups = ceil(n / CHUNK), rows).
// The pass kind is a uniform flag, not an override constant, and the sort's outer bound comes from the
// uniforms: one pipeline for every pass, and no fully unrolled sorting network (SwiftShader took ~1.5 s
// to compile each unrolled variant, 0.7 s for this one).

struct Params {
  n: u32,         // entries per row in the input
  k: u32,         // entries kept per workgroup
  inStride: u32,  // row stride of the input
  outStride: u32, // row stride of the output (groups · K)
  kp: u32,        // k rounded up to a power of two (the run length)
  chunk: u32,     // CHUNK, passed at run time so that compilers keep the sorting loops as loops
  first: u32,     // 1 in the first pass (reads values)
  last: u32,      // 1 in the last pass (writes values)
  mode: u32,      // entry point `groups` only: 1 = best of each group, 2 = members of selected groups
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> inKeys: array<u32>;
@group(0) @binding(2) var<storage, read> inIdx: array<u32>;
@group(0) @binding(3) var<storage, read_write> outKeys: array<u32>;
@group(0) @binding(4) var<storage, read_write> outIdx: array<u32>;

const WG = 256u;
const GROUP = 8u;
const CHUNK = 1024u;
const PAD_INDEX = 0xffffffffu;

var<workgroup> keys: array<u32, CHUNK>;
var<workgroup> idxs: array<u32, CHUNK>;

fn orderable(bits: u32) -> u32 {
  if ((bits & 0x7fffffffu) > 0x7f800000u) { return 0u; } // NaN
  if ((bits & 0x7fffffffu) == 0u) { return 0x80000000u; } // ±0 → the key of +0
  if ((bits & 0x80000000u) != 0u) { return ~bits; }
  return bits | 0x80000000u;
}

fn valueBits(key: u32) -> u32 {
  if ((key & 0x80000000u) != 0u) { return key & 0x7fffffffu; }
  if (key == 0u) { return 0x7fc00000u; } // NaN
  return ~key;
}

// a ranks before b
fn before(ka: u32, ia: u32, kb: u32, ib: u32) -> bool {
  return ka > kb || (ka == kb && ia < ib);
}

// One step of a bitonic network: pair q compares i and i | stride (i has a 0 at bit `stride`) and orders them
// best first where bit `size` of i is clear, worst first where it is set.
fn compareExchange(q: u32, stride: u32, size: u32) {
  let i = ((q & ~(stride - 1u)) << 1u) | (q & (stride - 1u));
  let l = i | stride;
  let ki = keys[i];
  let ii = idxs[i];
  let kl = keys[l];
  let il = idxs[l];
  var swap = before(kl, il, ki, ii);
  if ((i & size) != 0u) { swap = before(ki, ii, kl, il); }
  if (swap) {
    keys[i] = kl;
    idxs[i] = il;
    keys[l] = ki;
    idxs[l] = ii;
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let row = wg.y;
  let start = wg.x * CHUNK;

  for (var t = 0u; t < CHUNK / WG; t++) {
    let i = tid + t * WG;
    let col = start + i;
    var key = 0u;
    var index = PAD_INDEX;
    if (col < p.n) {
      let at = row * p.inStride + col;
      if (p.first != 0u) {
        key = orderable(inKeys[at]);
        index = col;
      } else {
        key = inKeys[at];
        index = inIdx[at];
      }
    }
    keys[i] = key;
    idxs[i] = index;
  }
  workgroupBarrier();

  // 1. Sort runs of KP = p.kp entries (K rounded up to a power of two), alternately best first (even runs)
  //    and worst first (odd runs), so that every pair of runs is one bitonic sequence.
  for (var size = 2u; size <= p.kp; size <<= 1u) {
    for (var stride = size >> 1u; stride > 0u; stride >>= 1u) {
      for (var t = 0u; t < CHUNK / 2u / WG; t++) {
        compareExchange(tid + t * WG, stride, size);
      }
      workgroupBarrier();
    }
  }

  // 2. Halve until one run is left: the entry-wise better of a best-first and a worst-first run is a bitonic
  //    sequence holding the best KP of both; a bitonic merge sorts it (alternating directions again).
  for (var len = p.chunk; len > p.kp; len >>= 1u) {
    let half = len >> 1u;
    var keptKeys: array<u32, CHUNK / 2u / WG>;
    var keptIdxs: array<u32, CHUNK / 2u / WG>;
    for (var t = 0u; t < CHUNK / 2u / WG; t++) {
      let j = tid + t * WG;
      if (j < half) {
        let a = 2u * (j / p.kp) * p.kp + j % p.kp;
        let b = a + p.kp;
        if (before(keys[b], idxs[b], keys[a], idxs[a])) {
          keptKeys[t] = keys[b];
          keptIdxs[t] = idxs[b];
        } else {
          keptKeys[t] = keys[a];
          keptIdxs[t] = idxs[a];
        }
      }
    }
    workgroupBarrier();
    for (var t = 0u; t < CHUNK / 2u / WG; t++) {
      let j = tid + t * WG;
      if (j < half) {
        keys[j] = keptKeys[t];
        idxs[j] = keptIdxs[t];
      }
    }
    workgroupBarrier();
    for (var stride = p.kp >> 1u; stride > 0u; stride >>= 1u) {
      for (var t = 0u; t < CHUNK / 2u / WG; t++) {
        let q = tid + t * WG;
        if (q < half / 2u) { compareExchange(q, stride, p.kp); }
      }
      workgroupBarrier();
    }
  }

  for (var t = 0u; t < CHUNK / WG; t++) {
    let i = tid + t * WG;
    if (i < p.k) {
      let at = row * p.outStride + wg.x * p.k + i;
      if (p.last != 0u) {
        outKeys[at] = valueBits(keys[i]);
      } else {
        outKeys[at] = keys[i];
      }
      outIdx[at] = idxs[i];
    }
  }
}

// Entry point `groups`: the prefilter of long rows (kernels/topk.ts). The K best entries of a row lie in the K
// groups of GROUP consecutive entries whose own best entries rank highest (were one of them in another group,
// K distinct group bests would rank above it), so sorting the group bests and then those groups' members is
// exact and sorts about n / GROUP + K · GROUP entries instead of n.
//   mode 1: inKeys = values [rows, n] (u32 bits, row stride inStride); out[row, g] = key and column of the best
//           entry of columns GROUP·g .. GROUP·g + GROUP − 1, g < ceil(n / GROUP) (row stride outStride).
//   mode 2: inKeys = the same values; inIdx [rows, k] = columns of the selected group bests; out[row, s·GROUP + j]
//           = key and column of entry j of the group of inIdx[row, s] (padding past n).
// Workgroup 64; dispatch (ceil(count / 64), rows), count = ceil(n / GROUP) (mode 1) or k · GROUP (mode 2).
@compute @workgroup_size(64)
fn groups(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.y;
  let i = gid.x;
  let at = row * p.outStride + i;
  if (p.mode == 1u) {
    if (i >= (p.n + GROUP - 1u) / GROUP) { return; }
    var bestKey = 0u;
    var bestIdx = PAD_INDEX;
    for (var j = 0u; j < GROUP; j++) {
      let col = i * GROUP + j;
      if (col < p.n) {
        let key = orderable(inKeys[row * p.inStride + col]);
        if (before(key, col, bestKey, bestIdx)) {
          bestKey = key;
          bestIdx = col;
        }
      }
    }
    outKeys[at] = bestKey;
    outIdx[at] = bestIdx;
  } else {
    if (i >= p.k * GROUP) { return; }
    let col = (inIdx[row * p.k + i / GROUP] / GROUP) * GROUP + i % GROUP;
    var key = 0u;
    var index = PAD_INDEX;
    if (col < p.n) {
      key = orderable(inKeys[row * p.inStride + col]);
      index = col;
    }
    outKeys[at] = key;
    outIdx[at] = index;
  }
}
