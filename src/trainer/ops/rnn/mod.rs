//! The plain tanh RNN layer, in PyTorch's `nn.RNN` layout (`weight_ih` `[H, E]`, `weight_hh`
//! `[H, H]`, both biases `[H]`): `h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`. The baseline of the
//! post's argument: its gradient through time is a product of `diag(1 − h²) · W_hh` per step.

pub mod cpu;
pub mod cpu_kernel;
pub mod reference;
