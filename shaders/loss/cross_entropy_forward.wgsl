// Softmax cross-entropy, averaged over the batch, in one dispatch of one workgroup
// (src/trainer/ops/loss/wgpu_cross_entropy.rs); with WITH_CORRECT it also counts the rows whose
// largest logit is the target's (the first largest, on ties, as argmax).
//
//   loss = mean_b [ m_b + log Σ_c e^{z_bc − m_b} − z_{b,y_b} ]     m_b = max_c z_bc   (nn.CrossEntropyLoss)
//
// Subtracting the row's max keeps every exponent ≤ 0: nothing overflows. A thread per row.
// Every buffer is read_write (see lstm/forward.wgsl).

struct Params {
    rows: u32,
    classes: u32,
}

const WITH_CORRECT: bool = {{ with_correct }};

@group(0) @binding(0) var<storage, read_write> logits: array<f32>;  // [B, K]
@group(0) @binding(1) var<storage, read_write> targets: array<f32>; // [B] class ids
@group(0) @binding(2) var<storage, read_write> result: array<f32>;  // [loss] or [loss, correct]
@group(0) @binding(3) var<uniform> p: Params;

var<workgroup> loss_part: array<f32, 256>;
var<workgroup> correct_part: array<f32, 256>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(local_invocation_index) lid: u32) {
    let classes = p.classes;
    var loss = 0.0;
    var correct = 0.0;
    for (var b = lid; b < p.rows; b += 256u) {
        let row = b * classes;
        var top = logits[row];
        var arg = 0u;
        for (var c = 1u; c < classes; c++) {
            let z = logits[row + c];
            if (z > top) {
                top = z;
                arg = c;
            }
        }
        var sum = 0.0;
        for (var c = 0u; c < classes; c++) {
            sum += exp(logits[row + c] - top);
        }
        // A class id past the row (the data layer never sends one) reads the row's last logit
        // rather than another row's.
        let y = min(u32(targets[b]), classes - 1u);
        loss += top + log(sum) - logits[row + y];
        correct += select(0.0, 1.0, arg == y);
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
        result[0] = loss_part[0] / f32(p.rows);
        if (WITH_CORRECT) {
            result[1] = correct_part[0];
        }
    }
}
