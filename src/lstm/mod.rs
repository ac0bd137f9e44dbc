//! The LSTM: a CPU reference cell ([`cell`]), the burn layer in PyTorch's layout ([`module`]),
//! and the vanilla RNN it is compared with ([`rnn`]).

pub mod cell;
pub mod module;
pub mod rnn;
