//! How much memory a training run needs, estimated from its settings before it starts, and
//! whether that fits where it will run: a GPU buffer may not exceed the adapter's
//! `maxStorageBufferBindingSize` / `maxBufferSize`, and a Web Worker's WebAssembly memory is at
//! most 4 GiB (one allocation at most 2 GiB: `isize::MAX` on wasm32). A run that cannot fit is
//! refused with a message naming the setting to lower, instead of failing inside the GPU
//! driver or the allocator.
//!
//! What is counted (f32 = 4 bytes; `T` words per review, `B` rows of a step — the batch on the
//! GPU, a worker's share `⌈batch / workers⌉` on the CPU —, `E` embedding, `H` hidden, `V`
//! vocabulary, `P` parameters = `V·E + 4H·E + 4H·H + 8H + 2H + 1`), laid out as the trainer
//! lays it out (`src/trainer/ops/lstm/wgpu.rs` and `cpu_kernel.rs`, `src/trainer/ops/adam`,
//! `src/trainer/train.rs`):
//!
//! - the model: weights, their gradients, Adam's two moments (`4P` each, `8P` for the two), and
//!   Adam's step, which writes a parameter's new value and moments into three fresh buffers
//!   before the old ones are freed (`12 ×` the largest parameter, the embedding at the post's
//!   sizes);
//! - a training step's activations, all alive at the start of the backward pass: the input
//!   projection `[T, B, 4H]`, the gates kept for the backward pass `[T, B, 4H]` and their
//!   gradients `[T, B, 4H]` — these three are the largest single buffers of a run, `16·T·B·H`
//!   bytes each —; `h` (`[T+1, B, H]`), `c` and `∂h` (`[T, B, H]`); the embedded words and their
//!   gradient (`[T, B, E]` each); the batch's token ids;
//! - with burn's reference kernels instead of the fused ones, the per-step tensors autodiff
//!   keeps (about 17 floats per row, unit and word: the gate sums, the four activations, the
//!   cell update's products, `tanh c`, `h`) and one more `[T, B, 4H]` for the slices' gradients;
//! - in the worker's WebAssembly memory: the data's token ids (`rows × T`), the file's texts,
//!   the best model kept on the host and one more copy read back from the GPU.
//!
//! Not counted: the pooling head's `[B, 2H]`-sized buffers, burn's small temporaries, and the
//! GPU allocator's rounding of buffers into pages (a few percent). The totals are estimates;
//! the largest single buffer is exact, and it is what a GPU's buffer limit refuses.
//!
//! Burn-free, so it is tested natively; `crate::web` exports it to the page.

use crate::settings::{Engine, Recurrence, RunSettings};
use serde::Serialize;

/// A worker's WebAssembly memory: 65 536 pages of 64 KiB.
pub const WASM_MEMORY: u64 = 1 << 32;
/// What the counted parts may not use of it: the module itself, burn's small temporaries, the
/// allocator's overhead and fragmentation (a run just under 4 GiB would fail on those).
pub const WASM_RESERVE: u64 = 256 << 20;
/// The largest single allocation in wasm32 (`isize::MAX`).
pub const WASM_LARGEST_ALLOCATION: u64 = (1 << 31) - 1;

/// The loaded data's size (zeros before a file is loaded).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DataSize {
    /// Reviews.
    pub rows: u64,
    /// Bytes of their texts.
    pub text_bytes: u64,
}

/// The memory a `run` needs with the loaded `data`, and whether it fits `limits`.
pub fn estimate(run: &RunSettings, data: DataSize, limits: Limits) -> Estimate {
    Sizes::of(run, data).estimate(limits)
}

/// A run's numbers as the arithmetic below uses them (sizes in u64, so products saturate
/// instead of overflowing on wasm32).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Sizes {
    vocab: u64,
    maxlen: u64,
    embed: u64,
    hidden: u64,
    batch: u64,
    /// CPU workers, each training `⌈batch / workers⌉` rows of every batch (1 on the GPU).
    workers: u64,
    engine: Engine,
    /// burn's reference ops instead of the fused kernels.
    reference: bool,
    /// Stacked gates of the cell: 4 (LSTM), 3 (GRU), 1 (plain RNN).
    gates: u64,
    /// Reviews in the loaded data (0 before any is loaded).
    rows: u64,
    /// Share of them that trains (the largest split is one allocation of token ids).
    train_fraction: f64,
    /// Bytes of the loaded texts.
    text_bytes: u64,
}

