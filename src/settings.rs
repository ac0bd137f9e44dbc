//! One training run, described once: how texts become ids ([`DataConfig`]), the model and how
//! it trains ([`TrainConfig`]), where it trains ([`Engine`]) and on how many CPU workers — with
//! every setting's default and limits in one table ([`SETTINGS`]). The page's form takes its
//! defaults, limits and presets from it (`runSettings()`), the CLI its options and usage line,
//! the memory estimate ([`crate::budget`]) and the model file ([`crate::classifier::record`])
//! their numbers. No tensor library: the page's first view reads it too.

use crate::classifier::arch::Architecture;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a run trains: the GPU (WebGPU in a browser, Vulkan or Metal natively) or the CPU.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    Gpu,
    /// The CLI's default; the page picks by timing one step of each.
    #[default]
    Cpu,
}

/// Which implementation computes the model's layers while it trains.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Recurrence {
    /// The fused kernels: the WGSL kernels (the whole time loop in one dispatch each way) on a
    /// GPU, their CPU twins on the CPU.
    #[default]
    Fused,
    /// burn's own ops, step by step: the oracle the fused kernels are tested against.
    Reference,
}

/// How texts become training examples.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataConfig {
    /// Vocabulary size, padding included (Keras' `num_words`).
    pub vocab: usize,
    /// Ids per review after padding/truncation.
    pub maxlen: usize,
    /// Share of rows used for training; the rest validate.
    pub train_fraction: f64,
    /// Seed of the shuffle before the split.
    pub seed: u64,
    /// Drop exact duplicate texts (keeping each one's first row) before the split, so no
    /// validation text is also a training text. Off by default: the post's run is unchanged, and
    /// files that never set it serialise exactly as before.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drop_duplicates: bool,
}

impl Default for DataConfig {
    /// The post: 3000 words, 128 ids, a 50/50 split of the shuffled data.
    fn default() -> Self {
        Self {
            vocab: 3000,
            maxlen: 128,
            train_fraction: 0.5,
            seed: 1,
            drop_duplicates: false,
        }
    }
}

/// The model's sizes and how it trains.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    pub embed: usize,
    pub hidden: usize,
    pub batch: usize,
    pub lr: f64,
    pub epochs: usize,
    /// Seed of the initial weights and of each epoch's shuffle.
    pub seed: u64,
    /// The kernels that compute the layers: fused, or burn's reference ops.
    #[serde(default)]
    pub kernel: Recurrence,
    /// The cell, its readout and the LSTM's variants; the post's LSTM with pooling by default
    /// (and then not written, so the post's settings and files read as before).
    #[serde(default, skip_serializing_if = "Architecture::is_post")]
    pub arch: Architecture,
}

impl Default for TrainConfig {
    /// The post: Embedding 100, LSTM 100, batch 128, Adam 1e-3, 5 epochs.
    fn default() -> Self {
        Self {
            embed: 100,
            hidden: 100,
            batch: 128,
            lr: 1e-3,
            epochs: 5,
            seed: 1,
            kernel: Recurrence::Fused,
            arch: Architecture::default(),
        }
    }
}

/// A whole run.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunSettings {
    pub data: DataConfig,
    pub train: TrainConfig,
    pub engine: Engine,
    /// CPU workers in the page, each a Web Worker training a share of every batch (1 on the
    /// GPU). The CLI trains on threads instead (`--threads`).
    pub workers: u32,
}

impl Default for RunSettings {
    /// The post's run, on one CPU worker.
    fn default() -> Self {
        Self {
            data: DataConfig::default(),
            train: TrainConfig::default(),
            engine: Engine::default(),
            workers: 1,
        }
    }
}

/// A setting out of its limits; the message names it and the limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsError(pub String);

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SettingsError {}

/// One number of a run: where it lives, what the page and the CLI call it, its limits.
#[derive(Clone, Copy)]
pub struct Setting {
    /// The page's field (its input is `#trainer-<field>`) and the key of [`RunSettings::fields`].
    pub field: &'static str,
    /// The CLI's option, if it has one.
    pub option: Option<&'static str>,
    /// As a message names it.
    pub name: &'static str,
    pub min: f64,
    pub max: f64,
    /// `min` itself is refused (the learning rate, the training share).
    pub min_exclusive: bool,
    /// `max` itself is refused (the training share).
    pub max_exclusive: bool,
    /// Whole numbers only.
    pub integer: bool,
    /// The form's step; 0 for any.
    pub step: f64,
    pub get: fn(&RunSettings) -> f64,
    pub set: fn(&mut RunSettings, f64),
}

