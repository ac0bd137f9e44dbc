// One LSTM time step for every sequence of the batch, in one dispatch (src/fused/mod.rs).
//
//   a = x_proj[t] + h_{t−1} · W_hhᵀ        (4H pre-activations per sequence; x_proj has the biases)
//   i, f, g, o = σ(a_i), σ(a_f), tanh(a_g), σ(a_o)
//   c_t = f ⊙ c_{t−1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)
//
// One workgroup per sequence b; its threads share h_{t−1}[b] in workgroup memory and each
// computes whole units j (all four gates of a unit, so c and h need no second pass).
// Keeps c_t and the gate activations for the backward kernel.
// Params, sigmoid and tanh_stable come from lstm_common.wgsl.
// Every buffer is read_write: burn may place several tensors in one GPU buffer, and WebGPU
// refuses a buffer bound both read-only and writable in one dispatch.

@group(0) @binding(0) var<storage, read_write> x_proj: array<f32>;  // [T, B, 4H]
@group(0) @binding(1) var<storage, read_write> w_hh_t: array<f32>;  // [H, 4H]
@group(0) @binding(2) var<storage, read_write> h0: array<f32>;      // [B, H]
@group(0) @binding(3) var<storage, read_write> c0: array<f32>;      // [B, H]
@group(0) @binding(4) var<storage, read_write> h_seq: array<f32>;   // [T, B, H]
@group(0) @binding(5) var<storage, read_write> c_seq: array<f32>;   // [T, B, H]
@group(0) @binding(6) var<storage, read_write> gates: array<f32>;   // [T, B, 4H] activations
@group(0) @binding(7) var<uniform> p: Params;

var<workgroup> h_prev: array<f32, {{ max_hidden }}>;

@compute @workgroup_size({{ wg }}, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let b = wid.x;
    let t = p.t;
    let batch = p.batch;
    let hidden = p.hidden;
    let h4 = 4u * hidden;

    for (var k = lid; k < hidden; k += {{ wg }}u) {
        if (t == 0u) {
            h_prev[k] = h0[b * hidden + k];
        } else {
            h_prev[k] = h_seq[((t - 1u) * batch + b) * hidden + k];
        }
    }
    workgroupBarrier();

    let row = (t * batch + b) * h4;
    for (var j = lid; j < hidden; j += {{ wg }}u) {
        var ai = x_proj[row + j];
        var af = x_proj[row + hidden + j];
        var ag = x_proj[row + 2u * hidden + j];
        var ao = x_proj[row + 3u * hidden + j];
        for (var k = 0u; k < hidden; k++) {
            let hk = h_prev[k];
            let w = k * h4 + j;
            ai += hk * w_hh_t[w];
            af += hk * w_hh_t[w + hidden];
            ag += hk * w_hh_t[w + 2u * hidden];
            ao += hk * w_hh_t[w + 3u * hidden];
        }
        let i = sigmoid(ai);
        let f = sigmoid(af);
        let g = tanh_stable(ag);
        let o = sigmoid(ao);
        var c_before: f32;
        if (t == 0u) {
            c_before = c0[b * hidden + j];
        } else {
            c_before = c_seq[((t - 1u) * batch + b) * hidden + j];
        }
        let c = f * c_before + i * g;
        let out = (t * batch + b) * hidden + j;
        c_seq[out] = c;
        h_seq[out] = o * tanh_stable(c);
        gates[row + j] = i;
        gates[row + hidden + j] = f;
        gates[row + 2u * hidden + j] = g;
        gates[row + 3u * hidden + j] = o;
    }
}
