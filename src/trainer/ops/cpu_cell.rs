//! The CPU GRU and tanh RNN layers ([`super::gru::cpu_kernel`], [`super::rnn::cpu_kernel`]) as
//! one burn autodiff op each on the Flex backend, as the LSTM's `lstm/cpu.rs`: input projection
//! and recurrence forward, every gradient in its own backward. The two cells differ only in
//! their kernel ([`CellKernel`]), so the glue is written once, generic over it, and
//! [`cell_layer!`] declares each cell's burn extension and entry (`gru::cpu::gru_layer`,
//! `rnn::cpu::rnn_layer`).

use super::cpu_recurrence::{CellKernel, CellTrace, CellWeights, Dims, Wanted};
use super::flex::{contiguous, flex, values};
use burn::backend::Flex;
use burn::backend::autodiff::Autodiff;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use std::marker::PhantomData;
use std::sync::Arc;

/// The autodiff node's state: the forward pass's inputs `x, w_ih, w_hh, b_ih, b_hh, h0`
/// (shared, not copied), its output (`h_{t−1}` for `∂W_hh`) and what the kernel kept.
#[derive(Debug)]
pub(crate) struct State<K: CellKernel> {
    dims: Dims,
    inputs: [FlexTensor; 6],
    out: FlexTensor,
    saved: Arc<K::Saved>,
}

// By hand: a derive would ask `K: Clone` of the (never stored) kernel type.
impl<K: CellKernel> Clone for State<K> {
    fn clone(&self) -> Self {
        State {
            dims: self.dims,
            inputs: self.inputs.clone(),
            out: self.out.clone(),
            saved: self.saved.clone(),
        }
    }
}

/// The forward pass of `K` on `x, w_ih, w_hh, b_ih, b_hh, h0`: the outputs `[T, B, H]`, and
/// the state for the backward pass.
pub(crate) fn forward<K: CellKernel>(inputs: [FlexTensor; 6]) -> (FlexTensor, State<K>) {
    let inputs = inputs.map(contiguous);
    let [x, w_ih, w_hh, b_ih, b_hh, h0] = &inputs;
    let [steps, batch, input] = x.layout().shape().dims::<3>();
    let hidden = w_hh.layout().shape().dims::<2>()[1];
    let dims = Dims {
        steps,
        batch,
        input,
        hidden,
    };
    let weights = CellWeights {
        w_ih: values(w_ih),
        w_hh: values(w_hh),
        b_ih: values(b_ih),
        b_hh: values(b_hh),
    };
    let (h_seq, saved) = K::forward(values(x), weights, values(h0), dims);
    let out = flex(h_seq, &[steps, batch, hidden]);
    let state = State {
        dims,
        inputs,
        out: out.clone(),
        saved: Arc::new(saved),
    };
    (out, state)
}

#[derive(Debug)]
struct CellBackward<K>(PhantomData<K>);

impl<K: CellKernel> Backward<Flex, 6> for CellBackward<K> {
    type State = State<K>;

    fn backward(self, ops: Ops<Self::State, 6>, grads: &mut Gradients, _: &mut Checkpointer) {
        let d_out = contiguous(grads.consume::<Flex>(&ops.node));
        let State {
            dims,
            inputs,
            out,
            saved,
        } = &ops.state;
        let [x, w_ih, w_hh, b_ih, b_hh, h0] = inputs;
        let Dims {
            steps,
            batch,
            input,
            hidden,
        } = *dims;
        let wanted = ops.parents.each_ref().map(|p| p.is_some());
        let trace = CellTrace {
            dims: *dims,
            x: values(x),
            weights: CellWeights {
                w_ih: values(w_ih),
                w_hh: values(w_hh),
                b_ih: values(b_ih),
                b_hh: values(b_hh),
            },
            h0: values(h0),
            h_seq: values(out),
            saved: &**saved,
        };
        let wanted_here = Wanted {
            x: wanted[0],
            w_ih: wanted[1],
            w_hh: wanted[2],
        };
        let g = K::backward(&trace, values(&d_out), wanted_here);
        let width = K::GATES * hidden;
        let computed: [Option<FlexTensor>; 6] = [
            g.x.map(|v| flex(v, &[steps, batch, input])),
            g.w_ih.map(|v| flex(v, &[width, input])),
            g.w_hh.map(|v| flex(v, &[width, hidden])),
            wanted[3].then(|| flex(g.b_ih, &[width])),
            wanted[4].then(|| flex(g.b_hh, &[width])),
            wanted[5].then(|| flex(g.h0, &[batch, hidden])),
        ];
        for (node, grad) in ops.parents.into_iter().zip(computed) {
            if let (Some(node), Some(grad)) = (node, grad) {
                grads.register::<Flex>(node.id, grad);
            }
        }
    }
}

