// The classifier head backward (src/trainer/ops/head/wgpu.rs). With g[b, o] = ∂L/∂logit[b, o]
// and, for each pooled value k, g_k = Σ_o g[b, o] · w[k, o]:
//
//   ∂h[t, b, j] = g_j / T + (t == argmax_t h[·, b, j]) · g_{H+j}
//
// one workgroup per sequence; the workgroups after the B sequences' instead sum the weight and
// bias gradients over the batch, one entry per thread: ∂w[k, o] = Σ_b g[b, o] · pooled[b, k]
// (entries 0 … 2H·O − 1), then ∂bias[o] = Σ_b g[b, o] (the next O).
// Every buffer is read_write (see lstm/forward.wgsl).

struct Params {
    steps: u32,
    batch: u32,
    hidden: u32,
    outputs: u32,
}

@group(0) @binding(0) var<storage, read_write> d_logits: array<f32>; // [B, O]
@group(0) @binding(1) var<storage, read_write> weight: array<f32>;   // [2H, O]
@group(0) @binding(2) var<storage, read_write> pooled: array<f32>;   // [B, 2H]
@group(0) @binding(3) var<storage, read_write> arg_max: array<u32>;  // [B, H]
@group(0) @binding(4) var<storage, read_write> d_h_seq: array<f32>;  // [T, B, H] out
@group(0) @binding(5) var<storage, read_write> d_weight: array<f32>; // [2H, O] out
@group(0) @binding(6) var<storage, read_write> d_bias: array<f32>;   // [O] out
@group(0) @binding(7) var<uniform> p: Params;

@compute @workgroup_size(128, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let b = wid.x;
    let hidden = p.hidden;
    let outputs = p.outputs;
    if (b >= p.batch) {
        let e = (b - p.batch) * 128u + lid;
        let weights = 2u * hidden * outputs;
        if (e < weights) {
            let k = e / outputs;
            let o = e % outputs;
            var sum = 0.0;
            for (var r = 0u; r < p.batch; r++) {
                sum += d_logits[r * outputs + o] * pooled[r * 2u * hidden + k];
            }
            d_weight[e] = sum;
        } else if (e < weights + outputs) {
            let o = e - weights;
            var sum = 0.0;
            for (var r = 0u; r < p.batch; r++) {
                sum += d_logits[r * outputs + o];
            }
            d_bias[o] = sum;
        }
        return;
    }
    for (var j = lid; j < hidden; j += 128u) {
        var to_mean = 0.0;
        var to_max = 0.0;
        for (var o = 0u; o < outputs; o++) {
            let g = d_logits[b * outputs + o];
            to_mean += g * weight[j * outputs + o];
            to_max += g * weight[(hidden + j) * outputs + o];
        }
        let through_mean = to_mean / f32(p.steps);
        let winner = arg_max[b * hidden + j];
        for (var t = 0u; t < p.steps; t++) {
            d_h_seq[(t * p.batch + b) * hidden + j] = through_mean + select(0.0, to_max, t == winner);
        }
    }
}
