//! `lstm-lab check --csv PATH`: the page's data check and bag-of-words baseline
//! ([`crate::data::check`]) on the command line, timed.

use super::{Options, data_config, read_file};
use crate::data::DataConfig;
use crate::data::check::{Level, check};
use crate::data::csv::{ColumnChoice, read_labelled_texts};
use std::time::Instant;

pub(super) fn run(o: Options) -> Result<(), String> {
    let path = o.required("--csv")?;
    let bytes = read_file(path)?;
    let columns = ColumnChoice {
        text: o.value("--text-column").map(String::from),
        label: o.value("--label-column").map(String::from),
        no_header: o.flag("--no-header"),
    };
    let config = DataConfig {
        drop_duplicates: o.flag("--drop-duplicates"),
        ..data_config(&o)?
    };
    let start = Instant::now();
    let texts = read_labelled_texts(&bytes, &columns).map_err(|e| format!("{path}: {e}"))?;
    let read = start.elapsed().as_secs_f64();
    let classes = ["negative", "positive"].map(String::from);
    let c = check(&texts, config, &classes).map_err(|e| format!("{path}: {e}"))?;
    let checked = start.elapsed().as_secs_f64() - read;
    println!(
        "{path}: {} rows; {} training, {} validation; read in {read:.2} s, checked (with the baseline) in {checked:.2} s",
        c.rows, c.train_rows, c.valid_rows
    );
    for f in &c.findings {
        let mark = match f.level {
            Level::Ok => "ok  ",
            Level::Warn => "WARN",
            Level::Info => "info",
        };
        let lines = if f.lines.is_empty() {
            String::new()
        } else {
            let lines: Vec<String> = f.lines.iter().map(u64::to_string).collect();
            let s = if lines.len() == 1 { "" } else { "s" };
            format!(" (line{s} {})", lines.join(", "))
        };
        println!("{mark} {}{lines}", f.text);
    }
    Ok(())
}
