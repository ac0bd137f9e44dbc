//! The CPU LSTM layer ([`super::cpu_kernel`]) as one burn autodiff op on the Flex backend: input
//! projection and recurrence forward, and every gradient in its own backward.
//!
//! One op instead of burn's matmul, bias adds, reshapes and their gradients: fewer passes over
//! the `[T, B, 4H]` buffer, no transposed copies, and the big GEMMs sized once for all steps.

use super::cpu_kernel::{self as cpu, Dims, Forward, Trace, Wanted, Weights};
use crate::trainer::ops::flex::{contiguous, flex, values};
use burn::backend::autodiff::Autodiff;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Dispatch, Flex, backend_extension};
use burn::tensor::Tensor;
use std::sync::Arc;

/// Every hidden state `[T, B, H]` of the LSTM layer on time-major `x` `[T, B, E]` from the state
/// `h0`, `c0` `[B, H]`, with PyTorch's weights `w_ih` `[4H, E]`, `w_hh` `[4H, H]`, `b_ih`,
/// `b_hh` `[4H]`. Flex (CPU) devices only.
pub fn lstm_layer(
    x: Tensor<3>,
    [w_ih, w_hh]: [Tensor<2>; 2],
    [b_ih, b_hh]: [Tensor<1>; 2],
    h0: Tensor<2>,
    c0: Tensor<2>,
) -> Tensor<3> {
    Tensor::from_dispatch(<Dispatch as CpuLstmLayer>::cpu_lstm_layer(
        x.into_dispatch(),
        w_ih.into_dispatch(),
        w_hh.into_dispatch(),
        b_ih.into_dispatch(),
        b_hh.into_dispatch(),
        h0.into_dispatch(),
        c0.into_dispatch(),
    ))
}

#[backend_extension(Flex, Autodiff)]
pub trait CpuLstmLayer: Backend {
    fn cpu_lstm_layer(
        x: FloatTensor<Self>,
        w_ih: FloatTensor<Self>,
        w_hh: FloatTensor<Self>,
        b_ih: FloatTensor<Self>,
        b_hh: FloatTensor<Self>,
        h0: FloatTensor<Self>,
        c0: FloatTensor<Self>,
    ) -> FloatTensor<Self>;
}

/// The forward pass's inputs (shared, not copied) and what it computed, but for the outputs
/// (the op's result, kept beside this in [`State`]).
#[derive(Clone, Debug)]
pub struct Saved {
    dims: Dims,
    x: FlexTensor,
    w_ih: FlexTensor,
    w_hh: FlexTensor,
    bias: Arc<Vec<f32>>,
    h0: FlexTensor,
    c0: FlexTensor,
    c_seq: Arc<Vec<f32>>,
    gates: Arc<Vec<f32>>,
}

/// The forward pass; returns the outputs `[T, B, H]` and what the backward pass needs.
fn forward(inputs: [FlexTensor; 7]) -> (FlexTensor, Saved) {
    let [x, w_ih, w_hh, b_ih, b_hh, h0, c0] = inputs.map(contiguous);
    let [steps, batch, input] = x.layout().shape().dims::<3>();
    let hidden = w_hh.layout().shape().dims::<2>()[1];
    let dims = Dims {
        steps,
        batch,
        input,
        hidden,
    };
    let bias: Vec<f32> = values(&b_ih)
        .iter()
        .zip(values(&b_hh))
        .map(|(a, b)| a + b)
        .collect();
    let weights = Weights {
        w_ih: values(&w_ih),
        w_hh: values(&w_hh),
        bias: &bias,
    };
    let Forward {
        h_seq,
        c_seq,
        gates,
    } = cpu::forward(values(&x), weights, values(&h0), values(&c0), dims);
    let out = flex(h_seq, &[steps, batch, hidden]);
    let saved = Saved {
        dims,
        x,
        w_ih,
        w_hh,
        bias: Arc::new(bias),
        h0,
        c0,
        c_seq: Arc::new(c_seq),
        gates: Arc::new(gates),
    };
    (out, saved)
}

