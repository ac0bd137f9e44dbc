// The classifier head forward in one dispatch (src/trainer/ops/head/wgpu.rs), one workgroup per sequence b:
//
//   pooled[b]   = [mean_t h[t, b, :] ‖ max_t h[t, b, :]]        (padding steps included, as the post)
//   logit[b, o] = pooled[b] · w[:, o] + bias[o]                  (O outputs: 1, or K classes)
//
// Keeps pooled (for ∂w) and the step each unit's max came from (for ∂h). The pooled row also
// goes to workgroup memory, where a thread per output reads all of it for its dot product.
// Every buffer is read_write (see lstm/forward.wgsl).

struct Params {
    steps: u32,
    batch: u32,
    hidden: u32,
    outputs: u32,
}

@group(0) @binding(0) var<storage, read_write> h_seq: array<f32>;   // [T, B, H]
@group(0) @binding(1) var<storage, read_write> weight: array<f32>;  // [2H, O]
@group(0) @binding(2) var<storage, read_write> bias: array<f32>;    // [O]
@group(0) @binding(3) var<storage, read_write> pooled: array<f32>;  // [B, 2H] out
@group(0) @binding(4) var<storage, read_write> arg_max: array<u32>; // [B, H] out
@group(0) @binding(5) var<storage, read_write> logits: array<f32>;  // [B, O] out
@group(0) @binding(6) var<uniform> p: Params;

// 2 · MAX_HIDDEN (src/trainer/ops/mod.rs).
var<workgroup> row: array<f32, {{ pooled_capacity }}>;

@compute @workgroup_size(128, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let b = wid.x;
    let hidden = p.hidden;
    for (var j = lid; j < hidden; j += 128u) {
        var total = 0.0;
        var best = h_seq[b * hidden + j];
        var best_t = 0u;
        for (var t = 0u; t < p.steps; t++) {
            let v = h_seq[(t * p.batch + b) * hidden + j];
            total += v;
            if (v > best) {
                best = v;
                best_t = t;
            }
        }
        let mean = total / f32(p.steps);
        pooled[b * 2u * hidden + j] = mean;
        pooled[b * 2u * hidden + hidden + j] = best;
        arg_max[b * hidden + j] = best_t;
        row[j] = mean;
        row[hidden + j] = best;
    }
    workgroupBarrier();
    // Neighbouring threads take neighbouring outputs: neighbouring weights of each row.
    for (var o = lid; o < p.outputs; o += 128u) {
        var sum = 0.0;
        for (var k = 0u; k < 2u * hidden; k++) {
            sum += row[k] * weight[k * p.outputs + o];
        }
        logits[b * p.outputs + o] = sum + bias[o];
    }
}
