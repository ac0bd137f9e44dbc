//! The CPU tanh RNN layer ([`super::cpu_kernel`]) as one burn autodiff op on the Flex backend
//! (the glue, shared with the GRU: [`crate::trainer::ops::cpu_cell`]).

crate::trainer::ops::cpu_cell::cell_layer!(
    /// Every hidden state `[T, B, H]` of the tanh RNN layer on time-major `x` `[T, B, E]` from
    /// `h0` `[B, H]`, with PyTorch's weights `w_ih` `[H, E]`, `w_hh` `[H, H]`, `b_ih`, `b_hh`
    /// `[H]`. Flex (CPU) devices only; the same signature and values as
    /// [`super::reference::forward_time_major`].
    rnn_layer,
    CpuRnnLayer,
    cpu_rnn_layer,
    super::cpu_kernel::Rnn
);
