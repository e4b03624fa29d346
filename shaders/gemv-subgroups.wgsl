// gemv-subgroups.wgsl — gemv.wgsl's TRANS_B case (B [N, K]) with subgroup sums, where the adapter has
// `subgroups`: a subgroup owns whole output columns; its invocations read row n of B as strided vec4s
// and subgroupAdd adds their partial dot products: no workgroup memory and no barrier per column.
// Layouts, bindings and epilogue: matmul-common.wgsl.
//
// WGSL does not say which invocations form a subgroup, nor that a subgroup is full (a 64-invocation
// workgroup on 128-wide hardware is half a subgroup), so each invocation takes its rank among the active
// invocations of its subgroup (subgroupExclusiveAdd) and strides by their count, and subgroups number
// themselves: rank 0 takes a ticket from a workgroup counter. Subgroup i then owns columns i, i + count,
// ... of the workgroup's COLS. Workgroup of 64 invocations; dispatch (ceil(N / COLS), 1, batch).

override COLS: u32 = 4u; // output columns per workgroup (the wrapper picks 2 per subgroup)

var<workgroup> tickets: atomic<u32>;

@compute @workgroup_size(64)
@diagnostic(off, subgroup_uniformity) // the column loop is uniform per subgroup, not per workgroup
fn main(@builtin(workgroup_id) wg: vec3<u32>) {
  let lane = subgroupExclusiveAdd(1u); // 0 .. size - 1 over the active invocations
  let size = subgroupAdd(1u);
  var ticket = 0u;
  if (lane == 0u) { ticket = atomicAdd(&tickets, 1u); }
  let id = subgroupBroadcastFirst(ticket);
  workgroupBarrier();
  let count = atomicLoad(&tickets);

  let batch = wg.z;
  let kVecs = p.K / 4u;
  for (var c = id; c < COLS; c += count) {
    let n = wg.x * COLS + c;
    if (n >= p.N) { break; }
    var acc = vec4<f32>(0.0); // acc[m]: row m's partial dot product
    for (var kv = lane; kv < kVecs; kv += size) {
      let b = loadB(batch, n * p.ldb / 4u + kv);
      for (var m = 0u; m < p.M; m++) { acc[m] += dot(loadA(batch, m, kv), b); }
    }
    let sums = subgroupAdd(acc);
    if (lane == 0u) {
      for (var m = 0u; m < p.M; m++) { store(batch, m, n, sums[m]); }
    }
  }
}