impl CpuLstmLayer for Flex {
    fn cpu_lstm_layer(
        x: FlexTensor,
        w_ih: FlexTensor,
        w_hh: FlexTensor,
        b_ih: FlexTensor,
        b_hh: FlexTensor,
        h0: FlexTensor,
        c0: FlexTensor,
    ) -> FlexTensor {
        forward([x, w_ih, w_hh, b_ih, b_hh, h0, c0]).0
    }
}

/// The autodiff node's state: what the forward pass kept, and its output (whose values the
/// backward pass needs as `h_{t−1}` for `∂W_hh`).
#[derive(Clone, Debug)]
struct State {
    saved: Saved,
    out: FlexTensor,
}

#[derive(Debug)]
struct LayerBackward;

impl Backward<Flex, 7> for LayerBackward {
    type State = State;

    fn backward(self, ops: Ops<Self::State, 7>, grads: &mut Gradients, _: &mut Checkpointer) {
        let d_out = contiguous(grads.consume::<Flex>(&ops.node));
        let State { saved, out } = &ops.state;
        let Dims {
            steps,
            batch,
            input,
            hidden,
        } = saved.dims;
        let wanted = ops.parents.each_ref().map(|p| p.is_some());
        let trace = Trace {
            dims: saved.dims,
            x: values(&saved.x),
            weights: Weights {
                w_ih: values(&saved.w_ih),
                w_hh: values(&saved.w_hh),
                bias: &saved.bias,
            },
            h0: values(&saved.h0),
            c0: values(&saved.c0),
            h_seq: values(out),
            c_seq: &saved.c_seq,
            gates: &saved.gates,
        };
        let wanted_here = Wanted {
            x: wanted[0],
            w_ih: wanted[1],
            w_hh: wanted[2],
        };
        let g = cpu::backward(&trace, values(&d_out), wanted_here);
        let g4 = 4 * hidden;
        let d_bias_hh = wanted[4].then(|| flex(g.bias.clone(), &[g4]));
        let computed: [Option<FlexTensor>; 7] = [
            g.x.map(|v| flex(v, &[steps, batch, input])),
            g.w_ih.map(|v| flex(v, &[g4, input])),
            g.w_hh.map(|v| flex(v, &[g4, hidden])),
            wanted[3].then(|| flex(g.bias, &[g4])),
            d_bias_hh,
            wanted[5].then(|| flex(g.h0, &[batch, hidden])),
            wanted[6].then(|| flex(g.c0, &[batch, hidden])),
        ];
        for (node, grad) in ops.parents.into_iter().zip(computed) {
            if let (Some(node), Some(grad)) = (node, grad) {
                grads.register::<Flex>(node.id, grad);
            }
        }
    }
}

impl<C: CheckpointStrategy> CpuLstmLayer for Autodiff<Flex, C> {
    fn cpu_lstm_layer(
        x: FloatTensor<Self>,
        w_ih: FloatTensor<Self>,
        w_hh: FloatTensor<Self>,
        b_ih: FloatTensor<Self>,
        b_hh: FloatTensor<Self>,
        h0: FloatTensor<Self>,
        c0: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        let nodes = [&x, &w_ih, &w_hh, &b_ih, &b_hh, &h0, &c0].map(|t| t.node());
        let inputs = [x, w_ih, w_hh, b_ih, b_hh, h0, c0].map(|t| t.into_primitive());
        match LayerBackward.prepare::<C>(nodes).compute_bound().stateful() {
            OpsKind::Tracked(prep) => {
                let (out, saved) = forward(inputs);
                prep.finish(
                    State {
                        saved,
                        out: out.clone(),
                    },
                    out,
                )
            }
            OpsKind::UnTracked(prep) => prep.finish(forward(inputs).0),
        }
    }
}
