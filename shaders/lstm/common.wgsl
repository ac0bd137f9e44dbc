// Shared by lstm/forward.wgsl and lstm/backward.wgsl: src/trainer/ops/lstm/wgpu.rs puts this text in front
// of each (WGSL has no includes) and fills in the {{ … }} values for one hidden size.
//
// How a workgroup shares one time step (src/trainer/ops/lstm/layout.rs chooses the numbers):
//   - it owns SEQS whole sequences of the batch, so step t+1 only needs what the same workgroup
//     wrote at step t: a workgroupBarrier() between steps is all the synchronisation there is;
//   - thread (u, part) handles units j = u, u + UNIT_THREADS, … (PASSES of them) and the
//     part-th slice of the SLICE-long sum over k, for all SEQS sequences at once (each weight
//     loaded once serves every sequence);
//   - when SPLIT > 1 the slices' sums meet in workgroup memory and part 0 finishes the unit.

struct Params {
    t0: u32,     // first time step of this dispatch (the lowest; backward walks down from t0+count−1)
    count: u32,  // time steps in this dispatch
    batch: u32,
    steps: u32,  // T of the whole sequence
}

const H: u32 = {{ hidden }}u;
const SEQS: u32 = {{ seqs }}u;
const UNIT_THREADS: u32 = {{ unit_threads }}u;
const SPLIT: u32 = {{ split }}u;
const PASSES: u32 = {{ passes }}u;
const THREADS: u32 = {{ threads }}u;

fn sigmoid(x: f32) -> f32 {
    return 1.0 / (1.0 + exp(-x));
}

// tanh through exp(−2|x|) ≤ 1: never Inf/Inf, whatever the platform's tanh does with large x.
fn tanh_stable(x: f32) -> f32 {
    let e = exp(-2.0 * abs(x));
    let t = (1.0 - e) / (1.0 + e);
    return select(-t, t, x >= 0.0);
}
