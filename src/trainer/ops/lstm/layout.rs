//! How the recurrence kernels spread one time step over a workgroup, for a hidden size H.
//!
//! A step is `SEQS × 4H` dot products of length H (forward) or `SEQS × H` dot products of
//! length 4H (backward, as H dot products of vec4s). Every thread handles a few units for all
//! of its workgroup's sequences, so a weight read from memory serves `SEQS` sequences; when H is
//! small, each unit's sum is also split over `SPLIT` threads so a workgroup still has enough of
//! them. The workgroup size is chosen from H so that no invocation is left without work
//! (at H = 100: 200 threads, two per unit).

use std::cell::Cell;

/// WebGPU's guaranteed `maxComputeInvocationsPerWorkgroup`.
pub const MAX_THREADS: usize = 256;
/// WebGPU's guaranteed `maxComputeWorkgroupStorageSize` (16 KiB), in floats.
const WORKGROUP_FLOATS: usize = 4096;
/// A split slice shorter than this costs more in the reduction than it saves.
const MIN_SLICE: usize = 8;
/// Sequences per workgroup unless tuned otherwise (chosen by `bench train`, see docs/kernels.md).
pub const DEFAULT_SEQS: usize = 1;
/// Multiply-adds one recurrence dispatch may do before the time loop is cut into several
/// dispatches, so that no single dispatch runs long enough for a browser or driver watchdog to
/// reset a weak GPU (≈ 2 s on Windows). At the post's size (B = 128, H = 100) a step is 5.1 M
/// multiply-adds, so up to 209 steps go in one dispatch.
pub const WORK_PER_DISPATCH: usize = 1 << 30;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Layout {
    pub hidden: usize,
    /// Sequences of the batch per workgroup.
    pub seqs: usize,
    /// Threads across units; thread `u` handles units `u, u + unit_threads, …`.
    pub unit_threads: usize,
    /// Threads per unit, each summing one slice of k.
    pub split: usize,
    /// Units per thread (`⌈H / unit_threads⌉`).
    pub passes: usize,
}

fn floor_pow2(n: usize) -> usize {
    if n == 0 { 0 } else { 1 << n.ilog2() }
}

impl Layout {
    /// The layout for `hidden` units and `batch` sequences, with up to `seqs` per workgroup.
    pub fn new(hidden: usize, batch: usize, seqs: usize) -> Self {
        assert!(hidden >= 1);
        let split = if 2 * hidden <= MAX_THREADS {
            floor_pow2(MAX_THREADS / hidden)
                .min(floor_pow2(hidden / MIN_SLICE))
                .max(1)
        } else {
            1
        };
        let passes = hidden.div_ceil(MAX_THREADS / split);
        let unit_threads = hidden.div_ceil(passes);
        // Workgroup memory per sequence: forward h (H) + partial vec4 sums; backward dA vec4s
        // (4H) + partial scalar sums.
        let per_seq = (hidden + 4 * (split - 1) * hidden).max(4 * hidden + (split - 1) * hidden);
        let seqs = seqs.min(batch).min(WORKGROUP_FLOATS / per_seq).max(1);
        Self {
            hidden,
            seqs,
            unit_threads,
            split,
            passes,
        }
    }

    pub fn threads(&self) -> usize {
        self.unit_threads * self.split
    }

    /// Length of each thread's slice of k.
    pub fn slice(&self) -> usize {
        self.hidden.div_ceil(self.split)
    }

    pub fn workgroups(&self, batch: usize) -> usize {
        batch.div_ceil(self.seqs)
    }

    /// Threads with no unit in their last pass, out of all thread-passes.
    pub fn idle_fraction(&self) -> f64 {
        let slots = self.unit_threads * self.passes;
        (slots - self.hidden) as f64 / slots as f64
    }