/// Every setting of [`RunSettings`] with its limits, in the page's order. The page's seed seeds
/// both the split and the model.
pub const SETTINGS: [Setting; 10] = [
    Setting {
        field: "vocab",
        option: Some("--vocab"),
        name: "vocabulary",
        min: 2.0,
        max: 65_536.0,
        min_exclusive: false,
        max_exclusive: false,
        integer: true,
        step: 1.0,
        get: |s| s.data.vocab as f64,
        set: |s, v| s.data.vocab = v as usize,
    },
    Setting {
        field: "maxlen",
        option: Some("--maxlen"),
        name: "sequence length",
        min: 1.0,
        max: 2048.0,
        min_exclusive: false,
        max_exclusive: false,
        integer: true,
        step: 1.0,
        get: |s| s.data.maxlen as f64,
        set: |s, v| s.data.maxlen = v as usize,
    },
    Setting {
        field: "embed",
        option: Some("--embed"),
        name: "embedding size",
        min: 1.0,
        max: 1024.0,
        min_exclusive: false,
        max_exclusive: false,
        integer: true,
        step: 1.0,
        get: |s| s.train.embed as f64,
        set: |s, v| s.train.embed = v as usize,
    },
    Setting {
        field: "hidden",
        option: Some("--hidden"),
        name: "hidden size",
        min: 1.0,
        max: 1024.0,
        min_exclusive: false,
        max_exclusive: false,
        integer: true,
        step: 1.0,
        get: |s| s.train.hidden as f64,
        set: |s, v| s.train.hidden = v as usize,
    },
    Setting {
        field: "batch",
        option: Some("--batch"),
        name: "batch size",
        min: 1.0,
        max: 4096.0,
        min_exclusive: false,
        max_exclusive: false,
        integer: true,
        step: 1.0,
        get: |s| s.train.batch as f64,
        set: |s, v| s.train.batch = v as usize,
    },
    // Far above any useful rate, but allowed: watching a run blow up is a lesson too (the loop
    // stops it when the loss is no longer finite). Above 1e30 Adam's float32 step itself would
    // overflow.
    Setting {
        field: "lr",
        option: Some("--lr"),
        name: "learning rate",
        min: 0.0,
        max: 1e30,
        min_exclusive: true,
        max_exclusive: false,
        integer: false,
        step: 0.0,
        get: |s| s.train.lr,
        set: |s, v| s.train.lr = v,
    },
    Setting {
        field: "epochs",
        option: Some("--epochs"),
        name: "epochs",
        min: 1.0,
        max: 1000.0,
        min_exclusive: false,
        max_exclusive: false,
        integer: true,
        step: 1.0,
        get: |s| s.train.epochs as f64,
        set: |s, v| s.train.epochs = v as usize,
    },
    Setting {
        field: "split",
        option: Some("--train-fraction"),
        name: "training share",
        min: 0.0,
        max: 1.0,
        min_exclusive: true,
        max_exclusive: true,
        integer: false,
        step: 0.01,
        get: |s| s.data.train_fraction,
        set: |s, v| s.data.train_fraction = v,
    },
    Setting {
        field: "seed",
        option: Some("--seed"),
        name: "seed",
        min: 0.0,
        max: 4_294_967_295.0,
        min_exclusive: false,
        max_exclusive: false,
        integer: true,
        step: 1.0,
        get: |s| s.data.seed as f64,
        set: |s, v| {
            s.data.seed = v as u64;
            s.train.seed = v as u64;
        },
    },
    Setting {
        field: "workers",
        option: None,
        name: "CPU workers",
        min: 1.0,
        max: 16.0,
        min_exclusive: false,
        max_exclusive: false,
        integer: true,
        step: 1.0,
        get: |s| s.workers as f64,
        set: |s, v| s.workers = v as u32,
    },
];

