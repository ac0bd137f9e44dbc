//! The CPU GRU layer ([`super::cpu_kernel`]) as one burn autodiff op on the Flex backend
//! (the glue, shared with the RNN: [`crate::trainer::ops::cpu_cell`]).

crate::trainer::ops::cpu_cell::cell_layer!(
    /// Every hidden state `[T, B, H]` of the GRU layer on time-major `x` `[T, B, E]` from `h0`
    /// `[B, H]`, with PyTorch's weights `w_ih` `[3H, E]`, `w_hh` `[3H, H]`, `b_ih`, `b_hh`
    /// `[3H]` (gates r, z, n). Flex (CPU) devices only; the same signature and values as
    /// [`super::reference::forward_time_major`].
    gru_layer,
    CpuGruLayer,
    cpu_gru_layer,
    super::cpu_kernel::Gru
);