/// `K`'s layer as one op on autodiff over Flex: tracked, it keeps [`State`] for its backward.
pub(crate) fn autodiff<K: CellKernel, C: CheckpointStrategy>(
    inputs: [FloatTensor<Autodiff<Flex, C>>; 6],
) -> FloatTensor<Autodiff<Flex, C>> {
    let nodes = inputs.each_ref().map(|t| t.node());
    let inputs = inputs.map(|t| t.into_primitive());
    let op = CellBackward::<K>(PhantomData);
    match op.prepare::<C>(nodes).compute_bound().stateful() {
        OpsKind::Tracked(prep) => {
            let (out, state) = forward::<K>(inputs);
            prep.finish(state, out)
        }
        OpsKind::UnTracked(prep) => prep.finish(forward::<K>(inputs).0),
    }
}

/// Declares a cell's entry `$entry(x, [w_ih, w_hh], [b_ih, b_hh], h0) -> Tensor<3>` (the
/// signature of the cell's `reference::forward_time_major`) and the burn extension `$Trait`
/// behind it, on Flex and autodiff over Flex, for the kernel `$Kernel`.
macro_rules! cell_layer {
    ($(#[$doc:meta])* $entry:ident, $Trait:ident, $method:ident, $Kernel:ty) => {
        use burn::backend::autodiff::Autodiff;
        use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
        use burn::backend::flex::FlexTensor;
        use burn::backend::tensor::FloatTensor;
        use burn::backend::{Backend, Dispatch, Flex, backend_extension};
        use burn::tensor::Tensor;
        use $crate::trainer::ops::cpu_cell;

        $(#[$doc])*
        pub fn $entry(
            x: Tensor<3>,
            [w_ih, w_hh]: [Tensor<2>; 2],
            [b_ih, b_hh]: [Tensor<1>; 2],
            h0: Tensor<2>,
        ) -> Tensor<3> {
            Tensor::from_dispatch(<Dispatch as $Trait>::$method(
                x.into_dispatch(),
                w_ih.into_dispatch(),
                w_hh.into_dispatch(),
                b_ih.into_dispatch(),
                b_hh.into_dispatch(),
                h0.into_dispatch(),
            ))
        }

        #[backend_extension(Flex, Autodiff)]
        pub trait $Trait: Backend {
            fn $method(
                x: FloatTensor<Self>,
                w_ih: FloatTensor<Self>,
                w_hh: FloatTensor<Self>,
                b_ih: FloatTensor<Self>,
                b_hh: FloatTensor<Self>,
                h0: FloatTensor<Self>,
            ) -> FloatTensor<Self>;
        }

        impl $Trait for Flex {
            fn $method(
                x: FlexTensor,
                w_ih: FlexTensor,
                w_hh: FlexTensor,
                b_ih: FlexTensor,
                b_hh: FlexTensor,
                h0: FlexTensor,
            ) -> FlexTensor {
                cpu_cell::forward::<$Kernel>([x, w_ih, w_hh, b_ih, b_hh, h0]).0
            }
        }

        impl<C: CheckpointStrategy> $Trait for Autodiff<Flex, C> {
            fn $method(
                x: FloatTensor<Self>,
                w_ih: FloatTensor<Self>,
                w_hh: FloatTensor<Self>,
                b_ih: FloatTensor<Self>,
                b_hh: FloatTensor<Self>,
                h0: FloatTensor<Self>,
            ) -> FloatTensor<Self> {
                cpu_cell::autodiff::<$Kernel, C>([x, w_ih, w_hh, b_ih, b_hh, h0])
            }
        }
    };
}
pub(crate) use cell_layer;
