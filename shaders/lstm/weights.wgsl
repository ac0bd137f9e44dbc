// The recurrence kernels' view of the weights, both directions in one dispatch
// (src/trainer/ops/lstm/wgpu_embedded.rs), once per training step:
//
//   w4_fwd[k·H + j] = (W_hh[i·H + j, k], W_hh[f·H + j, k], W_hh[g·H + j, k], W_hh[o·H + j, k])
//   w4_fwd[H·H + j] = b_ih[(i,f,g,o)·H + j] + b_hh[(i,f,g,o)·H + j]   (the bias, one row more)
//   w4_bwd[k·H + j] = (W_hh[i·H + k, j], W_hh[f·H + k, j], W_hh[g·H + k, j], W_hh[o·H + k, j])
//
// Forward, h_{t−1}[k] feeds unit j's four gates; backward, unit k's four gate gradients feed
// dh[j]. Either way neighbouring threads (j) read neighbouring vec4s. The bias rides in the
// forward buffer so the forward kernel needs no binding more and the input projection no add.
// Every buffer is read_write (see lstm/forward.wgsl).

struct Params {
    hidden: u32,
    _pad: u32,
}

@group(0) @binding(0) var<storage, read_write> w_hh: array<f32>;        // [4H, H]
@group(0) @binding(1) var<storage, read_write> b_ih: array<f32>;        // [4H]
@group(0) @binding(2) var<storage, read_write> b_hh: array<f32>;        // [4H]
@group(0) @binding(3) var<storage, read_write> w4_fwd: array<vec4<f32>>; // [H + 1, H]
@group(0) @binding(4) var<storage, read_write> w4_bwd: array<vec4<f32>>; // [H, H]
@group(0) @binding(5) var<uniform> p: Params;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let h = p.hidden;
    let x = gid.y * groups.x * 256u + gid.x;
    if (x < h * h) {
        let k = x / h;
        let j = x % h;
        w4_fwd[x] = vec4<f32>(w_hh[j * h + k], w_hh[(h + j) * h + k], w_hh[(2u * h + j) * h + k],
                              w_hh[(3u * h + j) * h + k]);
        w4_bwd[x] = vec4<f32>(w_hh[k * h + j], w_hh[(h + k) * h + j], w_hh[(2u * h + k) * h + j],
                              w_hh[(3u * h + k) * h + j]);
    } else if (x < h * h + h) {
        let j = x - h * h;
        w4_fwd[x] = vec4<f32>(b_ih[j] + b_hh[j], b_ih[h + j] + b_hh[h + j],
                              b_ih[2u * h + j] + b_hh[2u * h + j], b_ih[3u * h + j] + b_hh[3u * h + j]);
    }
}
