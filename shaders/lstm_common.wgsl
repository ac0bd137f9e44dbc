// Shared by lstm_forward.wgsl and lstm_backward.wgsl: src/fused/mod.rs puts this text in front
// of each (WGSL has no includes).

struct Params {
    t: u32,
    batch: u32,
    hidden: u32,
    steps: u32,
}

fn sigmoid(x: f32) -> f32 {
    return 1.0 / (1.0 + exp(-x));
}

// tanh through exp(−2|x|) ≤ 1: never Inf/Inf, whatever the platform's tanh does with large x.
fn tanh_stable(x: f32) -> f32 {
    let e = exp(-2.0 * abs(x));
    let t = (1.0 - e) / (1.0 + e);
    return select(-t, t, x >= 0.0);
}

