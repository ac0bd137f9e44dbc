//! A batch of reviews as the ops read it (their common input): token ids, time-major, and — for the WGSL path only —
//! where each word occurs. Built on the host from the split's rows, so nothing is transposed
//! or sorted on the device (llm.c keeps its encoder's host-side sort with the batch the same way).

use super::Path;
use burn::tensor::{Device, Int, Tensor, TensorData};

/// Token ids `[T, B]` and, on the WGSL path, each word's positions.
#[derive(Clone, Debug)]
pub struct Batch {
    /// `[T, B]`: i32, because WebGPU has no 64-bit integers.
    pub ids: Tensor<2, Int>,
    /// What the fused wgpu layer's backward pass needs to add up a word's gradient without a
    /// scatter; `None` on the other paths, which do not read it.
    pub positions: Option<Positions>,
}

/// The positions `t·B + b` of a batch's ids, grouped by word.
#[derive(Clone, Debug)]
pub struct Positions {
    /// `[T·B]`: the positions, grouped by word (ascending within a word).
    pub order: Tensor<1, Int>,
    /// `[V + 1]`: word `v`'s positions are `order[starts[v] .. starts[v+1]]`.
    pub starts: Tensor<1, Int>,
}

impl Batch {
    /// From row-major ids (`maxlen` per row) on the host, for a model of `vocab` words whose
    /// ops run on `path`.
    pub fn new(ids: &[u32], maxlen: usize, vocab: usize, path: Path, device: &Device) -> Self {
        let rows = ids.len() / maxlen;
        let mut time_major = vec![0i32; ids.len()];
        for (r, row) in ids.chunks_exact(maxlen).enumerate() {
            for (t, &id) in row.iter().enumerate() {
                time_major[t * rows + r] = id as i32;
            }
        }
        let positions = (path == Path::Wgsl).then(|| {
            let (order, starts) = positions_by_word(&time_major, vocab);
            Positions {
                order: int1(order, device),
                starts: int1(starts, device),
            }
        });
        Self {
            ids: Tensor::from_data(TensorData::new(time_major, [maxlen, rows]), device),
            positions,
        }
    }

    /// Sequences in the batch (B).
    pub fn rows(&self) -> usize {
        self.ids.dims()[1]
    }
}

fn int1(v: Vec<i32>, device: &Device) -> Tensor<1, Int> {
    let n = v.len();
    Tensor::from_data(TensorData::new(v, [n]), device)
}

/// `(order, starts)` of [`Positions`] for time-major `ids` (a counting sort). An id at or above
/// `vocab` is refused: the model has no row for it.
pub fn positions_by_word(ids: &[i32], vocab: usize) -> (Vec<i32>, Vec<i32>) {
    let mut starts = vec![0i32; vocab + 1];
    for &id in ids {
        assert!(
            (0..vocab as i32).contains(&id),
            "token id {id} outside the vocabulary of {vocab}"
        );
        starts[id as usize + 1] += 1;
    }
    for v in 0..vocab {
        starts[v + 1] += starts[v];
    }
    let mut next = starts.clone();
    let mut order = vec![0i32; ids.len()];
    for (p, &id) in ids.iter().enumerate() {
        let slot = &mut next[id as usize];
        order[*slot as usize] = p as i32;
        *slot += 1;
    }
    (order, starts)
}

/// 0/1 labels as the float targets of the loss.
pub fn targets(labels: &[u8], device: &Device) -> Tensor<1> {
    let n = labels.len();
    Tensor::from_data(
        TensorData::new(labels.iter().map(|&l| l as f32).collect::<Vec<_>>(), [n]),
        device,
    )
}

#[cfg(test)]
mod tests {
    use super::positions_by_word;

    #[test]
    fn positions_are_grouped_by_word_in_order() {
        let (order, starts) = positions_by_word(&[2, 0, 2, 1, 0, 2], 4);
        assert_eq!(starts, vec![0, 2, 3, 6, 6]);
        assert_eq!(order, vec![1, 4, 3, 0, 2, 5]);
    }
}
