//! `lstm-lab check --csv PATH`: the page's data check and bag-of-words baseline
//! ([`crate::data::check`]) on the command line, timed.

use super::{Options, data_config, read_file, read_texts};
use crate::data::DataConfig;
use crate::data::check::{Level, check};
use std::time::Instant;

pub(super) fn run(o: Options) -> Result<(), String> {
    let path = o.required("--csv")?;
    let bytes = read_file(path)?;
    let config = DataConfig {
        drop_duplicates: o.flag("--drop-duplicates"),
        ..data_config(&o)?
    };
    let start = Instant::now();
    let texts = read_texts(&o, path, &bytes)?;
    let read = start.elapsed().as_secs_f64();
    let c = check(&texts, config, &texts.classes).map_err(|e| format!("{path}: {e}"))?;
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
