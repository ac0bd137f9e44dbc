// The GRU forward, count time steps in one dispatch (src/trainer/ops/gru/wgpu.rs), in PyTorch's
// form (gates r, z, n):
//
//   (hr, hz, hn) = h_{t−1} · W_hhᵀ + b_hh                 (the recurrent half, with its bias)
//   r = σ(x_r + hr),  z = σ(x_z + hz)                      (x_proj = x · W_ihᵀ + b_ih)
//   n = tanh(x_n + r ⊙ hn)                                 (b_hn stays inside the r product)
//   h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}                        (z = 1 keeps the old state)
//
// One workgroup owns one sequence, thread u the units j = u, u + UNIT_THREADS, … (PASSES of
// them), each unit's three dot products of length H on one thread (as rnn/forward.wgsl).
// h_{t−1} lives in workgroup memory between steps. Keeps (r, z, n, hn) per unit for the
// backward kernel. Params, the constants, sigmoid and tanh_stable come from lstm/common.wgsl;
// h_prev, load_h_prev and store_h_prev from rnn/cell_forward.wgsl.
// Every buffer is read_write (see lstm/forward.wgsl).

@group(0) @binding(0) var<storage, read_write> x_proj: array<f32>;      // [T, B, 3H]
@group(0) @binding(1) var<storage, read_write> w3: array<vec4<f32>>;    // [k, j] = W_hh[(r,z,n)·H + j, k], 0; row H: b_hh[(r,z,n)·H + j], 0
@group(0) @binding(2) var<storage, read_write> h0: array<f32>;          // [B, H]
@group(0) @binding(3) var<storage, read_write> h_all: array<f32>;       // [T+1, B, H]: h₀, h₁ … h_T
@group(0) @binding(4) var<storage, read_write> gates: array<vec4<f32>>; // [T, B, H] (r, z, n, hn)
@group(0) @binding(5) var<uniform> p: Params;

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
                var acc = w3[H * H + j];
                for (var k = 0u; k < H; k++) {
                    acc += h_prev[k] * w3[k * H + j];
                }
                let row = (t * batch + b) * 3u * H;
                let r = sigmoid(x_proj[row + j] + acc.x);
                let z = sigmoid(x_proj[row + H + j] + acc.y);
                let cand = tanh_stable(x_proj[row + 2u * H + j] + r * acc.z);
                let h = (1.0 - z) * cand + z * h_prev[j];
                let at = (t * batch + b) * H + j;
                gates[at] = vec4<f32>(r, z, cand, acc.z);
                h_all[at + batch * H] = h;
                own[unit_pass] = h;
            }
        }
        store_h_prev(own, lid);
    }
}
