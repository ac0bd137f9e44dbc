// One step of the Blow-up experiment: x_out = x_in · (scale · M_step), plus a summary of x_out
// per 16×16 output tile (largest finite |v|, scaled sum of squares, Inf/NaN/zero counts).
// Launched by src/blowup/gpu.rs once per step, all steps in one command buffer; the host adds
// up the tile summaries (StepStats::from_partials).

struct Params {
    n: u32,
    step: u32,
    scale: f32,
    _pad: u32,
}

// Same layout as `TilePartial` in src/blowup/stats.rs.
struct TilePartial {
    max_abs: f32,
    sum_sq_scaled: f32,
    inf: u32,
    nan: u32,
    zero: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x_in: array<f32>;
@group(0) @binding(2) var<storage, read> matrices: array<f32>;
@group(0) @binding(3) var<storage, read_write> x_out: array<f32>;
@group(0) @binding(4) var<storage, read_write> partials: array<TilePartial>;

const TILE: u32 = 16u;
const THREADS: u32 = 256u;

var<workgroup> a_tile: array<array<f32, 16>, 16>;
var<workgroup> b_tile: array<array<f32, 16>, 16>;
var<workgroup> red_max: array<f32, 256>;
var<workgroup> red_sum: array<f32, 256>;
var<workgroup> red_count: array<vec3<u32>, 256>;

@compute @workgroup_size(16, 16, 1)
fn main(
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(local_invocation_index) li: u32,
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let n = params.n;
    let row = wid.y * TILE + lid.y;
    let col = wid.x * TILE + lid.x;
    let base = params.step * n * n;

    var acc = 0.0;
    for (var k0 = 0u; k0 < n; k0 += TILE) {
        let ka = k0 + lid.x;
        let kb = k0 + lid.y;
        var a = 0.0;
        if (row < n && ka < n) {
            a = x_in[row * n + ka];
        }
        var b = 0.0;
        if (kb < n && col < n) {
            // Scale first, then multiply: the float32 rounding of `randn(n, n) * scale`.
            b = matrices[base + kb * n + col] * params.scale;
        }
        a_tile[lid.y][lid.x] = a;
        b_tile[lid.y][lid.x] = b;
        workgroupBarrier();
        // Stop at n rather than multiplying padding: Inf · 0 would invent a NaN.
        let kmax = min(TILE, n - k0);
        for (var kk = 0u; kk < kmax; kk++) {
            acc = acc + a_tile[lid.y][kk] * b_tile[kk][lid.x];
        }
        workgroupBarrier();
    }

    let valid = row < n && col < n;
    if (valid) {
        x_out[row * n + col] = acc;
    }

    // Classify by bits: a compiler may assume floats are finite and fold `x != x` away.
    let bits = bitcast<u32>(acc);
    let non_finite = (bits & 0x7f800000u) == 0x7f800000u;
    let is_nan = valid && non_finite && (bits & 0x007fffffu) != 0u;
    let is_inf = valid && non_finite && (bits & 0x007fffffu) == 0u;
    let is_zero = valid && (bits & 0x7fffffffu) == 0u;
    let finite = valid && !non_finite;
    var mag = 0.0;
    if (finite) {
        mag = abs(acc);
    }
    red_max[li] = mag;
    red_count[li] = vec3<u32>(u32(is_inf), u32(is_nan), u32(is_zero));
    workgroupBarrier();
    for (var stride = THREADS / 2u; stride > 0u; stride = stride / 2u) {
        if (li < stride) {
            red_max[li] = max(red_max[li], red_max[li + stride]);
            red_count[li] = red_count[li] + red_count[li + stride];
        }
        workgroupBarrier();
    }
    let m = red_max[0];

    // Sum of squares relative to the tile maximum, so entries near 3.4e38 cannot overflow it.
    var rel = 0.0;
    if (finite && m > 0.0) {
        rel = (mag / m) * (mag / m);
    }
    red_sum[li] = rel;
    workgroupBarrier();
    for (var stride = THREADS / 2u; stride > 0u; stride = stride / 2u) {
        if (li < stride) {
            red_sum[li] = red_sum[li] + red_sum[li + stride];
        }
        workgroupBarrier();
    }

    if (li == 0u) {
        let tiles = groups.x * groups.y;
        let c = red_count[0];
        partials[params.step * tiles + wid.y * groups.x + wid.x] =
            TilePartial(m, red_sum[0], c.x, c.y, c.z);
    }
}
