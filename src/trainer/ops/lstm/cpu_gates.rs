//! The fused CPU LSTM's gate math of one time step for a slice of rows, forward and backward,
//! written once over [`Lanes`] and run at the width [`cpu_simd`] chose: one pass over each
//! row's four gates (the activations, the cell update, and backward the bias sums too) instead
//! of one pass per gate.

use crate::trainer::ops::cpu_simd::{self, Lanes, Pass, Simd, blocks, sigmoid, tanh};

/// Forward, one step, `n` rows: `a` `[n, 4H]` holds the pre-activations without the bias and
/// gets the activated gates i, f, g, o; then `c = f ⊙ c_prev + i ⊙ g`, `h = o ⊙ tanh(c)`.
pub(super) struct ForwardStep<'a> {
    pub a: &'a mut [f32],
    /// `[4H]`.
    pub bias: &'a [f32],
    /// `[n, H]`.
    pub c_prev: &'a [f32],
    pub c: &'a mut [f32],
    pub h: &'a mut [f32],
    pub hidden: usize,
}

impl ForwardStep<'_> {
    pub(super) fn run(self, simd: Simd) {
        cpu_simd::run(simd, self)
    }
}

impl Pass for ForwardStep<'_> {
    #[inline(always)]
    fn run<V: Lanes>(self) {
        let ForwardStep {
            a,
            bias,
            c_prev,
            c,
            h,
            hidden,
        } = self;
        for (r, a) in a.chunks_exact_mut(4 * hidden).enumerate() {
            let at = r * hidden;
            blocks!(V, hidden, |j, len| {
                // (No closures in a pass: see `blocks!`.)
                let gate = [j, hidden + j, 2 * hidden + j, 3 * hidden + j];
                let i = sigmoid(V::read(a, gate[0], len).add(V::read(bias, gate[0], len)));
                let f = sigmoid(V::read(a, gate[1], len).add(V::read(bias, gate[1], len)));
                let g = tanh(V::read(a, gate[2], len).add(V::read(bias, gate[2], len)));
                let o = sigmoid(V::read(a, gate[3], len).add(V::read(bias, gate[3], len)));
                for (v, at_gate) in [i, f, g, o].into_iter().zip(gate) {
                    v.write(a, at_gate, len);
                }
                let cj = f.mul(V::read(c_prev, at + j, len)).add(i.mul(g));
                cj.write(c, at + j, len);
                o.mul(tanh(cj)).write(h, at + j, len);
            });
        }
    }
}

/// Backward, one step, `n` rows: from the activated gates, the cell states and
/// `dh = ∂L/∂h_t + dh_carry`, the pre-activation gradients `da` `[n, 4H]`; the next
/// `dc_carry = dc ⊙ f` in place; `da` added to the bias sums `[4H]`.
pub(super) struct BackwardStep<'a> {
    /// `[n, 4H]`: i, f, g, o.
    pub gates: &'a [f32],
    /// `[n, H]` each.
    pub c: &'a [f32],
    pub c_prev: &'a [f32],
    pub d_out: &'a [f32],
    pub dh_carry: &'a [f32],
    pub dc_carry: &'a mut [f32],
    /// `[n, 4H]`.
    pub da: &'a mut [f32],
    /// `[4H]`.
    pub d_bias: &'a mut [f32],
    pub hidden: usize,
}

impl BackwardStep<'_> {
    pub(super) fn run(self, simd: Simd) {
        cpu_simd::run(simd, self)
    }
}

impl Pass for BackwardStep<'_> {
    #[inline(always)]
    fn run<V: Lanes>(self) {
        let BackwardStep {
            gates,
            c,
            c_prev,
            d_out,
            dh_carry,
            dc_carry,
            da,
            d_bias,
            hidden,
        } = self;
        let one = V::splat(1.0);
        let rows = gates
            .chunks_exact(4 * hidden)
            .zip(da.chunks_exact_mut(4 * hidden));
        for (r, (gates, da)) in rows.enumerate() {
            let at = r * hidden;
            blocks!(V, hidden, |j, len| {
                let i = V::read(gates, j, len);
                let f = V::read(gates, hidden + j, len);
                let g = V::read(gates, 2 * hidden + j, len);
                let o = V::read(gates, 3 * hidden + j, len);
                let dh = V::read(d_out, at + j, len).add(V::read(dh_carry, at + j, len));
                let tc = tanh(V::read(c, at + j, len));
                let dc = V::read(dc_carry, at + j, len).add(dh.mul(o).mul(one.sub(tc.mul(tc))));
                let d = [
                    dc.mul(g).mul(i).mul(one.sub(i)),
                    dc.mul(V::read(c_prev, at + j, len)).mul(f).mul(one.sub(f)),
                    dc.mul(i).mul(one.sub(g.mul(g))),
                    dh.mul(tc).mul(o).mul(one.sub(o)),
                ];
                for (k, d) in d.into_iter().enumerate() {
                    d.write(da, k * hidden + j, len);
                    let sum = V::read(d_bias, k * hidden + j, len).add(d);
                    sum.write(d_bias, k * hidden + j, len);
                }
                dc.mul(f).write(dc_carry, at + j, len);
            });
        }
    }
}
