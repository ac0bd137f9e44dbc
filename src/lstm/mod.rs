//! The recurrent cells as plain math, no tensor library: the LSTM's CPU reference cell
//! ([`cell`], generic over f32/f64, with its backward pass), the vanilla RNN it is compared
//! with ([`rnn`]), and the GRU and plain RNN steps the classifier and the Cell stepper share
//! ([`gru`]). The trainer's burn layer (`crate::trainer`) is checked against these.

pub mod cell;
pub mod gru;
pub mod rnn;
