//! Where reading and preparing a CSV spends its time, stage by stage, in the order the Trainer
//! runs them: unpack, parse, preview (on loading the file); the data check (shown with the
//! preview); split + fit + encode (on Start). For `scripts/bench` (in the page, through the
//! trainer's `dataStages` export) and `lstm-lab bench data`; the clock is the caller's, since
//! `std::time::Instant` does not run in the browser.

use super::csv::{self, ColumnChoice};
use super::{DataConfig, DataError, check, prepare, preview, tokenizer::Tokenizer};
use serde::Serialize;

/// Milliseconds per stage, and the sizes they worked on.
#[derive(Clone, Debug, Default, Serialize)]
pub struct StageTimes {
    /// gunzip (zero for a plain file).
    pub unpack_ms: f64,
    /// CSV fields to labelled texts: quotes, UTF-8, line numbers, labels.
    pub parse_ms: f64,
    pub preview_ms: f64,
    /// The data check with `config`: its own split, fit and encoding, per-text lengths, and
    /// the naive Bayes baseline.
    pub check_ms: f64,
    /// What Start does to the data: shuffle and split, fit the tokenizer, encode both splits.
    pub prepare_ms: f64,
    /// Of `prepare_ms`, about: fitting the tokenizer alone, on as many texts as the split
    /// trains on (the first ones of the file).
    pub fit_ms: f64,
    pub summary_ms: f64,
    pub bytes: usize,
    pub unpacked_bytes: usize,
    pub rows: usize,
    pub train_rows: usize,
}

/// Read `bytes` (plain or gzip) as the Trainer does and prepare it with `config`, timing each
/// stage with `now` (milliseconds).
pub fn time_stages(
    bytes: &[u8],
    config: DataConfig,
    now: impl Fn() -> f64,
) -> Result<StageTimes, DataError> {
    let mut t = StageTimes {
        bytes: bytes.len(),
        ..Default::default()
    };
    let mut lap = {
        let mut last = now();
        move || {
            let at = now();
            let ms = at - last;
            last = at;
            ms
        }
    };
    let unpacked = csv::maybe_gunzip(bytes)?;
    t.unpack_ms = lap();
    t.unpacked_bytes = unpacked.len();
    let texts = csv::read_labelled_texts(&unpacked, &ColumnChoice::default())?;
    t.parse_ms = lap();
    t.rows = texts.texts.len();
    preview::preview(&texts, &Default::default());
    t.preview_ms = lap();
    check::check(&texts, config, &texts.classes)?;
    t.check_ms = lap();
    let data = prepare(&texts, config)?;
    t.prepare_ms = lap();
    t.train_rows = data.train.len();
    preview::summarize(&texts, &data);
    t.summary_ms = lap();
    Tokenizer::fit(
        texts.texts.iter().take(t.train_rows).map(String::as_str),
        config.vocab,
    );
    t.fit_ms = lap();
    Ok(t)
}