/// What the device allows; `gpu_buffer` is `min(maxStorageBufferBindingSize, maxBufferSize)`
/// of the WebGPU device the trainer opened (burn asks for the adapter's limits), `None` when
/// the run is on the CPU or the limits are unknown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    pub gpu_buffer: Option<u64>,
}

/// Where a part of the memory lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Place {
    Gpu,
    Wasm,
}

/// Which settings a part grows with (for naming them in a message).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Grows {
    /// `T × B × H`.
    Steps,
    /// `T × B × E`.
    Words,
    /// The parameters: `V × E` above all.
    Model,
    /// `rows × T`.
    Data,
    /// The file itself.
    Texts,
}

/// One part of a run's memory: `bytes` in all, of which `single` is its largest buffer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Part {
    /// A few words, for the summary: "gate activations".
    pub label: &'static str,
    /// What it holds, for a message: "the gate activations kept for the backward pass".
    pub what: String,
    pub bytes: u64,
    pub single: u64,
    pub place: Place,
    #[serde(skip)]
    grows: Grows,
}

/// The estimate and, when the run cannot fit, why and what to lower.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Estimate {
    pub parts: Vec<Part>,
    /// On the GPU at the peak of a training step (0 on the CPU).
    pub gpu_bytes: u64,
    /// In the busiest worker's WebAssembly memory (on the CPU: the lead worker, which also
    /// holds Adam's moments and the texts).
    pub wasm_bytes: u64,
    /// The largest single buffer (GPU) or allocation (CPU).
    pub largest: Part,
    /// E.g. "needs ≈ 310 MB: largest buffer 96 MB (…)".
    pub summary: String,
    /// Why the run would fail, naming the settings to lower; `None` when it fits.
    pub problem: Option<String>,
}

/// Products saturate: a saturated size is still refused by every limit.
fn mul(factors: &[u64]) -> u64 {
    factors.iter().fold(1u64, |a, &b| a.saturating_mul(b))
}

fn sum(terms: &[u64]) -> u64 {
    terms.iter().fold(0u64, |a, &b| a.saturating_add(b))
}

impl Sizes {
    fn of(run: &RunSettings, data: DataSize) -> Self {
        Self {
            vocab: run.data.vocab as u64,
            maxlen: run.data.maxlen as u64,
            embed: run.train.embed as u64,
            hidden: run.train.hidden as u64,
            batch: run.train.batch as u64,
            workers: match run.engine {
                Engine::Gpu => 1,
                Engine::Cpu => run.workers.max(1) as u64,
            },
            engine: run.engine,
            // burn's step-by-step ops also run a cell no fused kernel computes.
            reference: run.train.kernel == Recurrence::Reference || !run.train.arch.fused(),
            gates: run.train.arch.cell.gates() as u64,
            rows: data.rows,
            train_fraction: run.data.train_fraction,
            text_bytes: data.text_bytes,
        }
    }

    /// Rows of a training step in one worker.
    fn rows_per_step(&self) -> u64 {
        match self.engine {
            Engine::Gpu => self.batch,
            Engine::Cpu => self.batch.div_ceil(self.workers.max(1)),
        }
    }

    /// Every parameter: the embedding, the cell's two weights and two biases (`gates × H` rows),
    /// the head (an upper bound: the pooled head's 2H inputs, one output; the post's extra
    /// layer of one variant is not counted).
    fn parameters(&self) -> u64 {
        let (v, e, h, g) = (self.vocab, self.embed, self.hidden, self.gates);
        sum(&[
            mul(&[v, e]),
            mul(&[g, h, e]),
            mul(&[g, h, h]),
            mul(&[sum(&[mul(&[2, g]), 2]), h]),
            1,
        ])
    }

    /// The largest parameter tensor, in floats.
    fn largest_parameter(&self) -> u64 {
        let (v, e, h, g) = (self.vocab, self.embed, self.hidden, self.gates);
        mul(&[v, e]).max(mul(&[g, h, e])).max(mul(&[g, h, h]))
    }

