// Backpropagation through time of the GRU, count steps in one dispatch
// (src/trainer/ops/gru/wgpu.rs), from t = t0+count−1 down to t0. For unit j of sequence b, with
// (r, z, n, hn) kept by gru/forward.wgsl and h = h_{t−1}:
//
//   dh' = ∂L/∂h_t (from the outputs) + carry (= dh'_{t+1} ⊙ z_{t+1})
//         + Σ_k dG_{t+1}[k] · W_hh[(r,z,n)·H + k, j]                (through the next step)
//   da_n = dh' (1 − z)(1 − n²),  da_z = dh' (h − n) z (1 − z),  da_r = da_n · hn · r (1 − r)
//   ∂x_proj_t = (da_r, da_z, da_n),  dG_t = (da_r, da_z, da_n · r)   (the recurrent half's gradient)
//
// The host turns dG into ∂W_hh, ∂b_hh and ∂h₀ (+ the carry left after step 0) with matmuls and
// a sum. dG_{t+1} lives in workgroup memory between steps, the carry in the registers of the
// thread that owns the unit; between dispatches they go through d_hg and dh_carry.
// Params, the constants come from lstm/common.wgsl. Every buffer is read_write (see
// lstm/forward.wgsl).

@group(0) @binding(0) var<storage, read_write> d_h_seq: array<f32>;     // [T, B, H]
@group(0) @binding(1) var<storage, read_write> w3: array<vec4<f32>>;    // [k, j] = W_hh[(r,z,n)·H + k, j], 0
@group(0) @binding(2) var<storage, read_write> gates: array<vec4<f32>>; // [T, B, H] (r, z, n, hn)
@group(0) @binding(3) var<storage, read_write> h_all: array<f32>;       // [T+1, B, H]
@group(0) @binding(4) var<storage, read_write> d_x: array<f32>;         // [T, B, 3H] out
@group(0) @binding(5) var<storage, read_write> d_hg: array<f32>;        // [T, B, 3H] out
@group(0) @binding(6) var<storage, read_write> dh_carry: array<f32>;    // [B, H] in/out
@group(0) @binding(7) var<uniform> p: Params;

var<workgroup> d_next: array<vec4<f32>, {{ hidden }}>;  // dG_{t+1} per unit (r, z, n, 0)

@compute @workgroup_size({{ threads }}, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let batch = p.batch;
    let b = wid.x;
    let top = p.t0 + p.count - 1u;
    let has_next = top + 1u < p.steps;
    for (var j = lid; j < H; j += THREADS) {
        var v = vec4<f32>(0.0);
        if (has_next) {
            let row = ((top + 1u) * batch + b) * 3u * H;
            v = vec4<f32>(d_hg[row + j], d_hg[row + H + j], d_hg[row + 2u * H + j], 0.0);
        }
        d_next[j] = v;
    }
    var carry = array<f32, PASSES>();
    for (var unit_pass = 0u; unit_pass < PASSES; unit_pass++) {
        let j = lid + unit_pass * UNIT_THREADS;
        if (has_next && j < H) {
            carry[unit_pass] = dh_carry[b * H + j];
        }
    }
    workgroupBarrier();

    for (var n = 0u; n < p.count; n++) {
        let t = top - n;
        var own = array<vec4<f32>, PASSES>();
        for (var unit_pass = 0u; unit_pass < PASSES; unit_pass++) {
            let j = lid + unit_pass * UNIT_THREADS;
            if (j < H) {
                let at = (t * batch + b) * H + j;
                var dh = d_h_seq[at] + carry[unit_pass];
                for (var k = 0u; k < H; k++) {
                    dh += dot(d_next[k], w3[k * H + j]);
                }
                let g = gates[at];
                let r = g.x;
                let z = g.y;
                let cand = g.z;
                let hn = g.w;
                let h_before = h_all[at];
                let da_n = dh * (1.0 - z) * (1.0 - cand * cand);
                let da_z = dh * (h_before - cand) * z * (1.0 - z);
                let da_r = da_n * hn * r * (1.0 - r);
                let row = (t * batch + b) * 3u * H;
                d_x[row + j] = da_r;
                d_x[row + H + j] = da_z;
                d_x[row + 2u * H + j] = da_n;
                d_hg[row + j] = da_r;
                d_hg[row + H + j] = da_z;
                d_hg[row + 2u * H + j] = da_n * r;
                own[unit_pass] = vec4<f32>(da_r, da_z, da_n * r, 0.0);
                carry[unit_pass] = dh * z;
            }
        }
        workgroupBarrier();
        for (var unit_pass = 0u; unit_pass < PASSES; unit_pass++) {
            let j = lid + unit_pass * UNIT_THREADS;
            if (j < H) {
                d_next[j] = own[unit_pass];
            }
        }
        workgroupBarrier();
    }

    for (var unit_pass = 0u; unit_pass < PASSES; unit_pass++) {
        let j = lid + unit_pass * UNIT_THREADS;
        if (j < H) {
            dh_carry[b * H + j] = carry[unit_pass];
        }
    }
}
