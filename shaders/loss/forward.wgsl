// Binary cross-entropy on logits, averaged over the batch, in one dispatch of one workgroup
// (src/trainer/ops/loss/wgpu.rs); with WITH_CORRECT it also counts the logits on the right side of 0.
//
//   loss = mean_b [ max(z, 0) − z·y + log(1 + e^{−|z|}) ]     (BCEWithLogitsLoss)
//
// With its gradient and the accuracy count, burn's op-by-op version took 47 dispatches.
// Every buffer is read_write (see lstm/forward.wgsl).

struct Params {
    n: u32,
    _pad: u32,
}

const WITH_CORRECT: bool = {{ with_correct }};

@group(0) @binding(0) var<storage, read_write> logits: array<f32>;
@group(0) @binding(1) var<storage, read_write> targets: array<f32>;
@group(0) @binding(2) var<storage, read_write> result: array<f32>;  // [loss] or [loss, correct]
@group(0) @binding(3) var<uniform> p: Params;

var<workgroup> loss_part: array<f32, 256>;
var<workgroup> correct_part: array<f32, 256>;

// log(1 + x) without losing x when it is tiny (WGSL has no log1p).
fn log1p(x: f32) -> f32 {
    let u = 1.0 + x;
    if (u == 1.0) {
        return x;
    }
    return log(u) * x / (u - 1.0);
}

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(local_invocation_index) lid: u32) {
    var loss = 0.0;
    var correct = 0.0;
    for (var i = lid; i < p.n; i += 256u) {
        let z = logits[i];
        let y = targets[i];
        loss += max(z, 0.0) - z * y + log1p(exp(-abs(z)));
        correct += select(0.0, 1.0, (z > 0.0) == (y > 0.5));
    }
    loss_part[lid] = loss;
    correct_part[lid] = correct;
    workgroupBarrier();
    for (var stride = 128u; stride > 0u; stride >>= 1u) {
        if (lid < stride) {
            loss_part[lid] += loss_part[lid + stride];
            correct_part[lid] += correct_part[lid + stride];
        }
        workgroupBarrier();
    }
    if (lid == 0u) {
        result[0] = loss_part[0] / f32(p.n);
        if (WITH_CORRECT) {
            result[1] = correct_part[0];
        }
    }
}
