// Backpropagation through time of the plain tanh RNN, count steps in one dispatch
// (src/trainer/ops/rnn/wgpu.rs), from t = t0+count−1 down to t0. For unit j of sequence b:
//
//   dh = ∂L/∂h_t (from the outputs) + Σ_r dA_{t+1}[r] · W_hh[r, j]   (through the next step)
//   dA_t = dh ⊙ (1 − h_t²)
//
// dA_t (the pre-activation gradient) is also ∂L/∂x_proj_t; the host turns all of them into
// ∂W_hh and ∂h₀ with matmuls. dA_{t+1} lives in workgroup memory between steps; between
// dispatches it goes through d_pre. One workgroup owns one sequence, as in rnn/forward.wgsl.
// Params, the constants and tanh_stable come from lstm/common.wgsl.
// Every buffer is read_write (see lstm/forward.wgsl).

@group(0) @binding(0) var<storage, read_write> d_h_seq: array<f32>;  // [T, B, H]
@group(0) @binding(1) var<storage, read_write> w_hh: array<f32>;     // [r, j] = W_hh[r, j]
@group(0) @binding(2) var<storage, read_write> h_all: array<f32>;    // [T+1, B, H]
@group(0) @binding(3) var<storage, read_write> d_pre: array<f32>;    // [T, B, H] out
@group(0) @binding(4) var<uniform> p: Params;

var<workgroup> d_next: array<f32, {{ hidden }}>;  // dA_{t+1}

@compute @workgroup_size({{ threads }}, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let batch = p.batch;
    let b = wid.x;
    let top = p.t0 + p.count - 1u;
    let has_next = top + 1u < p.steps;
    for (var j = lid; j < H; j += THREADS) {
        var v = 0.0;
        if (has_next) {
            v = d_pre[((top + 1u) * batch + b) * H + j];
        }
        d_next[j] = v;
    }
    workgroupBarrier();

    for (var n = 0u; n < p.count; n++) {
        let t = top - n;
        var own = array<f32, PASSES>();
        for (var unit_pass = 0u; unit_pass < PASSES; unit_pass++) {
            let j = lid + unit_pass * UNIT_THREADS;
            if (j < H) {
                let at = (t * batch + b) * H + j;
                var dh = d_h_seq[at];
                for (var r = 0u; r < H; r++) {
                    dh += d_next[r] * w_hh[r * H + j];
                }
                let h = h_all[at + batch * H];
                let da = dh * (1.0 - h * h);
                d_pre[at] = da;
                own[unit_pass] = da;
            }
        }
        workgroupBarrier();
        for (var unit_pass = 0u; unit_pass < PASSES; unit_pass++) {
            let j = lid + unit_pass * UNIT_THREADS;
            if (j < H) {
                d_next[j] = own[unit_pass];
            }
        }
        workgroupBarrier();
    }
}
