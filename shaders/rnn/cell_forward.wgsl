// Shared by rnn/forward.wgsl and gru/forward.wgsl, after lstm/common.wgsl: h_{t−1} lives in
// workgroup memory between steps. The kernel declares h0 [B, H] and h_all [T+1, B, H].

var<workgroup> h_prev: array<f32, {{ hidden }}>;

// h_{t0−1} into h_prev (row t0 of h_all; row 0 is h₀, copied in first) for sequence b.
fn load_h_prev(b: u32, lid: u32) {
    for (var j = lid; j < H; j += THREADS) {
        var v: f32;
        if (p.t0 == 0u) {
            v = h0[b * H + j];
            h_all[b * H + j] = v;
        } else {
            v = h_all[(p.t0 * p.batch + b) * H + j];
        }
        h_prev[j] = v;
    }
    workgroupBarrier();
}

// h_t (each thread's `own` units) into h_prev, once every thread has read h_{t−1}.
fn store_h_prev(own: array<f32, PASSES>, lid: u32) {
    workgroupBarrier();
    for (var unit_pass = 0u; unit_pass < PASSES; unit_pass++) {
        let j = lid + unit_pass * UNIT_THREADS;
        if (j < H) {
            h_prev[j] = own[unit_pass];
        }
    }
    workgroupBarrier();
}
