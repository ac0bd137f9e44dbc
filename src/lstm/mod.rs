//! The LSTM: a CPU reference cell ([`cell`]), the burn layer in PyTorch's layout ([`module`],
//! trainer builds only), and the vanilla RNN it is compared with ([`rnn`]).

pub mod cell;
#[cfg(feature = "trainer")]
pub mod module;
pub mod rnn;
