// One LSTM time step of backpropagation through time, for every sequence, in one dispatch
// (src/fused/mod.rs). Steps run from t = T−1 down to 0. For unit j of sequence b:
//
//   dh = ∂L/∂h_t (from the outputs) + Σ_r dA_{t+1}[r] · W_hh[r, j]   (through the next step)
//   dc = ∂L/∂c_t (carried, = dc_{t+1} ⊙ f_{t+1}) + dh ⊙ o ⊙ (1 − tanh²(c_t))
//   dA_t = [dc·g·i(1−i), dc·c_{t−1}·f(1−f), dc·i·(1−g²), dh·tanh(c_t)·o(1−o)]
//
// dA_t (the gate pre-activation gradients) is also ∂L/∂x_proj_t; the host turns all of them
// into ∂W_hh and ∂h₀ with two matmuls. After step 0, dc_carry holds ∂L/∂c₀.
// Params, sigmoid and tanh_stable come from lstm_common.wgsl.
// Every buffer is read_write (see lstm_forward.wgsl).

@group(0) @binding(0) var<storage, read_write> d_h_seq: array<f32>;  // [T, B, H]
@group(0) @binding(1) var<storage, read_write> w_hh: array<f32>;     // [4H, H]
@group(0) @binding(2) var<storage, read_write> gates: array<f32>;    // [T, B, 4H] activations
@group(0) @binding(3) var<storage, read_write> c_seq: array<f32>;    // [T, B, H]
@group(0) @binding(4) var<storage, read_write> c0: array<f32>;       // [B, H]
@group(0) @binding(5) var<storage, read_write> d_gates: array<f32>;  // [T, B, 4H] out
@group(0) @binding(6) var<storage, read_write> dc_carry: array<f32>; // [B, H] in/out
@group(0) @binding(7) var<uniform> p: Params;

var<workgroup> d_next: array<f32, {{ max_gates }}>;

@compute @workgroup_size({{ wg }}, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let b = wid.x;
    let t = p.t;
    let batch = p.batch;
    let hidden = p.hidden;
    let h4 = 4u * hidden;
    let last = t + 1u == p.steps;

    if (!last) {
        for (var r = lid; r < h4; r += {{ wg }}u) {
            d_next[r] = d_gates[((t + 1u) * batch + b) * h4 + r];
        }
    }
    workgroupBarrier();

    let row = (t * batch + b) * h4;
    for (var j = lid; j < hidden; j += {{ wg }}u) {
        let at = (t * batch + b) * hidden + j;
        var dh = d_h_seq[at];
        if (!last) {
            for (var r = 0u; r < h4; r++) {
                dh += d_next[r] * w_hh[r * hidden + j];
            }
        }
        let i = gates[row + j];
        let f = gates[row + hidden + j];
        let g = gates[row + 2u * hidden + j];
        let o = gates[row + 3u * hidden + j];
        let tc = tanh_stable(c_seq[at]);
        var dc = dh * o * (1.0 - tc * tc);
        if (!last) {
            dc += dc_carry[b * hidden + j];
        }
        var c_before: f32;
        if (t == 0u) {
            c_before = c0[b * hidden + j];
        } else {
            c_before = c_seq[((t - 1u) * batch + b) * hidden + j];
        }
        d_gates[row + j] = dc * g * i * (1.0 - i);
        d_gates[row + hidden + j] = dc * c_before * f * (1.0 - f);
        d_gates[row + 2u * hidden + j] = dc * i * (1.0 - g * g);
        d_gates[row + 3u * hidden + j] = dh * tc * o * (1.0 - o);
        dc_carry[b * hidden + j] = dc * f;
    }
}
