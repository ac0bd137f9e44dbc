// One step of the Blow-up experiment: x_out = x_in · (scale · M_step), plus a summary of x_out
// per 32×32 output tile (largest finite |v|, scaled sum of squares, Inf/NaN/zero counts).
// Launched by src/blowup/gpu.rs once per step, all steps in one command buffer; the host adds
// up the tile summaries (StepStats::from_partials).
//
// Few threads and only two barriers per workgroup, on purpose: software WebGPU (SwiftShader)
// runs a workgroup's invocations as fibers and pays for every barrier, and measured 2 ms per
// workgroup with a shared-memory tiled product and tree reductions (26 barriers); this
// layout measured 0.2 ms per step at n = 50 there. The matrices
// are at most 256×256, so each thread reading its row and column straight from memory is cheap
// on real GPUs too.

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

const TILE: u32 = 32u;
// Each of the 64 threads computes 16 outputs of the 32×32 tile: fewer, fuller workgroups.
const PER_THREAD: u32 = 16u;
// The tile's scaled squares (each ≤ 1) are summed as fixed-point integers, 2^20 per unit:
// 1024 entries stay below 2^30.
const FIXED_ONE: f32 = 1048576.0;

var<workgroup> tile_max_bits: atomic<u32>;
var<workgroup> tile_sum: atomic<u32>;
var<workgroup> tile_inf: atomic<u32>;
var<workgroup> tile_nan: atomic<u32>;
var<workgroup> tile_zero: atomic<u32>;

@compute @workgroup_size(64, 1, 1)
fn main(
    @builtin(local_invocation_index) li: u32,
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let n = params.n;
    let row = wid.y * TILE + li / 2u;
    let base = params.step * n * n;

    var values: array<f32, 16>;
    var valid: array<bool, 16>;
    var local_max = 0.0;
    for (var k = 0u; k < PER_THREAD; k++) {
        let col = wid.x * TILE + (li % 2u) + 2u * k;
        valid[k] = row < n && col < n;
        var acc = 0.0;
        if (valid[k]) {
            for (var i = 0u; i < n; i++) {
                // Scale first, then multiply: the float32 rounding of `randn(n, n) * scale`.
                acc = acc + x_in[row * n + i] * (matrices[base + i * n + col] * params.scale);
            }
            x_out[row * n + col] = acc;
        }
        values[k] = acc;
        // Classify by bits: a compiler may assume floats are finite and fold `x != x` away.
        let bits = bitcast<u32>(acc);
        let non_finite = (bits & 0x7f800000u) == 0x7f800000u;
        if (valid[k]) {
            if (non_finite && (bits & 0x007fffffu) != 0u) {
                atomicAdd(&tile_nan, 1u);
            } else if (non_finite) {
                atomicAdd(&tile_inf, 1u);
            } else if ((bits & 0x7fffffffu) == 0u) {
                atomicAdd(&tile_zero, 1u);
            }
            if (!non_finite) {
                local_max = max(local_max, abs(acc));
            }
        }
    }
    // Non-negative floats order like their bit patterns, so an integer max is a float max.
    atomicMax(&tile_max_bits, bitcast<u32>(local_max));
    workgroupBarrier();
    let m = bitcast<f32>(atomicLoad(&tile_max_bits));

    // Squares relative to the tile maximum, so entries near 3.4e38 cannot overflow the sum.
    var local_sum = 0u;
    if (m > 0.0) {
        for (var k = 0u; k < PER_THREAD; k++) {
            let bits = bitcast<u32>(values[k]);
            if (valid[k] && (bits & 0x7f800000u) != 0x7f800000u) {
                let r = abs(values[k]) / m;
                local_sum += u32(round(r * r * FIXED_ONE));
            }
        }
    }
    atomicAdd(&tile_sum, local_sum);
    workgroupBarrier();

    if (li == 0u) {
        let tiles = groups.x * groups.y;
        partials[params.step * tiles + wid.y * groups.x + wid.x] = TilePartial(
            m,
            f32(atomicLoad(&tile_sum)) / FIXED_ONE,
            atomicLoad(&tile_inf),
            atomicLoad(&tile_nan),
            atomicLoad(&tile_zero),
        );
    }
}
