// The plain tanh RNN forward, count time steps in one dispatch (src/trainer/ops/rnn/wgpu.rs):
//
//   h_t = tanh(x_proj[t] + h_{t−1} · W_hhᵀ)        (x_proj has both biases)
//
// One workgroup owns one sequence (SEQS = 1, SPLIT = 1): thread u handles units
// j = u, u + UNIT_THREADS, … (PASSES of them), each a whole dot product of length H. h_{t−1}
// lives in workgroup memory between steps: a workgroupBarrier() between steps is all the
// synchronisation there is (no other workgroup reads it).
// Params, the constants, sigmoid and tanh_stable come from lstm/common.wgsl; h_prev,
// load_h_prev and store_h_prev from rnn/cell_forward.wgsl.
// Every buffer is read_write (see lstm/forward.wgsl).

@group(0) @binding(0) var<storage, read_write> x_proj: array<f32>;  // [T, B, H]
@group(0) @binding(1) var<storage, read_write> w_t: array<f32>;     // [k, j] = W_hh[j, k]
@group(0) @binding(2) var<storage, read_write> h0: array<f32>;      // [B, H]
@group(0) @binding(3) var<storage, read_write> h_all: array<f32>;   // [T+1, B, H]: h₀, h₁ … h_T
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size({{ threads }}, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let batch = p.batch;
    let b = wid.x;
    load_h_prev(b, lid);

    for (var n = 0u; n < p.count; n++) {
        let t = p.t0 + n;
        var own = array<f32, PASSES>();
        for (var unit_pass = 0u; unit_pass < PASSES; unit_pass++) {
            let j = lid + unit_pass * UNIT_THREADS;
            if (j < H) {
                var acc = x_proj[(t * batch + b) * H + j];
                for (var k = 0u; k < H; k++) {
                    acc += h_prev[k] * w_t[k * H + j];
                }
                let h = tanh_stable(acc);
                own[unit_pass] = h;
                h_all[((t + 1u) * batch + b) * H + j] = h;
            }
        }
        store_h_prev(own, lid);
    }
}
