// Backpropagation through time for count steps in one dispatch (src/trainer/ops/lstm/wgpu.rs), from
// t = t0+count−1 down to t0. For unit j of sequence b:
//
//   dh = ∂L/∂h_t (from the outputs) + Σ_r dA_{t+1}[r] · W_hh[r, j]   (through the next step)
//   dc = ∂L/∂c_t (carried, = dc_{t+1} ⊙ f_{t+1}) + dh ⊙ o ⊙ (1 − tanh²(c_t))
//   dA_t = [dc·g·i(1−i), dc·c_{t−1}·f(1−f), dc·i·(1−g²), dh·tanh(c_t)·o(1−o)]
//
// dA_t (the gate pre-activation gradients) is also ∂L/∂x_proj_t; the host turns all of them
// into ∂W_hh and ∂h₀ with matmuls. dA_{t+1} lives in workgroup memory between steps and the
// carried dc in the registers of the thread that owns the unit; between dispatches both go
// through d_gates and dc_carry. After step 0, dc_carry holds ∂L/∂c₀.
// Params, the layout constants, sigmoid and tanh_stable come from lstm/common.wgsl.
// Every buffer is read_write (see lstm/forward.wgsl).

@group(0) @binding(0) var<storage, read_write> d_h_seq: array<f32>;     // [T, B, H]
@group(0) @binding(1) var<storage, read_write> w4: array<vec4<f32>>;    // [k, j] = W_hh[(i,f,g,o)·H + k, j]
@group(0) @binding(2) var<storage, read_write> gates: array<vec4<f32>>; // [T, B, H] (i, f, g, o)
@group(0) @binding(3) var<storage, read_write> c_seq: array<f32>;       // [T, B, H]
@group(0) @binding(4) var<storage, read_write> c0: array<f32>;          // [B, H]
@group(0) @binding(5) var<storage, read_write> d_gates: array<f32>;     // [T, B, 4H] out
@group(0) @binding(6) var<storage, read_write> dc_carry: array<f32>;    // [B, H] in/out
@group(0) @binding(7) var<uniform> p: Params;

var<workgroup> d_next: array<vec4<f32>, {{ seqs_hidden }}>;  // [SEQS, H]: dA_{t+1} per unit
var<workgroup> partial: array<f32, {{ partial_len }}>;       // [SPLIT−1, SEQS, H]

@compute @workgroup_size({{ threads }}, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let batch = p.batch;
    let b0 = wid.x * SEQS;
    let u = lid % UNIT_THREADS;
    let part = lid / UNIT_THREADS;
    let k_begin = min(part * {{ slice }}u, H);
    let k_end = min(k_begin + {{ slice }}u, H);
    let top = p.t0 + p.count - 1u;
    let has_next = top + 1u < p.steps;

    // What the steps above this dispatch left: dA_{top+1} and the carried dc.
    for (var x = lid; x < SEQS * H; x += THREADS) {
        let b = b0 + x / H;
        let j = x % H;
        var v = vec4<f32>(0.0);
        if (has_next && b < batch) {
            let row = ((top + 1u) * batch + b) * 4u * H;
            v = vec4<f32>(d_gates[row + j], d_gates[row + H + j], d_gates[row + 2u * H + j],
                          d_gates[row + 3u * H + j]);
        }
        d_next[x] = v;
    }
    var dc = array<f32, {{ own_len }}>();
    if (part == 0u) {
        for (var unit_pass = 0u; unit_pass < PASSES; unit_pass++) {
            let j = u + unit_pass * UNIT_THREADS;
            for (var s = 0u; s < SEQS; s++) {
                let b = b0 + s;
                if (has_next && j < H && b < batch) {
                    dc[unit_pass * SEQS + s] = dc_carry[b * H + j];
                }
            }
        }
    }
    workgroupBarrier();

    for (var n = 0u; n < p.count; n++) {
        let t = top - n;
        // Phase 1: this thread's slice of Σ_k dA_{t+1}[k-th unit's gates] · W_hh[·, j].
        var own = array<f32, {{ own_len }}>();
        for (var unit_pass = 0u; unit_pass < PASSES; unit_pass++) {
            let j = u + unit_pass * UNIT_THREADS;
            if (j < H) {
                var acc = array<f32, SEQS>();
                for (var k = k_begin; k < k_end; k++) {
                    let w = w4[k * H + j];
                    for (var s = 0u; s < SEQS; s++) {
                        acc[s] += dot(d_next[s * H + k], w);
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
        // Phase 2: part 0 finishes dh, dc and the four gate gradients of its units.
        if (part == 0u) {
            for (var unit_pass = 0u; unit_pass < PASSES; unit_pass++) {
                let j = u + unit_pass * UNIT_THREADS;
                for (var s = 0u; s < SEQS; s++) {
                    let b = b0 + s;
                    if (j >= H || b >= batch) {
                        continue;
                    }
                    let at = (t * batch + b) * H + j;
                    var dh = d_h_seq[at] + own[unit_pass * SEQS + s];
                    for (var q = 1u; q < SPLIT; q++) {
                        dh += partial[((q - 1u) * SEQS + s) * H + j];
                    }
                    let gate = gates[at];
                    let i = gate.x;
                    let f = gate.y;
                    let g = gate.z;
                    let o = gate.w;
                    let tc = tanh_stable(c_seq[at]);
                    let d = unit_pass * SEQS + s;
                    let dcv = dc[d] + dh * o * (1.0 - tc * tc);
                    var c_before: f32;
                    if (t == 0u) {
                        c_before = c0[b * H + j];
                    } else {
                        c_before = c_seq[at - batch * H];
                    }
                    let da = vec4<f32>(dcv * g * i * (1.0 - i), dcv * c_before * f * (1.0 - f),
                                       dcv * i * (1.0 - g * g), dh * tc * o * (1.0 - o));
                    let row = (t * batch + b) * 4u * H;
                    d_gates[row + j] = da.x;
                    d_gates[row + H + j] = da.y;
                    d_gates[row + 2u * H + j] = da.z;
                    d_gates[row + 3u * H + j] = da.w;
                    d_next[s * H + j] = da;
                    dc[d] = dcv * f;
                }
            }
        }
        workgroupBarrier();
    }

    if (part == 0u) {
        for (var unit_pass = 0u; unit_pass < PASSES; unit_pass++) {
            let j = u + unit_pass * UNIT_THREADS;
            for (var s = 0u; s < SEQS; s++) {
                let b = b0 + s;
                if (j < H && b < batch) {
                    dc_carry[b * H + j] = dc[unit_pass * SEQS + s];
                }
            }
        }
    }
}