/// A limit as a message writes it: 65536, 0.5, 1e30.
fn number(v: f64) -> String {
    if v.abs() >= 1e9 && v.fract() == 0.0 && v != 4_294_967_295.0 {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

impl Setting {
    /// `value` within this setting's limits, or why not.
    pub fn check(&self, value: f64) -> Result<(), SettingsError> {
        let name = self.name;
        let above = if self.min_exclusive {
            value > self.min
        } else {
            value >= self.min
        };
        let below = if self.max_exclusive {
            value < self.max
        } else {
            value <= self.max
        };
        let shown = number(value);
        if !value.is_finite() || !above || !below {
            let range = self.range();
            let message = match (self.min_exclusive, self.max_exclusive) {
                (false, false) => format!("{name} {shown} is outside {range}"),
                _ => format!("{name} {shown} must be {range}"),
            };
            return Err(SettingsError(message));
        }
        if self.integer && value.fract() != 0.0 {
            return Err(SettingsError(format!(
                "{name} {shown} must be a whole number"
            )));
        }
        Ok(())
    }

    /// The limits in words: `2–65536`, `above 0 and at most 1e30`, `between 0 and 1`.
    pub fn range(&self) -> String {
        let (min, max) = (number(self.min), number(self.max));
        match (self.min_exclusive, self.max_exclusive) {
            (false, false) => format!("{min}–{max}"),
            (true, false) => format!("above {min} and at most {max}"),
            _ => format!("between {min} and {max}"),
        }
    }

    /// The smallest value the page's form offers.
    pub fn form_min(&self) -> f64 {
        if self.min_exclusive && self.step > 0.0 {
            self.min + self.step
        } else {
            self.min
        }
    }

    /// The largest value the page's form offers.
    pub fn form_max(&self) -> f64 {
        if self.max_exclusive && self.step > 0.0 {
            self.max - self.step
        } else {
            self.max
        }
    }
}

fn check_all<'a>(
    settings: impl IntoIterator<Item = &'a Setting>,
    run: &RunSettings,
) -> Result<(), SettingsError> {
    settings
        .into_iter()
        .try_for_each(|setting| setting.check((setting.get)(run)))
}

fn setting(field: &str) -> &'static Setting {
    SETTINGS
        .iter()
        .find(|s| s.field == field)
        .expect("a field of SETTINGS")
}

impl DataConfig {
    /// Each of its settings within [`SETTINGS`]' limits.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let run = RunSettings {
            data: *self,
            ..RunSettings::default()
        };
        check_all(["vocab", "maxlen", "split"].map(setting), &run)
    }
}

impl TrainConfig {
    /// Each of its settings within [`SETTINGS`]' limits.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let run = RunSettings {
            train: *self,
            ..RunSettings::default()
        };
        check_all(
            ["embed", "hidden", "batch", "lr", "epochs"].map(setting),
            &run,
        )?;
        self.arch.validate().map_err(SettingsError)
    }
}

impl RunSettings {
    /// Every setting within its limits.
    pub fn validate(&self) -> Result<(), SettingsError> {
        self.data.validate()?;
        self.train.validate()?;
        check_all([setting("workers")], self)
    }

    /// A run from the page's fields (`{vocab: 3000, …}`, as [`SETTINGS`] names them) over
    /// these settings: each value is checked, and an unknown field is refused.
    pub fn with_fields(
        mut self,
        fields: impl IntoIterator<Item = (String, f64)>,
    ) -> Result<Self, SettingsError> {
        for (field, value) in fields {
            let setting = SETTINGS
                .iter()
                .find(|s| s.field == field)
                .ok_or_else(|| SettingsError(format!("there is no setting “{field}”")))?;
            setting.check(value)?;
            (setting.set)(&mut self, value);
        }
        Ok(self)
    }

    /// The page's fields of this run, by name.
    pub fn fields(&self) -> Vec<(&'static str, f64)> {
        SETTINGS.iter().map(|s| (s.field, (s.get)(self))).collect()
    }

    /// A run small enough to finish in a lesson on a laptop's CPU (the built-in sample, one
    /// epoch): the page's "quick" preset.
    pub fn quick() -> Self {
        let mut run = Self::default();
        run.data.vocab = 2000;
        run.data.maxlen = 64;
        run.train = TrainConfig {
            embed: 32,
            hidden: 32,
            batch: 64,
            lr: 3e-3,
            epochs: 1,
            ..TrainConfig::default()
        };
        run
    }