    /// Which parameter is the largest, as the message names it.
    fn largest_parameter_name(&self) -> &'static str {
        let (v, e, h, g) = (self.vocab, self.embed, self.hidden, self.gates);
        if mul(&[v, e]) >= mul(&[g, h, e]).max(mul(&[g, h, h])) {
            "the embedding, vocabulary × embedding, is"
        } else if e >= h {
            "the input weights, gates·hidden × embedding, are"
        } else {
            "the recurrent weights, gates·hidden × hidden, are"
        }
    }

    /// Every part, each placed where this engine keeps it.
    fn parts(&self) -> Vec<Part> {
        let device = match self.engine {
            Engine::Gpu => Place::Gpu,
            Engine::Cpu => Place::Wasm,
        };
        let (t, b, e, h) = (self.maxlen, self.rows_per_step(), self.embed, self.hidden);
        let p = self.parameters();
        let big = mul(&[4, self.largest_parameter()]);
        let gates = mul(&[4, self.gates, t, b, h]);
        let part = |label, what: &str, bytes, single, place, grows| Part {
            label,
            what: what.to_string(),
            bytes,
            single,
            place,
            grows,
        };
        let weights = format!(
            "the weights ({} the largest)",
            self.largest_parameter_name()
        );
        let mut parts = vec![
            part("weights", &weights, mul(&[4, p]), big, device, Grows::Model),
            part(
                "gradients",
                "the weights' gradients",
                mul(&[4, p]),
                big,
                device,
                Grows::Model,
            ),
            part(
                "Adam's moments",
                "Adam's two moments",
                mul(&[8, p]),
                big,
                device,
                Grows::Model,
            ),
            part(
                "Adam's step",
                "Adam's step (a parameter's new value and moments)",
                mul(&[3, big]),
                big,
                device,
                Grows::Model,
            ),
            // The input projection x·W_ihᵀ + b, the gates the forward kernel keeps, and their
            // gradients: `[T, B, 4H]` floats each, the largest buffers of a run.
            part(
                "gate activations",
                "the gate activations kept for the backward pass",
                mul(&[3, gates]),
                gates,
                device,
                Grows::Steps,
            ),
            part(
                "hidden and cell states",
                "the hidden and cell states of every word and their gradient",
                mul(&[4, b, h, sum(&[mul(&[3, t]), 1])]),
                mul(&[4, t.saturating_add(1), b, h]),
                device,
                Grows::Steps,
            ),
            part(
                "embedded words",
                "the embedded words and their gradient",
                mul(&[8, t, b, e]),
                mul(&[4, t, b, e]),
                device,
                Grows::Words,
            ),
            part(
                "batch ids",
                "a batch's token ids",
                mul(&[4, t, b]),
                mul(&[4, t, b]),
                device,
                Grows::Steps,
            ),
        ];
        if self.reference {
            parts.push(part(
                "reference kernels' tensors",
                "the reference kernels' per-step tensors and slice gradients",
                sum(&[mul(&[68, t, b, h]), gates]),
                gates,
                device,
                Grows::Steps,
            ));
        }
        let largest_split =
            ((self.rows as f64) * self.train_fraction.max(1.0 - self.train_fraction)).ceil() as u64;
        parts.push(part(
            "data",
            "the data's token ids",
            mul(&[4, self.rows, t]),
            mul(&[4, largest_split.min(self.rows), t]),
            Place::Wasm,
            Grows::Data,
        ));
        // Many small strings: no single allocation of note.
        parts.push(part(
            "texts",
            "the file's texts",
            self.text_bytes,
            0,
            Place::Wasm,
            Grows::Texts,
        ));
        let host_copies = match self.engine {
            // The best model, and the weights read back from the GPU to keep it.
            Engine::Gpu => 2,
            // The best model (the weights themselves are counted above).
            Engine::Cpu => 1,
        };
        parts.push(part(
            "best model",
            "the best model kept on the host",
            mul(&[host_copies, 4, p]),
            big,
            Place::Wasm,
            Grows::Model,
        ));
        parts
    }

    /// The estimate, and whether it fits `limits`.
    fn estimate(&self, limits: Limits) -> Estimate {
        let parts = self.parts();
        let (gpu_bytes, wasm_bytes) = (total(&parts, Place::Gpu), total(&parts, Place::Wasm));
        let largest = largest(&parts, self.device()).clone();
        let summary = match self.engine {
            Engine::Gpu => format!(
                "needs ≈ {} on the GPU (largest buffer {}: {}) and {} in the training worker",
                bytes(gpu_bytes),
                bytes(largest.single),
                largest.label,
                bytes(wasm_bytes),
            ),
            Engine::Cpu => format!(
                "needs ≈ {} in {} (largest allocation {}: {})",
                bytes(wasm_bytes),
                if self.workers > 1 {
                    format!(
                        "the lead of {} CPU workers, a little less in the others",
                        self.workers
                    )
                } else {
                    "the CPU worker".to_string()
                },
                bytes(largest.single),
                largest.label,
            ),
        };
        let problem = self.breach(&parts, limits).map(|breach| {
            let advice = self.advice(limits);
            format!("{breach} — {advice}")
        });
        Estimate {
            parts,
            gpu_bytes,
            wasm_bytes,
            largest,
            summary,
            problem,
        }
    }

    /// Whether these settings fit `limits` (see [`Self::estimate`]).
    fn fits(&self, limits: Limits) -> bool {
        self.breach(&self.parts(), limits).is_none()
    }

    fn device(&self) -> Place {
        match self.engine {
            Engine::Gpu => Place::Gpu,
            Engine::Cpu => Place::Wasm,
        }
    }

    /// The first limit these parts break, said with the settings that make it so.
    fn breach(&self, parts: &[Part], limits: Limits) -> Option<String> {
        if let (Engine::Gpu, Some(limit)) = (self.engine, limits.gpu_buffer) {
            let part = largest(parts, Place::Gpu);
            if part.single > limit {
                return Some(format!(
                    "{} needs a {} buffer for {}; this GPU allows buffers up to {}",
                    self.naming(part.grows),
                    bytes(part.single),
                    part.what,
                    bytes(limit),
                ));
            }
        }
        let part = largest(parts, Place::Wasm);
        if part.single > WASM_LARGEST_ALLOCATION {
            return Some(format!(
                "{} needs one allocation of {} for {}; WebAssembly allows at most {} in one piece",
                self.naming(part.grows),
                bytes(part.single),
                part.what,
                bytes(WASM_LARGEST_ALLOCATION),
            ));
        }
        let wasm_bytes = total(parts, Place::Wasm);
        if wasm_bytes > WASM_MEMORY - WASM_RESERVE {
            let most = parts
                .iter()
                .filter(|p| p.place == Place::Wasm)
                .fold(None::<&Part>, |m, p| match m {
                    Some(m) if m.bytes >= p.bytes => Some(m),
                    _ => Some(p),
                })
                .expect("parts in wasm");
            let whom = match (self.engine, self.workers) {
                (Engine::Cpu, 2..) => "the lead CPU worker",
                (Engine::Cpu, _) => "the CPU worker",
                (Engine::Gpu, _) => "the training worker",
            };
            return Some(format!(
                "{} needs ≈ {} in {whom} ({} of it for {}); a worker's WebAssembly memory holds at most {}, about {} of it for these",
                self.naming(most.grows),
                bytes(wasm_bytes),
                bytes(most.bytes),
                most.what,
                bytes(WASM_MEMORY),
                bytes(WASM_MEMORY - WASM_RESERVE),
            ));
        }
        None
    }

    /// The settings a part grows with, with their values, e.g. "words per review 2048 ×
    /// batch 4096 × hidden 1024".
    fn naming(&self, grows: Grows) -> String {
        let batch = match (self.engine, self.workers) {
            (Engine::Cpu, 2..) => format!("batch {} (÷ {} workers)", self.batch, self.workers),
            _ => format!("batch {}", self.batch),
        };
        match grows {
            Grows::Steps => format!(
                "words per review {} × {batch} × hidden {}",
                self.maxlen, self.hidden
            ),
            Grows::Words => format!(
                "words per review {} × {batch} × embedding {}",
                self.maxlen, self.embed
            ),
            Grows::Model => format!(
                "vocabulary {} × embedding {} × hidden {}",
                thousands(self.vocab),
                self.embed,
                self.hidden
            ),
            Grows::Data => format!(
                "{} reviews × words per review {}",
                thousands(self.rows),
                self.maxlen
            ),
            Grows::Texts => "the loaded file".to_string(),
        }
    }

    /// What to lower: every single setting that alone makes the run fit, the first (in the
    /// order batch, words per review, hidden, vocabulary, embedding) with the largest value that
    /// does; on the CPU, more workers when that alone would do.
    fn advice(&self, limits: Limits) -> String {
        type Knob = (&'static str, fn(&mut Sizes) -> &mut u64);
        const KNOBS: [Knob; 5] = [
            ("the batch size", |s| &mut s.batch),
            ("the words per review", |s| &mut s.maxlen),
            ("the hidden size", |s| &mut s.hidden),
            ("the vocabulary", |s| &mut s.vocab),
            ("the embedding size", |s| &mut s.embed),
        ];
        let mut ways: Vec<String> = KNOBS
            .iter()
            .filter_map(|(name, knob)| self.largest_fitting(*knob, limits).map(|v| (name, v)))
            .enumerate()
            .map(|(i, (name, value))| {
                if i == 0 {
                    format!("lower {name} to {} or less", thousands(value))
                } else {
                    (*name).to_string()
                }
            })
            .take(2)
            .collect();
        if self.engine == Engine::Cpu
            && self.workers < MAX_WORKERS
            && (Sizes {
                workers: MAX_WORKERS,
                ..*self
            })
            .fits(limits)
        {
            ways.push("use more CPU workers (each trains a share of the batch)".to_string());
        }
        match ways.len() {
            0 if self.rows > 0 => {
                "no single setting is enough: lower several, or use a smaller file".to_string()
            }
            0 => "no single setting is enough: lower several".to_string(),
            _ => ways.join(", or "),
        }
    }

    /// The largest value of one setting, below its current one, at which the run fits.
    fn largest_fitting(&self, knob: fn(&mut Sizes) -> &mut u64, limits: Limits) -> Option<u64> {
        let with = |value: u64| {
            let mut s = *self;
            *knob(&mut s) = value;
            s
        };
        let current = *knob(&mut { *self });
        if current <= 1 || !with(1).fits(limits) {
            return None;
        }
        // Memory grows with every setting: the values that fit are 1..=some v.
        let (mut fits, mut fails) = (1, current);
        while fails - fits > 1 {
            let mid = fits + (fails - fits) / 2;
            if with(mid).fits(limits) {
                fits = mid;
            } else {
                fails = mid;
            }
        }
        Some(fits)
    }
}

