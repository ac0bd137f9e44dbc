// The LSTM recurrence forward, count time steps in one dispatch (src/trainer/ops/lstm/wgpu.rs):
//
//   a = x_proj[t] + h_{t−1} · W_hhᵀ        (4H pre-activations per sequence; x_proj has the biases)
//   i, f, g, o = σ(a_i), σ(a_f), tanh(a_g), σ(a_o)
//   c_t = f ⊙ c_{t−1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)
//
// h_{t−1} lives in workgroup memory between steps; c_{t−1} is read back by the thread that wrote
// it. Keeps c_t and the gate activations (one vec4 per unit) for the backward kernel.
// Params, the layout constants, sigmoid and tanh_stable come from lstm/common.wgsl.
// Every buffer is read_write: burn may place several tensors in one GPU buffer, and WebGPU
// refuses a buffer bound both read-only and writable in one dispatch.

@group(0) @binding(0) var<storage, read_write> x_proj: array<f32>;       // [T, B, 4H]
@group(0) @binding(1) var<storage, read_write> w4: array<vec4<f32>>;     // [k, j] = W_hh[(i,f,g,o)·H + j, k]; with HAS_BIAS row H is the bias
@group(0) @binding(2) var<storage, read_write> h0: array<f32>;           // [B, H]
@group(0) @binding(3) var<storage, read_write> c0: array<f32>;           // [B, H]
@group(0) @binding(4) var<storage, read_write> h_all: array<f32>;        // [T+1, B, H]: h₀, h₁ … h_T
@group(0) @binding(5) var<storage, read_write> c_seq: array<f32>;        // [T, B, H]
@group(0) @binding(6) var<storage, read_write> gates: array<vec4<f32>>;  // [T, B, H] (i, f, g, o)
@group(0) @binding(7) var<uniform> p: Params;

// The layer op (src/trainer/ops/lstm/wgpu_embedded.rs) leaves the biases out of x_proj and puts b_ih + b_hh in
// one more row of w4 (shaders/lstm/weights.wgsl): no add over [T, B, 4H], no binding more.
const HAS_BIAS: bool = {{ has_bias }};

var<workgroup> h_prev: array<f32, {{ seqs_hidden }}>;          // [SEQS, H]
var<workgroup> partial: array<vec4<f32>, {{ partial_len }}>;   // [SPLIT−1, SEQS, H]

@compute @workgroup_size({{ threads }}, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let batch = p.batch;
    let b0 = wid.x * SEQS;
    let u = lid % UNIT_THREADS;
    let part = lid / UNIT_THREADS;
    let k_begin = min(part * {{ slice }}u, H);
    let k_end = min(k_begin + {{ slice }}u, H);

    // h_{t0−1} of every owned sequence (row t0 of h_all; row 0 is h₀, copied in first).
    for (var x = lid; x < SEQS * H; x += THREADS) {
        let b = b0 + x / H;
        var v = 0.0;
        if (b < batch) {
            let at = b * H + x % H;
            if (p.t0 == 0u) {
                v = h0[at];
                h_all[at] = v;
            } else {
                v = h_all[p.t0 * batch * H + at];
            }
        }
        h_prev[x] = v;
    }
    workgroupBarrier();

    for (var n = 0u; n < p.count; n++) {
        let t = p.t0 + n;
        // Phase 1: this thread's slice of h_{t−1} · W_hhᵀ for its units, every sequence.
        var own = array<vec4<f32>, {{ own_len }}>();
        for (var unit_pass = 0u; unit_pass < PASSES; unit_pass++) {
            let j = u + unit_pass * UNIT_THREADS;
            if (j < H) {
                // Explicitly zeroed: SwiftShader keeps a bare declaration's value from the last
                // iteration (seen as sums carried from step to step).
                var acc = array<vec4<f32>, SEQS>();
                for (var k = k_begin; k < k_end; k++) {
                    let w = w4[k * H + j];
                    for (var s = 0u; s < SEQS; s++) {
                        acc[s] += h_prev[s * H + k] * w;
                    }
                }
                for (var s = 0u; s < SEQS; s++) {
                    if (part == 0u) {
                        own[unit_pass * SEQS + s] = acc[s];
                    } else {
                        partial[((part - 1u) * SEQS + s) * H + j] = acc[s];
                    }
                }
            }
        }
        workgroupBarrier();
        // Phase 2: part 0 adds the slices, the input half and finishes the cell.
        if (part == 0u) {
            for (var unit_pass = 0u; unit_pass < PASSES; unit_pass++) {
                let j = u + unit_pass * UNIT_THREADS;
                for (var s = 0u; s < SEQS; s++) {
                    let b = b0 + s;
                    if (j >= H || b >= batch) {
                        continue;
                    }
                    var a = own[unit_pass * SEQS + s];
                    for (var q = 1u; q < SPLIT; q++) {
                        a += partial[((q - 1u) * SEQS + s) * H + j];
                    }
                    let row = (t * batch + b) * 4u * H;
                    a += vec4<f32>(x_proj[row + j], x_proj[row + H + j], x_proj[row + 2u * H + j],
                                   x_proj[row + 3u * H + j]);
                    if (HAS_BIAS) {
                        a += w4[H * H + j];
                    }
                    let i = sigmoid(a.x);
                    let f = sigmoid(a.y);
                    let g = tanh_stable(a.z);
                    let o = sigmoid(a.w);
                    var c_before: f32;
                    if (t == 0u) {
                        c_before = c0[b * H + j];
                    } else {
                        c_before = c_seq[((t - 1u) * batch + b) * H + j];
                    }
                    let c = f * c_before + i * g;
                    let h = o * tanh_stable(c);
                    let at = (t * batch + b) * H + j;
                    c_seq[at] = c;
                    h_all[at + batch * H] = h;
                    gates[at] = vec4<f32>(i, f, g, o);
                    h_prev[s * H + j] = h;
                }
            }
        }
        workgroupBarrier();
    }
}
