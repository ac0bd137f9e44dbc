//! The WGSL half of the fused LSTM (only with the `gpu` feature): kernel launches in burn's wgpu
//! runtime — the recurrence forward and backward here, the head, the loss and Adam beside it.

use super::MAX_HIDDEN;
use super::layout::{self, Layout};
use super::{FusedRecurrence, LstmRecurrence};
use burn::backend::Cube;
use burn::backend::wgpu::{
    CubeTensor, KernelSource, SourceKernel, SourceTemplate, into_contiguous,
};
use burn::tensor::{DType, Shape, Tensor};
use cubecl::prelude::KernelId;
use cubecl::server::{KernelArguments, MetadataBindingInfo};
use cubecl::{CubeCount, CubeDim};

const COMMON: &str = include_str!("../../shaders/lstm_common.wgsl");
const FORWARD: &str = include_str!("../../shaders/lstm_forward.wgsl");
const BACKWARD: &str = include_str!("../../shaders/lstm_backward.wgsl");

/// A WGSL file from `shaders/`, with its `{{ name }}` placeholders filled in. The values are
/// part of the pipeline cache key (cubecl does not hash the source).
pub(crate) struct Wgsl {
    pub name: &'static str,
    /// Put in front of `source` (WGSL has no includes); "" for none.
    pub prefix: &'static str,
    pub source: &'static str,
    pub values: Vec<(&'static str, String)>,
}

impl KernelSource for Wgsl {
    fn source(&self) -> SourceTemplate {
        let mut template = SourceTemplate::new(self.prefix).add_template(self.source);
        for (name, value) in &self.values {
            template = template.register(*name, value.clone());
        }
        template
    }

    fn id(&self) -> KernelId {
        KernelId::new::<Self>().info((self.name, self.values.clone()))
    }

    fn lang(&self) -> &'static str {
        "wgsl"
    }
}

/// Queue `kernel` on the stream of `buffers[0]`, with `buffers` bound in order and `info` as
/// the uniform after them.
pub(crate) fn launch_wgsl(
    kernel: Wgsl,
    threads: usize,
    workgroups: CubeCount,
    buffers: &[&CubeTensor],
    info: MetadataBindingInfo,
) {
    let mut args = KernelArguments::new();
    for b in buffers {
        args = args.with_buffer(b.handle.clone().binding());
    }
    buffers[0].client.launch(
        Box::new(SourceKernel::new(kernel, CubeDim::new_1d(threads as u32))),
        workgroups,
        args.with_info(info),
    );
}

/// A kernel's uniform from `u32` fields in order (a WGSL struct of `u32`s and `f32` bit
/// patterns), packed two to a word as cubecl's custom metadata takes them.
pub(crate) fn uniform(fields: &[u32]) -> MetadataBindingInfo {
    let words = fields
        .chunks(2)
        .map(|pair| pair[0] as u64 | (pair.get(1).copied().unwrap_or(0) as u64) << 32)
        .collect();
    MetadataBindingInfo::custom(words)
}

/// An uninitialised float tensor of `shape` on `like`'s device.
pub(crate) fn empty_f32(like: &CubeTensor, shape: Shape) -> CubeTensor {
    let handle = like.client.empty(shape.num_elements() * 4);
    CubeTensor::new_contiguous(
        like.client.clone(),
        like.device.clone(),
        shape,
        handle,
        DType::F32,
    )
}

