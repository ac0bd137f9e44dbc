//! The classifier head as one burn autodiff op on wgpu: one dispatch forward
//! (`shaders/head/forward.wgsl`), one backward (`shaders/head/backward.wgsl`).

use super::shaders;
use crate::trainer::ops::wgsl::{empty_f32, launch_wgsl, uniform};
use burn::backend::autodiff::Autodiff;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::FloatTensor;
use burn::backend::wgpu::{CubeTensor, into_contiguous};
use burn::backend::{Backend, Cube, Dispatch, backend_extension};
use burn::tensor::{Shape, Tensor};
use cubecl::CubeCount;
use cubecl::server::MetadataBindingInfo;

const THREADS: usize = 128;

/// `logits[b] = [mean_t h ‖ max_t h][b] · weight + bias` for time-major `h_seq` `[T, B, H]`,
/// `weight` `[2H, O]` (burn's Linear layout), `bias` `[O]`: `[B, O]`. wgpu devices only.
pub fn pool_linear(h_seq: Tensor<3>, weight: Tensor<2>, bias: Tensor<1>) -> Tensor<2> {
    Tensor::from_dispatch(<Dispatch as PoolLinear>::pool_linear(
        h_seq.into_dispatch(),
        weight.into_dispatch(),
        bias.into_dispatch(),
    ))
}

#[backend_extension(Cube, Autodiff)]
pub trait PoolLinear: Backend {
    fn pool_linear(
        h_seq: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
    ) -> FloatTensor<Self>;
}

fn info([steps, batch, hidden, outputs]: [usize; 4]) -> MetadataBindingInfo {
    uniform(&[steps as u32, batch as u32, hidden as u32, outputs as u32])
}

/// What the backward pass needs.
#[derive(Clone, Debug)]
pub struct Saved {
    weight: CubeTensor,
    pooled: CubeTensor,
    arg_max: CubeTensor,
    /// `[T, B, H, O]`.
    dims: [usize; 4],
}

fn forward(h_seq: CubeTensor, weight: CubeTensor, bias: CubeTensor) -> (CubeTensor, Saved) {
    let h_seq = into_contiguous(h_seq);
    let (weight, bias) = (into_contiguous(weight), into_contiguous(bias));
    let [steps, batch, hidden] = h_seq.meta.shape().dims::<3>();
    let dims = [steps, batch, hidden, bias.meta.shape().num_elements()];
    let pooled = empty_f32(&h_seq, Shape::new([batch, 2 * hidden]));
    // Step indices (u32), in a buffer of the same size.
    let arg_max = empty_f32(&h_seq, Shape::new([batch, hidden]));
    let logits = empty_f32(&h_seq, Shape::new([batch, dims[3]]));
    let [forward, _] = shaders();
    launch_wgsl(
        forward,
        THREADS,
        CubeCount::Static(batch as u32, 1, 1),
        &[&h_seq, &weight, &bias, &pooled, &arg_max, &logits],
        info(dims),
    );
    let saved = Saved {
        weight,
        pooled,
        arg_max,
        dims,
    };
    (logits, saved)
}

/// Gradients of `h_seq`, `weight` (`[2H, O]`) and `bias` (`[O]`) from that of the logits.
fn backward(saved: &Saved, d_logits: CubeTensor) -> [CubeTensor; 3] {
    let d_logits = into_contiguous(d_logits);
    let [steps, batch, hidden, outputs] = saved.dims;
    let d_h_seq = empty_f32(&d_logits, Shape::new([steps, batch, hidden]));
    let d_weight = empty_f32(&d_logits, Shape::new([2 * hidden, outputs]));
    let d_bias = empty_f32(&d_logits, Shape::new([outputs]));
    // The weight's and the bias's (2H + 1)·O sums, one per thread.
    let sum_groups = ((2 * hidden + 1) * outputs).div_ceil(THREADS);
    let [_, backward] = shaders();
    launch_wgsl(
        backward,
        THREADS,
        // One workgroup per sequence, then the weight and bias sums.
        CubeCount::Static((batch + sum_groups) as u32, 1, 1),
        &[
            &d_logits,
            &saved.weight,
            &saved.pooled,
            &saved.arg_max,
            &d_h_seq,
            &d_weight,
            &d_bias,
        ],
        info(saved.dims),
    );
    [d_h_seq, d_weight, d_bias]
}

impl PoolLinear for Cube {
    fn pool_linear(h_seq: CubeTensor, weight: CubeTensor, bias: CubeTensor) -> CubeTensor {
        forward(h_seq, weight, bias).0
    }
}

#[derive(Debug)]
struct HeadBackward;

impl Backward<Cube, 3> for HeadBackward {
    type State = Saved;

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let d_logits = grads.consume::<Cube>(&ops.node);
        let computed = backward(&ops.state, d_logits);
        for (node, grad) in ops.parents.into_iter().zip(computed) {
            if let Some(node) = node {
                grads.register::<Cube>(node.id, grad);
            }
        }
    }
}

impl<C: CheckpointStrategy> PoolLinear for Autodiff<Cube, C> {
    fn pool_linear(
        h_seq: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        let nodes = [h_seq.node(), weight.node(), bias.node()];
        let (logits, saved) = forward(
            h_seq.into_primitive(),
            weight.into_primitive(),
            bias.into_primitive(),
        );
        match HeadBackward.prepare::<C>(nodes).compute_bound().stateful() {
            OpsKind::Tracked(prep) => prep.finish(saved, logits),
            OpsKind::UnTracked(prep) => prep.finish(logits),
        }
    }
}
