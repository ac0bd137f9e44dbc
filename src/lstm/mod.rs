//! The recurrent cells as plain math, no tensor library: the LSTM's CPU reference cell
//! ([`cell`], generic over f32/f64, with its backward pass) and the vanilla RNN it is compared
//! with ([`rnn`]). The trainer's burn layer (`crate::trainer`) is checked against these.

pub mod cell;
pub mod rnn;