    /// The values substituted into the kernels' templates.
    pub fn template_values(&self) -> [(&'static str, usize); 9] {
        [
            ("hidden", self.hidden),
            ("seqs", self.seqs),
            ("unit_threads", self.unit_threads),
            ("split", self.split),
            ("passes", self.passes),
            ("threads", self.threads()),
            ("slice", self.slice()),
            ("seqs_hidden", self.seqs * self.hidden),
            (
                "partial_len",
                ((self.split - 1) * self.seqs * self.hidden).max(1),
            ),
        ]
    }

    /// Time steps per dispatch for this batch (see [`WORK_PER_DISPATCH`]).
    pub fn steps_per_dispatch(&self, batch: usize, steps: usize) -> usize {
        if let Some(n) = TUNING.with(|t| t.get().steps_per_dispatch) {
            return n.clamp(1, steps.max(1));
        }
        let per_step = batch * 4 * self.hidden * self.hidden;
        (WORK_PER_DISPATCH / per_step.max(1)).clamp(1, steps.max(1))
    }
}

/// Overrides for benchmarks and tests, per thread (burn launches kernels on the calling
/// thread, so one test's setting cannot leak into another's).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tuning {
    pub seqs: Option<usize>,
    pub steps_per_dispatch: Option<usize>,
}

thread_local! {
    static TUNING: Cell<Tuning> = const { Cell::new(Tuning { seqs: None, steps_per_dispatch: None }) };
}

/// Run `f` with `tuning` in force on this thread.
pub fn with_tuning<R>(tuning: Tuning, f: impl FnOnce() -> R) -> R {
    let before = TUNING.with(|t| t.replace(tuning));
    let out = f();
    TUNING.with(|t| t.set(before));
    out
}

/// Set `tuning` for the rest of this thread's life (the CLI's benchmark).
pub fn set_tuning(tuning: Tuning) {
    TUNING.with(|t| t.set(tuning));
}

/// The layout the kernels use now on this thread.
pub fn current(hidden: usize, batch: usize) -> Layout {
    let seqs = TUNING.with(|t| t.get().seqs).unwrap_or(DEFAULT_SEQS);
    Layout::new(hidden, batch, seqs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_posts_size_leaves_no_thread_idle() {
        let l = Layout::new(100, 128, 4);
        assert_eq!(
            (l.split, l.unit_threads, l.passes, l.threads()),
            (2, 100, 1, 200)
        );
        assert_eq!(l.idle_fraction(), 0.0);
        assert_eq!(l.slice(), 50);
    }

    #[test]
    fn every_size_fits_webgpu_limits() {
        for hidden in 1..=1024 {
            for batch in [1, 3, 128] {
                let l = Layout::new(hidden, batch, 8);
                assert!(l.threads() <= MAX_THREADS && l.threads() >= 1, "{l:?}");
                assert!(
                    l.unit_threads * l.passes >= hidden,
                    "{l:?}: units uncovered"
                );
                assert!(l.split * l.slice() >= hidden, "{l:?}: k uncovered");
                assert!(l.seqs >= 1 && l.seqs <= batch, "{l:?}");
                let fwd = l.seqs * hidden + 4 * (l.split - 1) * l.seqs * hidden;
                let bwd = 4 * l.seqs * hidden + (l.split - 1) * l.seqs * hidden;
                assert!(
                    fwd.max(bwd) <= WORKGROUP_FLOATS,
                    "{l:?} needs {fwd}/{bwd} floats"
                );
                // At most one pass's worth of threads short of full.
                assert!(l.unit_threads * l.passes - hidden < l.passes, "{l:?}");
            }
        }
    }

    #[test]
    fn long_sequences_are_cut_only_when_a_dispatch_would_be_huge() {
        let l = Layout::new(100, 128, 1);
        assert_eq!(l.steps_per_dispatch(128, 128), 128);
        let big = Layout::new(1024, 512, 1);
        assert_eq!(big.steps_per_dispatch(512, 512), 1);
        let tuned = with_tuning(
            Tuning {
                steps_per_dispatch: Some(3),
                seqs: None,
            },
            || l.steps_per_dispatch(128, 128),
        );
        assert_eq!(tuned, 3);
        assert_eq!(
            l.steps_per_dispatch(128, 128),
            128,
            "the override ends with the closure"
        );
    }
}