/// A recurrence kernel specialised for one [`Layout`]; `bias`: the forward weights carry the
/// summed bias as one more row (the layer op's layout, `shaders/lstm_weights.wgsl`).
fn recurrence_kernel(name: &'static str, source: &'static str, layout: Layout, bias: bool) -> Wgsl {
    let mut values: Vec<(&'static str, String)> = layout
        .template_values()
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect();
    values.push(("own_len", (layout.passes * layout.seqs).to_string()));
    values.push(("has_bias", bias.to_string()));
    Wgsl {
        name,
        prefix: COMMON,
        source,
        values,
    }
}

/// The per-launch uniform: `t0, count, batch, steps`.
fn params(t0: usize, count: usize, batch: usize, steps: usize) -> MetadataBindingInfo {
    uniform(&[t0 as u32, count as u32, batch as u32, steps as u32])
}

fn empty(like: &CubeTensor, dims: [usize; 3]) -> CubeTensor {
    empty_f32(like, Shape::new(dims))
}

fn dims<const D: usize>(t: &CubeTensor) -> [usize; D] {
    t.meta.shape().dims::<D>()
}

fn launch(
    kernel: Wgsl,
    layout: &Layout,
    batch: usize,
    buffers: &[&CubeTensor],
    info: MetadataBindingInfo,
) {
    let workgroups = CubeCount::Static(layout.workgroups(batch) as u32, 1, 1);
    launch_wgsl(kernel, layout.threads(), workgroups, buffers, info);
}

/// `W_hh` `[4H, H]` rearranged to `[H, H, 4]` with the four gates of one (k, j) side by side:
/// `forward` puts `W[g·H + j, k]` at `[k, j, g]` (h_{t−1}[k] feeds unit j's gates), backward
/// `W[g·H + k, j]` (unit k's gate gradients feed dh[j]). Either way neighbouring threads (j)
/// read neighbouring vec4s.
fn gate_vec4s(w_hh: &CubeTensor, forward: bool) -> CubeTensor {
    let [gates4, hidden] = dims::<2>(w_hh);
    let w = Tensor::<2>::from_primitive::<Cube>(w_hh.clone()).reshape([4, gates4 / 4, hidden]);
    let axes = if forward { [2, 1, 0] } else { [1, 2, 0] };
    into_contiguous(w.permute(axes).try_into_primitive::<Cube>().expect("Cube"))
}

/// The dispatches of a sequence of `steps` steps: `(t0, count)`, in time order.
fn chunks(layout: &Layout, batch: usize, steps: usize) -> Vec<(usize, usize)> {
    let per = layout.steps_per_dispatch(batch, steps);
    (0..steps)
        .step_by(per)
        .map(|t0| (t0, per.min(steps - t0)))
        .collect()
}

/// What the forward pass keeps for the backward pass.
#[derive(Clone, Debug)]
pub struct Saved {
    pub(crate) w_hh: CubeTensor,
    pub(crate) c0: CubeTensor,
    /// `[T+1, B, H]`: h₀ then every output.
    pub(crate) h_all: CubeTensor,
    pub(crate) c_seq: CubeTensor,
    /// `[T, B, H, 4]`.
    pub(crate) gates: CubeTensor,
    pub(crate) layout: Layout,
}

impl Saved {
    /// The layer's output `[T, B, H]`: a view of `h_all` without h₀.
    pub(crate) fn h_seq(&self) -> CubeTensor {
        let steps = dims::<3>(&self.h_all)[0] - 1;
        Tensor::<3>::from_primitive::<Cube>(self.h_all.clone())
            .narrow(0, 1, steps)
            .try_into_primitive::<Cube>()
            .expect("Cube")
    }
}

fn forward(x_proj: CubeTensor, w_hh: CubeTensor, h0: CubeTensor, c0: CubeTensor) -> Saved {
    let w_hh = into_contiguous(w_hh);
    let w4 = gate_vec4s(&w_hh, true);
    run_forward(x_proj, w_hh, &w4, false, h0, c0)
}

/// The forward kernels over every step: `w4` is `W_hh` laid out for them (with the summed
/// bias as one more row when `bias`), `w_hh` is kept for the backward pass.
pub(crate) fn run_forward(
    x_proj: CubeTensor,
    w_hh: CubeTensor,
    w4: &CubeTensor,
    bias: bool,
    h0: CubeTensor,
    c0: CubeTensor,
) -> Saved {
    assert_eq!(x_proj.dtype, DType::F32, "the fused LSTM runs in float32");
    let x_proj = into_contiguous(x_proj);
    let [steps, batch, gates4] = dims::<3>(&x_proj);
    let hidden = gates4 / 4;
    assert!(
        (1..=MAX_HIDDEN).contains(&hidden),
        "hidden size {hidden} is outside 1–{MAX_HIDDEN}"
    );
    let layout = layout::current(hidden, batch);
    let (h0, c0) = (into_contiguous(h0), into_contiguous(c0));
    let h_all = empty(&x_proj, [steps + 1, batch, hidden]);
    let c_seq = empty(&x_proj, [steps, batch, hidden]);
    let gates = empty(&x_proj, [steps, batch, gates4]);
    for (t0, count) in chunks(&layout, batch, steps) {
        launch(
            recurrence_kernel("lstm_forward", FORWARD, layout, bias),
            &layout,
            batch,
            &[&x_proj, w4, &h0, &c0, &h_all, &c_seq, &gates],
            params(t0, count, batch, steps),
        );
    }
    Saved {
        w_hh,
        c0,
        h_all,
        c_seq,
        gates,
        layout,
    }
}

/// Gradients of `x_proj`, `w_hh`, `h0`, `c0` from the gradient of `h_seq`; only those in
/// `wanted` are computed (the rest cost dispatches for nothing).
fn backward(saved: &Saved, d_h_seq: CubeTensor, wanted: [bool; 4]) -> [Option<CubeTensor>; 4] {
    let w4 = gate_vec4s(&saved.w_hh, false);
    let (d_gates, dc_carry) = run_backward(saved, d_h_seq, &w4);
    let [_, want_w, want_h0, want_c0] = wanted;
    let [d_w_hh, d_h0, d_c0] =
        recurrence_grads(saved, &d_gates, &dc_carry, [want_w, want_h0, want_c0]);
    [Some(d_gates), d_w_hh, d_h0, d_c0]
}

/// `∂W_hh`, `∂h₀` and `∂c₀` from the gate gradients (one matmul each for the first two), those
/// `wanted` only.
pub(crate) fn recurrence_grads(
    saved: &Saved,
    d_gates: &CubeTensor,
    dc_carry: &CubeTensor,
    wanted: [bool; 3],
) -> [Option<CubeTensor>; 3] {
    let [steps, batch, hidden] = dims::<3>(&saved.c_seq);
    let tensor = |t: &CubeTensor| Tensor::<3>::from_primitive::<Cube>(t.clone());
    let primitive = |t: Tensor<2>| t.try_into_primitive::<Cube>().expect("Cube");
    let dg = tensor(d_gates);
    let [want_w, want_h0, want_c0] = wanted;
    // h_{t−1} for every step is the first T rows of h_all: no copy.
    let d_w_hh = want_w.then(|| {
        let h_prev = tensor(&saved.h_all).narrow(0, 0, steps);
        primitive(
            dg.clone()
                .reshape([steps * batch, 4 * hidden])
                .transpose()
                .matmul(h_prev.reshape([steps * batch, hidden])),
        )
    });
    let d_h0 = want_h0.then(|| {
        let w_hh = Tensor::<2>::from_primitive::<Cube>(saved.w_hh.clone());
        primitive(
            dg.clone()
                .narrow(0, 0, 1)
                .reshape([batch, 4 * hidden])
                .matmul(w_hh),
        )
    });
    let d_c0 = want_c0.then(|| primitive(tensor(dc_carry).reshape([batch, hidden])));
    [d_w_hh, d_h0, d_c0]
}

/// The backward kernels over every step, with `W_hh` laid out for them in `w4`: the gate
/// pre-activation gradients `[T, B, 4H]` and `∂L/∂c₀` `[1, B, H]`.
pub(crate) fn run_backward(
    saved: &Saved,
    d_h_seq: CubeTensor,
    w4: &CubeTensor,
) -> (CubeTensor, CubeTensor) {
    let d_h_seq = into_contiguous(d_h_seq);
    let [steps, batch, hidden] = dims::<3>(&saved.c_seq);
    let d_gates = empty(&saved.gates, [steps, batch, 4 * hidden]);
    let dc_carry = empty(&saved.gates, [1, batch, hidden]);
    for (t0, count) in chunks(&saved.layout, batch, steps).into_iter().rev() {
        launch(
            recurrence_kernel("lstm_backward", BACKWARD, saved.layout, false),
            &saved.layout,
            batch,
            &[
                &d_h_seq,
                w4,
                &saved.gates,
                &saved.c_seq,
                &saved.c0,
                &d_gates,
                &dc_carry,
            ],
            params(t0, count, batch, steps),
        );
    }
    (d_gates, dc_carry)
}

impl FusedRecurrence for Cube {
    type Saved = Saved;
    fn fused_forward(
        x_proj: CubeTensor,
        w_hh: CubeTensor,
        h0: CubeTensor,
        c0: CubeTensor,
    ) -> Saved {
        forward(x_proj, w_hh, h0, c0)
    }
    fn fused_output(saved: &Saved) -> CubeTensor {
        saved.h_seq()
    }
    fn fused_backward(
        saved: &Saved,
        d_h_seq: CubeTensor,
        wanted: [bool; 4],
    ) -> [Option<CubeTensor>; 4] {
        backward(saved, d_h_seq, wanted)
    }
}

impl LstmRecurrence for Cube {
    fn lstm_recurrence(
        x_proj: CubeTensor,
        w_hh: CubeTensor,
        h0: CubeTensor,
        c0: CubeTensor,
    ) -> CubeTensor {
        forward(x_proj, w_hh, h0, c0).h_seq()
    }
}
