//! The LSTM: a CPU reference cell ([`cell`]), the burn layer in PyTorch's layout ([`module`],
//! trainer builds only), the choice of recurrence a trainer records ([`kernel`]), and the vanilla
//! RNN it is compared with ([`rnn`]).

pub mod cell;
pub mod kernel;
#[cfg(feature = "trainer")]
pub mod module;
pub mod rnn;
