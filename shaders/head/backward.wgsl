// The classifier head backward (src/trainer/ops/head/wgpu.rs). With g = ∂L/∂logit[b]:
//
//   ∂h[t, b, j] = g · w[j] / T + (t == argmax_t h[·, b, j]) · g · w[H + j]
//
// one workgroup per sequence; the last workgroup index (B) instead sums the weight and bias
// gradients over the batch: ∂w = Σ_b g_b · pooled[b], ∂bias = Σ_b g_b.
// Every buffer is read_write (see lstm/forward.wgsl).

struct Params {
    steps: u32,
    batch: u32,
    hidden: u32,
    _pad: u32,
}

@group(0) @binding(0) var<storage, read_write> d_logits: array<f32>; // [B]
@group(0) @binding(1) var<storage, read_write> weight: array<f32>;   // [2H]
@group(0) @binding(2) var<storage, read_write> pooled: array<f32>;   // [B, 2H]
@group(0) @binding(3) var<storage, read_write> arg_max: array<u32>;  // [B, H]
@group(0) @binding(4) var<storage, read_write> d_h_seq: array<f32>;  // [T, B, H] out
@group(0) @binding(5) var<storage, read_write> d_weight: array<f32>; // [2H] out
@group(0) @binding(6) var<storage, read_write> d_bias: array<f32>;   // [1] out
@group(0) @binding(7) var<uniform> p: Params;

@compute @workgroup_size(128, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let b = wid.x;
    let hidden = p.hidden;
    if (b == p.batch) {
        for (var k = lid; k < 2u * hidden; k += 128u) {
            var sum = 0.0;
            for (var r = 0u; r < p.batch; r++) {
                sum += d_logits[r] * pooled[r * 2u * hidden + k];
            }
            d_weight[k] = sum;
        }
        if (lid == 0u) {
            var sum = 0.0;
            for (var r = 0u; r < p.batch; r++) {
                sum += d_logits[r];
            }
            d_bias[0] = sum;
        }
        return;
    }
    let g = d_logits[b];
    for (var j = lid; j < hidden; j += 128u) {
        let through_mean = g * weight[j] / f32(p.steps);
        let through_max = g * weight[hidden + j];
        let winner = arg_max[b * hidden + j];
        for (var t = 0u; t < p.steps; t++) {
            d_h_seq[(t * p.batch + b) * hidden + j] = through_mean + select(0.0, through_max, t == winner);
        }
    }
}
