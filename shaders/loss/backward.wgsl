// ∂loss/∂z for the mean binary cross-entropy on logits (src/trainer/ops/loss/wgpu.rs):
//   ∂/∂z_b = (σ(z_b) − y_b) / n · ∂L/∂loss
// Every buffer is read_write (see lstm/forward.wgsl).

struct Params {
    n: u32,
    _pad: u32,
}

@group(0) @binding(0) var<storage, read_write> logits: array<f32>;
@group(0) @binding(1) var<storage, read_write> targets: array<f32>;
@group(0) @binding(2) var<storage, read_write> d_loss: array<f32>;  // [1]
@group(0) @binding(3) var<storage, read_write> d_logits: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if (i >= p.n) {
        return;
    }
    let s = 1.0 / (1.0 + exp(-logits[i]));
    d_logits[i] = (s - targets[i]) / f32(p.n) * d_loss[0];
}
