// The embedding's gradient and the LSTM biases' gradient in one dispatch (src/trainer/ops/lstm/wgpu_embedded.rs),
// from the gate pre-activation gradients dA [T·B, 4H] of the layer that reads the embedding:
//
//   ∂E[v, e] = Σ_{p : ids[p] = v} Σ_r dA[p, r] · W_ih[r, e]   = (Σ_{p : ids[p] = v} dA[p, ·]) · W_ih[·, e]
//   ∂b[r]    = Σ_p dA[p, r]                                    (the same for b_ih and b_hh)
//
// The positions of each word come from the host, sorted (order[starts[v] .. starts[v+1]]), so a
// workgroup owns one row of ∂E: it sums the gate gradients of that word's positions in
// workgroup memory, then multiplies by W_ih. No ∂x [T·B, E] in between, no zero fill and no
// atomic scatter (WGSL has no float atomics), and every row is written, used or not. The last
// workgroups (after the vocabulary) sum the columns of dA for ∂b.
// Every buffer is read_write (see lstm/forward.wgsl).

struct Params {
    rows: u32,    // T·B
    vocab: u32,
    embed: u32,
    per_row: u32, // workgroups per row of the grid (x dimension)
}

const G4: u32 = {{ gates4 }}u;
// Workgroups of 64: most of a batch's vocabulary is unused, and those workgroups only write a
// row of zeros (measured on lavapipe at 32×32: the kernel took 431 ms with 256 threads, 367 ms
// with 64; eight words per workgroup instead of one did not help).
const THREADS: u32 = 64u;

@group(0) @binding(0) var<storage, read_write> d_gates: array<f32>; // [T·B, 4H]
@group(0) @binding(1) var<storage, read_write> order: array<i32>;   // [T·B]: positions by word
@group(0) @binding(2) var<storage, read_write> starts: array<i32>;  // [V + 1]
@group(0) @binding(3) var<storage, read_write> w_ih: array<f32>;    // [4H, E]
@group(0) @binding(4) var<storage, read_write> d_emb: array<f32>;   // [V, E] out
@group(0) @binding(5) var<storage, read_write> d_bias: array<f32>;  // [4H] out
@group(0) @binding(6) var<uniform> p: Params;

var<workgroup> word_sum: array<f32, G4>;
var<workgroup> span: vec2<u32>;  // this word's [first, end) in order

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let v = wid.y * p.per_row + wid.x;
    if (v < p.vocab) {
        if (lid == 0u) {
            span = vec2<u32>(u32(starts[v]), u32(starts[v + 1u]));
        }
        // Read through workgroup memory, so every thread agrees (and may return together).
        let bounds = workgroupUniformLoad(&span);
        let first = bounds.x;
        let end = bounds.y;
        if (first == end) {
            // A word this batch does not use: its gradient is zero.
            for (var e = lid; e < p.embed; e += THREADS) {
                d_emb[v * p.embed + e] = 0.0;
            }
            return;
        }
        for (var r = lid; r < G4; r += THREADS) {
            var acc = 0.0;
            for (var q = first; q < end; q++) {
                acc += d_gates[u32(order[q]) * G4 + r];
            }
            word_sum[r] = acc;
        }
        workgroupBarrier();
        for (var e = lid; e < p.embed; e += THREADS) {
            var acc = 0.0;
            for (var r = 0u; r < G4; r++) {
                acc += word_sum[r] * w_ih[r * p.embed + e];
            }
            d_emb[v * p.embed + e] = acc;
        }
    } else {
        let r = (v - p.vocab) * THREADS + lid;
        if (r < G4) {
            var acc = 0.0;
            for (var q = 0u; q < p.rows; q++) {
                acc += d_gates[q * G4 + r];
            }
            d_bias[r] = acc;
        }
    }
}
