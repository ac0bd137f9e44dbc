// ∂loss/∂z for the mean softmax cross-entropy (src/trainer/ops/loss/wgpu_cross_entropy.rs), a
// thread per row b:
//   ∂/∂z_bc = (softmax(z_b)_c − [c = y_b]) / B · ∂L/∂loss
// Every buffer is read_write (see lstm/forward.wgsl).

struct Params {
    rows: u32,
    classes: u32,
}

@group(0) @binding(0) var<storage, read_write> logits: array<f32>;   // [B, K]
@group(0) @binding(1) var<storage, read_write> targets: array<f32>;  // [B] class ids
@group(0) @binding(2) var<storage, read_write> d_loss: array<f32>;   // [1]
@group(0) @binding(3) var<storage, read_write> d_logits: array<f32>; // [B, K] out
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let b = gid.x;
    if (b >= p.rows) {
        return;
    }
    let classes = p.classes;
    let row = b * classes;
    var top = logits[row];
    for (var c = 1u; c < classes; c++) {
        top = max(top, logits[row + c]);
    }
    var sum = 0.0;
    for (var c = 0u; c < classes; c++) {
        sum += exp(logits[row + c] - top);
    }
    let y = u32(targets[b]);
    let scale = d_loss[0] / f32(p.rows);
    for (var c = 0u; c < classes; c++) {
        let hot = select(0.0, 1.0, c == y);
        d_logits[row + c] = (exp(logits[row + c] - top) / sum - hot) * scale;
    }
}
