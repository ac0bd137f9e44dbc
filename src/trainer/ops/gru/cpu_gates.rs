//! The fused CPU GRU's gate math of one time step for a slice of rows, forward and backward,
//! written once over [`Lanes`] and run at the width [`cpu_simd`] chose (as the LSTM's
//! `lstm/cpu_gates.rs`; the equations are in [`super::cpu_kernel`]).

use crate::trainer::ops::cpu_simd::{self, Lanes, Pass, Simd, blocks, sigmoid, tanh};

/// Forward, one step, `n` rows: `a` `[n, 3H]` holds `X W_ihᵀ` and gets r, z, n; `p` `[n, 3H]`
/// is `h_{t−1} W_hhᵀ`; `q = P_n + b_hn` and `h_t` `[n, H]` are written.
pub(super) struct ForwardStep<'a> {
    pub a: &'a mut [f32],
    pub p: &'a [f32],
    /// `[3H]`: `b_ih + b_hh` for r and z, `b_in` for n.
    pub bias: &'a [f32],
    /// `[H]`.
    pub b_hn: &'a [f32],
    /// `[n, H]` each.
    pub h_prev: &'a [f32],
    pub q: &'a mut [f32],
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
            p,
            bias,
            b_hn,
            h_prev,
            q,
            h,
            hidden,
        } = self;
        let rows = a
            .chunks_exact_mut(3 * hidden)
            .zip(p.chunks_exact(3 * hidden));
        for (row, (a, p)) in rows.enumerate() {
            let at = row * hidden;
            blocks!(V, hidden, |j, len| {
                // (No closures in a pass: see `blocks!`.)
                let zj = hidden + j;
                let r = V::read(a, j, len)
                    .add(V::read(p, j, len))
                    .add(V::read(bias, j, len));
                let z = V::read(a, zj, len)
                    .add(V::read(p, zj, len))
                    .add(V::read(bias, zj, len));
                let (r, z) = (sigmoid(r), sigmoid(z));
                let qj = V::read(p, 2 * hidden + j, len).add(V::read(b_hn, j, len));
                qj.write(q, at + j, len);
                let a_n = V::read(a, 2 * hidden + j, len).add(V::read(bias, 2 * hidden + j, len));
                let n = tanh(a_n.add(r.mul(qj)));
                r.write(a, j, len);
                z.write(a, hidden + j, len);
                n.write(a, 2 * hidden + j, len);
                let hp = V::read(h_prev, at + j, len);
                n.add(z.mul(hp.sub(n))).write(h, at + j, len);
            });
        }
    }
}

/// Backward, one step, `n` rows: `dh = ∂L/∂h_t + carry`; each row's gradients
/// `[dn ⊙ r, dr, dz, dn]` `[n, 4H]` (see [`super::cpu_kernel`]: its first 3H are the recurrent
/// side's, its last 3H the input side's), added to their sums; `carry = dh ⊙ z` in place (the
/// GEMM adds the recurrent side's `· W_hh` after).
pub(super) struct BackwardStep<'a> {
    /// `[n, 3H]`: r, z, n.
    pub gates: &'a [f32],
    /// `[n, H]` each.
    pub q: &'a [f32],
    pub h_prev: &'a [f32],
    pub d_out: &'a [f32],
    pub carry: &'a mut [f32],
    /// `[n, 4H]`.
    pub grads: &'a mut [f32],
    /// `[4H]`: Σ grads over the rows.
    pub sums: &'a mut [f32],
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
            q,
            h_prev,
            d_out,
            carry,
            grads,
            sums,
            hidden,
        } = self;
        let one = V::splat(1.0);
        let rows = gates
            .chunks_exact(3 * hidden)
            .zip(grads.chunks_exact_mut(4 * hidden));
        for (row, (gates, grads)) in rows.enumerate() {
            let at = row * hidden;
            blocks!(V, hidden, |j, len| {
                let r = V::read(gates, j, len);
                let z = V::read(gates, hidden + j, len);
                let n = V::read(gates, 2 * hidden + j, len);
                let dh = V::read(d_out, at + j, len).add(V::read(carry, at + j, len));
                let dn = dh.mul(one.sub(z)).mul(one.sub(n.mul(n)));
                let hp = V::read(h_prev, at + j, len);
                let dz = dh.mul(hp.sub(n)).mul(z).mul(one.sub(z));
                let dr = dn.mul(V::read(q, at + j, len)).mul(r).mul(one.sub(r));
                for (k, v) in [dn.mul(r), dr, dz, dn].into_iter().enumerate() {
                    let i = k * hidden + j;
                    v.write(grads, i, len);
                    V::read(sums, i, len).add(v).write(sums, i, len);
                }
                dh.mul(z).write(carry, at + j, len);
            });
        }
    }
}
