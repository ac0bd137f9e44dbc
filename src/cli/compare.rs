//! `lstm-lab compare`: the post's claim on real data. Each entrant (a cell, its readout and the
//! LSTM's variants) trains on the same split, the same batches in the same order and the same
//! seed, one after another; then one table says which learned best and at what cost.

use super::{Options, describe_run, engine, load_data, open, train_config};
use crate::classifier::Architecture;
use crate::gpu::block_on;
use crate::trainer::{StepReport, Trainer};
use serde::Serialize;
use std::time::Instant;

/// One entrant's run, as the table and `--out` give it.
#[derive(Serialize)]
struct Entrant {
    arch: String,
    parameters: usize,
    best_accuracy: f64,
    best_epoch: usize,
    seconds_per_epoch: f64,
    /// Why the fused kernels do not run it, when they do not.
    unfused: Option<String>,
    epochs: Vec<Epoch>,
}

#[derive(Serialize)]
struct Epoch {
    epoch: usize,
    train_loss: f64,
    train_accuracy: f64,
    valid_loss: f64,
    valid_accuracy: f64,
    seconds: f64,
}

/// `a,b,…` of [`Architecture::describe`]'s form: 1 to 8 entrants, none twice.
fn entrants(list: &str) -> Result<Vec<Architecture>, String> {
    let mut all: Vec<Architecture> = Vec::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let arch = Architecture::parse(item).map_err(|e| format!("--entrants: {e}"))?;
        if all.contains(&arch) {
            return Err(format!("--entrants: `{item}` is listed twice"));
        }
        all.push(arch);
    }
    if !(1..=8).contains(&all.len()) {
        return Err(format!(
            "--entrants: {} entrants; give 1 to 8, such as lstm/pool,rnn/pool",
            all.len()
        ));
    }
    Ok(all)
}

pub(super) fn run(o: Options) -> Result<(), String> {
    let path = o.required("--csv")?;
    let list = entrants(o.required("--entrants")?)?;
    let prepared = load_data(&o, path)?;
    let base = train_config(&o)?;
    let (compute, _) = open(&o, engine(&o)?)?;
    let mut results = Vec::new();
    for arch in list {
        let config = crate::settings::TrainConfig { arch, ..base };
        let label = arch.describe();
        println!("{label}: {}", describe_run(&prepared.config, &config));
        let unfused = arch.unfused_reason();
        if let Some(why) = &unfused {
            println!("  ({why})");
        }
        let mut trainer =
            Trainer::new(prepared.clone(), config, &compute).map_err(|e| e.to_string())?;
        let parameters = trainer.model().config().parameter_count();
        let mut epochs = Vec::new();
        let mut start = Instant::now();
        loop {
            match block_on(trainer.step()).map_err(|e| e.to_string())? {
                StepReport::Epoch { report, .. } => {
                    let seconds = start.elapsed().as_secs_f64();
                    start = Instant::now();
                    println!(
                        "  epoch {}: train loss {:.4} acc {:.4} | validation loss {:.4} acc {:.4} | {seconds:.1} s",
                        report.epoch,
                        report.train_loss,
                        report.train_accuracy,
                        report.valid_loss,
                        report.valid_accuracy
                    );
                    epochs.push(Epoch {
                        epoch: report.epoch,
                        train_loss: report.train_loss,
                        train_accuracy: report.train_accuracy,
                        valid_loss: report.valid_loss,
                        valid_accuracy: report.valid_accuracy,
                        seconds,
                    });
                }
                StepReport::Finished { .. } => break,
                _ => {}
            }
        }
        let best = epochs
            .iter()
            .max_by(|a, b| a.valid_accuracy.total_cmp(&b.valid_accuracy));
        results.push(Entrant {
            arch: label,
            parameters,
            best_accuracy: best.map_or(f64::NAN, |e| e.valid_accuracy),
            best_epoch: best.map_or(0, |e| e.epoch),
            seconds_per_epoch: epochs.iter().map(|e| e.seconds).sum::<f64>()
                / epochs.len().max(1) as f64,
            unfused,
            epochs,
        });
    }
    println!("\n{}", table(&results));
    if let Some(out) = o.value("--out") {
        let json = serde_json::to_vec_pretty(&results).expect("numbers and strings serialise");
        std::fs::write(out, json).map_err(|e| format!("{out}: {e}"))?;
        println!("wrote {out}");
    }
    Ok(())
}

/// The result table, best entrant first.
fn table(results: &[Entrant]) -> String {
    let mut order: Vec<&Entrant> = results.iter().collect();
    order.sort_by(|a, b| b.best_accuracy.total_cmp(&a.best_accuracy));
    let width = order.iter().map(|e| e.arch.len()).max().unwrap_or(0).max(8);
    let mut out = format!(
        "{:width$}  best val. acc  epoch  parameters  s/epoch\n",
        "entrant"
    );
    for e in order {
        out += &format!(
            "{:width$}  {:>13.4}  {:>5}  {:>10}  {:>7.1}\n",
            e.arch, e.best_accuracy, e.best_epoch, e.parameters, e.seconds_per_epoch
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entrants_are_read_and_checked() {
        let e = entrants("lstm/pool, rnn/last,gru+nope").unwrap_err();
        assert!(e.contains("`nope` is not an LSTM variant"), "{e}");
        let ok = entrants("lstm/pool,rnn/last,lstm+sigmoid-g").unwrap();
        assert_eq!(ok.len(), 3);
        assert!(
            entrants("rnn,rnn/pool")
                .unwrap_err()
                .contains("listed twice")
        );
        assert!(entrants("").unwrap_err().contains("0 entrants"));
    }
}
