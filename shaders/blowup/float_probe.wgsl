// Asks the adapter how its float32 arithmetic treats the edges of the range. The operands come
// from a buffer so the shader compiler cannot fold them at compile time.
//   out[0] = 1e-30 · 1e-10   (1e-40 is subnormal: kept, or flushed to 0?)
//   out[1] = 1e30 · 1e30     (overflow: Inf?)
//   out[2] = 1e30 · 1e30 + 1e30 · (−1e30)   (Inf − Inf: NaN?  Written so that no algebraic
//            simplification like x − x = 0 can apply.)
// Launched by src/blowup/gpu.rs (FloatBehaviour::probe).

@group(0) @binding(0) var<storage, read> operands: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(1, 1, 1)
fn main() {
    let tiny = operands[0] * operands[1];
    let huge = operands[2] * operands[3];
    out[0] = bitcast<u32>(tiny);
    out[1] = bitcast<u32>(huge);
    let negative_huge = operands[2] * operands[4];
    out[2] = bitcast<u32>(huge + negative_huge);
}