/// The most CPU workers the page offers.
pub const MAX_WORKERS: u64 = 16;

fn total(parts: &[Part], place: Place) -> u64 {
    parts
        .iter()
        .filter(|p| p.place == place)
        .fold(0u64, |a, p| a.saturating_add(p.bytes))
}

/// The part in `place` with the largest single buffer (the first of equals).
fn largest(parts: &[Part], place: Place) -> &Part {
    parts
        .iter()
        .filter(|p| p.place == place)
        .fold(None::<&Part>, |m, p| match m {
            Some(m) if m.single >= p.single => Some(m),
            _ => Some(p),
        })
        .expect("parts in both places")
}

/// 1234567 → "1,234,567".
fn thousands(n: u64) -> String {
    crate::data::limits::grouped(n)
}

/// Bytes in decimal units with two or three significant digits: "137 GB", "2.1 GB", "96 MB".
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["bytes", "kB", "MB", "GB", "TB", "PB"];
    if n < 1000 {
        return format!("{n} bytes");
    }
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 999.5 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if value >= 9.95 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The post's settings on the GPU, the built-in sample loaded.
    fn post() -> Sizes {
        Sizes {
            vocab: 3000,
            maxlen: 128,
            embed: 100,
            hidden: 100,
            batch: 128,
            workers: 1,
            engine: Engine::Gpu,
            reference: false,
            gates: 4,
            rows: 3600,
            train_fraction: 0.5,
            text_bytes: 4_000_000,
        }
    }

    /// WebGPU's guaranteed minimum binding size, 128 MiB.
    const DEFAULT_LIMITS: Limits = Limits {
        gpu_buffer: Some(128 << 20),
    };

    #[test]
    fn a_runs_settings_are_read_as_the_arithmetic_needs_them() {
        let run = RunSettings {
            engine: Engine::Gpu,
            workers: 4,
            ..RunSettings::default()
        };
        let data = DataSize {
            rows: 3600,
            text_bytes: 4_000_000,
        };
        // On the GPU one worker trains whatever the form says.
        assert_eq!(Sizes::of(&run, data), post());
        assert_eq!(
            estimate(&run, data, DEFAULT_LIMITS),
            post().estimate(DEFAULT_LIMITS)
        );
        let mut cpu = run;
        cpu.engine = Engine::Cpu;
        cpu.train.kernel = Recurrence::Reference;
        let sizes = Sizes::of(&cpu, data);
        assert_eq!((sizes.workers, sizes.reference), (4, true));
    }

    #[test]
    fn the_posts_settings_counted_by_hand() {
        let e = post().estimate(DEFAULT_LIMITS);
        // P = 3000·100 + 400·100 + 400·100 + 10·100 + 1 = 381 001 parameters.
        let p = 381_001u64;
        // One [T, B, 4H] float buffer: 16 · 128 · 128 · 100 bytes.
        let gates = 26_214_400u64;
        let expected_gpu = 16 * p        // weights, gradients, Adam's two moments
            + 3 * 4 * 300_000            // Adam's step on the embedding (3000 × 100)
            + 3 * gates                  // x_proj, gates, ∂gates
            + 4 * 128 * 100 * (3 * 128 + 1) // h (T + 1 rows), c, ∂h
            + 8 * 128 * 128 * 100        // the embedded words and their gradient
            + 4 * 128 * 128; // the batch's ids
        assert_eq!(expected_gpu, 121_223_952);
        assert_eq!(e.gpu_bytes, expected_gpu);
        // The data's ids, the texts, the best model and the copy read back from the GPU.
        assert_eq!(e.wasm_bytes, 4 * 3600 * 128 + 4_000_000 + 8 * p);
        assert_eq!(e.largest.single, gates);
        assert_eq!(e.largest.label, "gate activations");
        assert_eq!(e.problem, None);
        assert_eq!(
            e.summary,
            "needs ≈ 121 MB on the GPU (largest buffer 26 MB: gate activations) and 8.9 MB in the \
             training worker"
        );
        // The reference kernels keep every step's tensors too.
        let reference = Sizes {
            reference: true,
            ..post()
        };
        let r = reference.estimate(DEFAULT_LIMITS);
        assert_eq!(r.gpu_bytes, expected_gpu + 68 * 128 * 128 * 100 + gates);
        assert_eq!(r.largest.single, gates);
    }

    #[test]
    fn the_issues_worst_case_is_refused_with_the_settings_to_lower() {
        let worst = Sizes {
            maxlen: 2048,
            batch: 4096,
            hidden: 1024,
            ..post()
        };
        let two_gib = Limits {
            gpu_buffer: Some(2 << 30),
        };
        let e = worst.estimate(two_gib);
        assert_eq!(e.largest.single, 16 * 2048 * 4096 * 1024);
        assert_eq!(bytes(e.largest.single), "137 GB");
        assert_eq!(
            e.problem.as_deref(),
            Some(
                "words per review 2048 × batch 4096 × hidden 1024 needs a 137 GB buffer for the \
                 gate activations kept for the backward pass; this GPU allows buffers up to 2.1 GB \
                 — lower the batch size to 64 or less, or the words per review"
            )
        );
        // 2 GiB / (16 · 2048 · 1024 bytes per row) = 64 rows.
        assert!(Sizes { batch: 64, ..worst }.fits(two_gib));
        assert!(!Sizes { batch: 65, ..worst }.fits(two_gib));

        // On the CPU: per worker, against WebAssembly's 2 GiB allocation and 4 GiB memory.
        let cpu = Sizes {
            engine: Engine::Cpu,
            workers: 2,
            ..worst
        };
        let message = cpu.estimate(Limits::default()).problem.expect("refused");
        assert!(
            message.starts_with(
                "words per review 2048 × batch 4096 (÷ 2 workers) × hidden 1024 needs one \
                 allocation of 69 GB"
            ),
            "{message}"
        );
        assert!(message.contains("— lower the batch size to "), "{message}");
        // Even 16 workers get 256 rows each: far too many.
        assert!(!message.contains("more CPU workers"), "{message}");
    }

    #[test]
    fn cpu_workers_share_the_activations_and_each_worker_is_checked() {
        let one = Sizes {
            engine: Engine::Cpu,
            batch: 1024,
            maxlen: 1024,
            ..post()
        };
        let four = Sizes { workers: 4, ..one };
        let (e1, e4) = (
            one.estimate(Limits::default()),
            four.estimate(Limits::default()),
        );
        assert_eq!(e1.gpu_bytes, 0);
        assert_eq!(e1.largest.single, 16 * 1024 * 1024 * 100);
        assert_eq!(e4.largest.single, 16 * 1024 * 256 * 100);
        // One worker: three 1.7 GB gate-sized buffers and more, above 4 GiB; four share them.
        let message = e1.problem.expect("one worker is refused");
        assert!(
            message.contains(
                "a worker's WebAssembly memory holds at most 4.3 GB, about 4.0 GB of it for these — \
                 lower the batch size to 573 or less, or the words per review, or use more CPU \
                 workers (each trains a share of the batch)"
            ),
            "{message}"
        );
        assert_eq!(e4.problem, None, "{}", e4.summary);
        assert!(
            e4.summary
                .starts_with("needs ≈ 1.8 GB in the lead of 4 CPU workers"),
            "{}",
            e4.summary
        );
    }

    #[test]
    fn a_huge_vocabulary_names_the_vocabulary_and_huge_data_its_rows() {
        let big_model = Sizes {
            vocab: 65_536,
            embed: 1024,
            ..post()
        };
        // The embedding is 268 MB: above WebGPU's default 128 MiB binding; 32 768 rows fit.
        let message = big_model.estimate(DEFAULT_LIMITS).problem.expect("refused");
        assert_eq!(
            message,
            "vocabulary 65,536 × embedding 1024 × hidden 100 needs a 268 MB buffer for the weights \
             (the embedding, vocabulary × embedding, is the largest); this GPU allows buffers up to \
             134 MB — lower the vocabulary to 32,768 or less, or the embedding size"
        );

        let big_data = Sizes {
            rows: 1_000_000,
            maxlen: 2048,
            batch: 1,
            engine: Engine::Cpu,
            ..post()
        };
        let message = big_data
            .estimate(Limits::default())
            .problem
            .expect("refused");
        // 500 000 training rows × 2048 ids × 4 bytes in one vector.
        assert!(
            message.starts_with(
                "1,000,000 reviews × words per review 2048 needs one allocation of 4.1 GB for the \
                 data's token ids"
            ),
            "{message}"
        );
        // One allocation would allow 1,073 words (2³¹ / (4 · 500 000)); the 4 GiB memory less
        // its 256 MiB reserve, which also holds every other row, the texts and the model, 1,001.
        assert!(
            message.ends_with("— lower the words per review to 1,001 or less"),
            "{message}"
        );
    }

    #[test]
    fn sizes_saturate_instead_of_overflowing() {
        let absurd = Sizes {
            rows: u64::MAX / 2,
            maxlen: u64::MAX / 2,
            ..post()
        };
        let e = absurd.estimate(DEFAULT_LIMITS);
        assert_eq!(e.wasm_bytes, u64::MAX);
        assert!(e.problem.is_some());
    }

    #[test]
    fn bytes_and_counts_read_as_the_page_writes_them() {
        assert_eq!(bytes(999), "999 bytes");
        assert_eq!(bytes(96_000_000), "96 MB");
        assert_eq!(bytes(2_147_483_648), "2.1 GB");
        assert_eq!(bytes(137_438_953_472), "137 GB");
        assert_eq!(bytes(9_960_000), "10 MB");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn a_variant_without_a_fused_kernel_counts_the_reference_ops_and_a_cell_its_gates() {
        let mut run = RunSettings {
            engine: Engine::Gpu,
            ..RunSettings::default()
        };
        let lstm = Sizes::of(&run, DataSize::default());
        assert!(!lstm.reference);
        run.train.arch.cell = crate::classifier::Cell::Rnn;
        let rnn = Sizes::of(&run, DataSize::default());
        assert!(!rnn.reference, "the plain RNN runs fused");
        assert_eq!(rnn.gates, 1);
        assert_eq!(
            lstm.parameters() - rnn.parameters(),
            3 * 100 * (100 + 100 + 2)
        );
        run.train.arch = crate::classifier::Architecture::parse("lstm+sigmoid-g").unwrap();
        for engine in [Engine::Gpu, Engine::Cpu] {
            run.engine = engine;
            let sizes = Sizes::of(&run, DataSize::default());
            assert!(sizes.reference, "no fused kernel runs the σ candidate");
            assert_eq!(sizes.gates, 4);
        }
    }
}