    /// A run that shows clear learning on the built-in sample within a lesson's minute in the
    /// page on a 2-core laptop (docs/measurements.md, "The lesson preset in the page"): the
    /// post's data, a model a tenth of its recurrent work, with a higher rate and smaller
    /// batches so that the sample's 1,800 training reviews give enough updates. The page's
    /// "lesson" preset.
    pub fn lesson() -> Self {
        Self {
            train: TrainConfig {
                embed: 32,
                hidden: 32,
                batch: 32,
                lr: 5e-3,
                epochs: 6,
                ..TrainConfig::default()
            },
            ..Self::default()
        }
    }

    /// The presets the page offers, by name: the post's run, a quick one and a lesson's.
    pub fn presets() -> [(&'static str, Self); 3] {
        [
            ("post", Self::default()),
            ("quick", Self::quick()),
            ("lesson", Self::lesson()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_the_posts_run_and_valid() {
        let run = RunSettings::default();
        assert_eq!((run.data.vocab, run.data.maxlen), (3000, 128));
        assert_eq!(
            (run.train.embed, run.train.hidden, run.train.batch),
            (100, 100, 128)
        );
        assert_eq!((run.train.lr, run.train.epochs), (1e-3, 5));
        for (_, preset) in RunSettings::presets() {
            preset.validate().unwrap();
        }
    }

    #[test]
    fn every_limit_is_named_in_its_message() {
        let bad = |f: &dyn Fn(&mut RunSettings)| {
            let mut run = RunSettings::default();
            f(&mut run);
            run.validate().unwrap_err().to_string()
        };
        assert_eq!(
            bad(&|r| r.data.vocab = 1),
            "vocabulary 1 is outside 2–65536"
        );
        assert_eq!(
            bad(&|r| r.data.maxlen = 4096),
            "sequence length 4096 is outside 1–2048"
        );
        assert_eq!(
            bad(&|r| r.data.train_fraction = 1.0),
            "training share 1 must be between 0 and 1"
        );
        assert_eq!(
            bad(&|r| r.train.hidden = 0),
            "hidden size 0 is outside 1–1024"
        );
        assert_eq!(
            bad(&|r| r.train.lr = 0.0),
            "learning rate 0 must be above 0 and at most 1e30"
        );
        assert_eq!(
            bad(&|r| r.train.lr = f64::NAN),
            "learning rate NaN must be above 0 and at most 1e30"
        );
        assert_eq!(bad(&|r| r.workers = 17), "CPU workers 17 is outside 1–16");
        RunSettings {
            train: TrainConfig {
                lr: 1e30,
                ..TrainConfig::default()
            },
            ..RunSettings::default()
        }
        .validate()
        .unwrap();
    }

    #[test]
    fn fields_round_trip_and_are_checked() {
        let run = RunSettings::quick();
        let fields = run.fields();
        assert_eq!(fields.len(), SETTINGS.len());
        let back = RunSettings::default()
            .with_fields(fields.iter().map(|(k, v)| (k.to_string(), *v)))
            .unwrap();
        assert_eq!(back, run);
        let seed = RunSettings::default()
            .with_fields([("seed".to_string(), 7.0)])
            .unwrap();
        assert_eq!((seed.data.seed, seed.train.seed), (7, 7));
        let err = |field: &str, v: f64| {
            RunSettings::default()
                .with_fields([(field.to_string(), v)])
                .unwrap_err()
                .to_string()
        };
        assert_eq!(err("batch", 2.5), "batch size 2.5 must be a whole number");
        assert_eq!(err("colour", 1.0), "there is no setting “colour”");
        assert_eq!(err("epochs", 0.0), "epochs 0 is outside 1–1000");
    }

    #[test]
    fn the_form_offers_what_validation_accepts() {
        for s in SETTINGS {
            // An input's `min` cannot say "above 0" when any step is allowed (the learning
            // rate): there the form offers 0 and the check names the limit.
            if !(s.min_exclusive && s.step == 0.0) {
                s.check(s.form_min()).unwrap();
            }
            s.check(s.form_max()).unwrap();
        }
        assert_eq!(setting("split").form_min(), 0.01);
        assert_eq!(setting("split").form_max(), 0.99);
    }
}
