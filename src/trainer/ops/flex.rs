//! Host-side views of burn's CPU (Flex) tensors, for the CPU kernels: they read and write plain
//! `f32` slices.

use burn::backend::flex::FlexTensor;
use burn::tensor::{DType, Shape, TensorData};

/// A contiguous float32 tensor (a copy only if it is a strided view).
pub(crate) fn contiguous(t: FlexTensor) -> FlexTensor {
    assert_eq!(t.dtype(), DType::F32, "the CPU LSTM runs in float32");
    if t.as_slice::<f32>().is_some() {
        t
    } else {
        t.to_contiguous()
    }
}

/// The values of a tensor made by [`contiguous`], without a copy.
pub(crate) fn values(t: &FlexTensor) -> &[f32] {
    t.as_slice().expect("contiguous float32")
}

pub(crate) fn flex(values: Vec<f32>, shape: &[usize]) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, Shape::from(shape.to_vec())))
}
