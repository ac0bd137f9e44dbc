// One Adam step for one parameter tensor, every element in one dispatch (src/trainer/ops/adam).
// The same arithmetic, in the same order, as burn's Adam (AdaptiveMomentum::transform):
//
//   m₁ = β₁·m₁ + (1 − β₁)·g          (m₁ = (1 − β₁)·g at the first step)
//   m₂ = β₂·m₂ + (1 − β₂)·g²
//   θ  = θ − lr · (m₁ · c) / (√m₂ + ε·√(1 − β₂ᵗ)),   c = √(1 − β₂ᵗ) / (1 − β₁ᵗ)
//
// burn's op-by-op version costs 13 dispatches per parameter (read from its source). Every buffer is read_write (see
// lstm/forward.wgsl).

struct Params {
    n: u32,
    first: u32,         // 1 at the first step: no moments yet (m1 and m2 are not read)
    beta_1: f32,
    beta_2: f32,
    lr: f32,
    factor: f32,        // c above
    epsilon: f32,       // ε·√(1 − β₂ᵗ)
    row: u32,           // elements per row of workgroups (x dimension × threads)
}

@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read_write> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> m1: array<f32>;
@group(0) @binding(3) var<storage, read_write> m2: array<f32>;
@group(0) @binding(4) var<storage, read_write> param_out: array<f32>;
@group(0) @binding(5) var<storage, read_write> m1_out: array<f32>;
@group(0) @binding(6) var<storage, read_write> m2_out: array<f32>;
@group(0) @binding(7) var<uniform> p: Params;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.y * p.row + gid.x;
    if (i >= p.n) {
        return;
    }
    let g = grad[i];
    var m = (1.0 - p.beta_1) * g;
    var v = (1.0 - p.beta_2) * (g * g);
    if (p.first == 0u) {
        m = p.beta_1 * m1[i] + m;
        v = p.beta_2 * m2[i] + v;
    }
    param_out[i] = param[i] - (m * p.factor) / (sqrt(v) + p.epsilon) * p.lr;
    m1_out[i] = m;
    m2_out[i] = v;
}
