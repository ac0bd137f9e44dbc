//! `lstm-lab bench …`: timings that print numbers against a named baseline in the same run.

use super::{Options, data_config, engine, load_data, open, read_file, train_config};
use crate::blowup::{self, BlowupConfig, Problem, cpu};
use crate::data::DataConfig;
use crate::data::stages::time_stages;
use crate::gpu::{Gpu, block_on};
use crate::trainer::ops::lstm::{Tuning, set_tuning};
use crate::trainer::{StepReport, TrainConfig, Trainer};
use std::time::Instant;

fn median_ms(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn time_ms(reps: usize, mut f: impl FnMut()) -> f64 {
    f(); // warm-up: pipeline compilation, allocations
    median_ms(
        (0..reps)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed().as_secs_f64() * 1e3
            })
            .collect(),
    )
}

pub(super) fn blowup(o: Options) -> Result<(), String> {
    let reps: usize = o.parse("--reps", 21)?;
    let config = BlowupConfig::post_overflow();
    let problem = Problem::generate(&config).map_err(|e| e.to_string())?;
    println!(
        "Blow-up redraw, n={} T={} (median of {reps}; target < 16 ms per redraw)",
        config.n, config.steps
    );
    let generate = time_ms(reps, || {
        Problem::generate(&config).unwrap();
    });
    println!("  draw matrices (only when n/T/init/seed change) {generate:>8.2} ms");
    let reference = time_ms(reps, || {
        cpu::run_reference(&problem, &config, cpu::Subnormals::Keep);
    });
    println!("  baseline: f64 reference (triple loop)        {reference:>8.2} ms");
    let f32_ms = time_ms(reps, || {
        cpu::run_f32(&problem, &config);
    });
    println!(
        "  CPU float32 engine                            {f32_ms:>8.2} ms  ({:.1}× the baseline)",
        reference / f32_ms
    );
    match block_on(Gpu::acquire()) {
        Ok(gpu) => {
            let name = gpu.report.name.clone();
            let engine = block_on(blowup::gpu::BlowupGpu::new(gpu)).map_err(|e| e.to_string())?;
            let gpu_ms = time_ms(reps, || {
                block_on(engine.run(&problem, &config)).unwrap();
            });
            println!(
                "  GPU engine on {name:<31} {gpu_ms:>8.2} ms  ({:.1}× the baseline)",
                reference / gpu_ms
            );
        }
        Err(e) => println!("  GPU engine: skipped ({e})"),
    }
    Ok(())
}

pub(super) fn data(o: Options) -> Result<(), String> {
    let path = o.required("--csv")?;
    let bytes = read_file(path)?;
    let start = Instant::now();
    let ms = || start.elapsed().as_secs_f64() * 1e3;
    let t = time_stages(&bytes, DataConfig::default(), ms).map_err(|e| e.to_string())?;
    println!(
        "{path}: {:.1} MB ({:.1} MB unpacked), {} rows: unpack {:.0} ms + parse {:.0} ms + preview {:.0} ms = read {:.2} s; split/fit/encode {:.2} s (fit alone {:.2} s) + summary {:.0} ms; the data check {:.2} s ({} training rows)",
        t.bytes as f64 / 1e6,
        t.unpacked_bytes as f64 / 1e6,
        t.rows,
        t.unpack_ms,
        t.parse_ms,
        t.preview_ms,
        (t.unpack_ms + t.parse_ms + t.preview_ms) / 1e3,
        t.prepare_ms / 1e3,
        t.fit_ms / 1e3,
        t.summary_ms,
        t.check_ms / 1e3,
        t.train_rows
    );
    Ok(())
}

pub(super) fn train(o: Options) -> Result<(), String> {
    let steps: usize = o.parse("--steps", 5)?;
    if steps == 0 {
        return Err("--steps: at least one step to time".into());
    }
    // Nearly everything in the training split, so every timed step is a training batch.
    let data = DataConfig {
        maxlen: o.parse("--maxlen", 128)?,
        train_fraction: 0.99,
        ..data_config(&o)?
    };
    let config = TrainConfig {
        epochs: 1,
        ..train_config(&o)?
    };
    let prepared = match o.value("--csv") {
        Some(path) => load_data(&o, path)?,
        None => crate::data::synthetic(config.batch * (steps + 3), data),
    };
    let optional = |name: &str| -> Result<Option<usize>, String> {
        o.value(name)
            .map(|v| v.parse().map_err(|_| format!("{name}: cannot read `{v}`")))
            .transpose()
    };
    set_tuning(Tuning {
        seqs: optional("--seqs-per-workgroup")?,
        steps_per_dispatch: optional("--steps-per-dispatch")?,
    });
    let engine = engine(&o)?;
    let (compute, name) = open(&o, engine)?;
    let mut trainer =
        Trainer::new(prepared.clone(), config, &compute).map_err(|e| e.to_string())?;
    let step = |trainer: &mut Trainer| block_on(trainer.step()).map_err(|e| e.to_string());
    step(&mut trainer)?; // warm-up: kernel compilation
    // The median step: a shared machine's hiccups move a mean, not a median (the PyTorch
    // baseline, scripts/torch_bench.py, reports its median the same way).
    let mut times = Vec::with_capacity(steps);
    let mut rows = 0;
    for _ in 0..steps {
        let start = Instant::now();
        if let StepReport::Batch { rows: r, .. } = step(&mut trainer)? {
            rows += r;
        }
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "training on {name}, batch {} × {} ids, embed {}, hidden {}, {:?} path: {:.1} ms/step, {:.0} reviews/s (median of {steps} steps)",
        config.batch,
        data.maxlen,
        config.embed,
        config.hidden,
        trainer.path(),
        median * 1e3,
        rows as f64 / steps as f64 / median
    );
    if engine == crate::settings::Engine::Cpu && config.kernel == crate::settings::Recurrence::Fused
    {
        let flops = super::bench_cpu::recurrent_gemm_flops(
            data.maxlen,
            config.batch,
            config.arch.cell.gates(),
            config.embed,
            config.hidden,
        );
        println!(
            "{}",
            super::bench_cpu::report(flops, median, rayon::current_num_threads())
        );
    }
    #[cfg(feature = "gpu")]
    if engine == crate::settings::Engine::Gpu {
        // Timed above without the trace (writing it slows every call); counted here on a
        // second device that records one.
        let (traced, counter) = crate::trainer::dispatch_count::DispatchCounter::device()?;
        let mut trainer = Trainer::new(prepared, config, &traced).map_err(|e| e.to_string())?;
        step(&mut trainer)?;
        let before = counter.count()?;
        step(&mut trainer)?;
        let per_step = counter.count()? - before;
        println!("dispatches per training step: {per_step}");
    }
    Ok(())
}

/// A K-class training step against the binary one at the same sizes (the post's by default):
/// the median of `--steps` steps for each of `--classes`, and its ratio to the first.
pub(super) fn classes(o: Options) -> Result<(), String> {
    use crate::classifier::ModelConfig;
    use crate::trainer::class_bench::{StepSizes, time_steps, wall_clock};
    let reps: usize = o.parse("--steps", 5)?;
    if reps == 0 {
        return Err("--steps: at least one step to time".into());
    }
    let sizes = StepSizes {
        batch: o.parse("--batch", 128)?,
        steps: o.parse("--maxlen", 128)?,
        vocab: o.parse("--vocab", 3000)?,
        embed: o.parse("--embed", 100)?,
        hidden: o.parse("--hidden", 100)?,
    };
    let classes = o
        .value("--classes")
        .unwrap_or("2,5,50")
        .split(',')
        .map(|c| {
            c.trim()
                .parse::<usize>()
                .map_err(|_| format!("--classes: cannot read `{c}`"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    // `--cpu-time`: the process's CPU time per step, not the wall's (on a busy machine).
    let (clock, unit): (fn() -> f64, &str) = match o.flag("--cpu-time") {
        true => (process_cpu_seconds()?, "CPU"),
        false => (wall_clock, "wall"),
    };
    let engine = engine(&o)?;
    let (compute, name) = open(&o, engine)?;
    let mut first = None;
    for &k in &classes {
        let (path, times) = time_steps(&compute, sizes, k, reps, clock)?;
        let ms = median_ms(times) * 1e3;
        let base = *first.get_or_insert(ms);
        println!(
            "{k} classes ({} output{}) on {name}, batch {} × {} ids, vocab {}, embed {}, hidden {}, {path:?} path: {ms:.1} ms/step of {unit} time ({:.3}× the first, median of {reps} steps)",
            ModelConfig::outputs_for(k),
            if ModelConfig::outputs_for(k) == 1 {
                ""
            } else {
                "s"
            },
            sizes.batch,
            sizes.steps,
            sizes.vocab,
            sizes.embed,
            sizes.hidden,
            ms / base,
        );
    }
    #[cfg(feature = "gpu")]
    if engine == crate::settings::Engine::Gpu {
        // Counted on a second device that records a trace: a call of n timed steps runs n + 1,
        // so a 2-step call less a 1-step call is one step.
        let (traced, counter) = crate::trainer::dispatch_count::DispatchCounter::device()?;
        for &k in &classes {
            let before = counter.count()?;
            time_steps(&traced, sizes, k, 1, wall_clock)?;
            let one = counter.count()? - before;
            time_steps(&traced, sizes, k, 2, wall_clock)?;
            let two = counter.count()? - before - one;
            println!("{k} classes: {} dispatches per training step", two - one);
        }
    }
    Ok(())
}

/// A training step of one recurrent layer (the fused CPU LSTM, GRU and tanh RNN) at the same
/// sizes (the post's by default): per step and per parameter, on each of `--threads` thread
/// counts, the GRU and the RNN against the LSTM per parameter; through burn as the trainer
/// calls the layer, and the kernels alone. The cells take turns (`--rounds` rounds of `--steps`
/// steps each), so a disturbance of the machine falls on all of them, not on one; the median
/// over every round's steps.
pub(super) fn cells(o: Options) -> Result<(), String> {
    use crate::trainer::cell_bench::{Cell, LayerSizes, Route, parameters, time_layer_steps};
    use crate::trainer::class_bench::wall_clock;
    let reps: usize = o.parse("--steps", 5)?;
    let rounds: usize = o.parse("--rounds", 3)?;
    if reps == 0 || rounds == 0 {
        return Err("--steps, --rounds: at least one step and one round to time".into());
    }
    // `--cpu-time`: the process's CPU time per step (every thread's), not the wall's.
    let (clock, unit): (fn() -> f64, &str) = match o.flag("--cpu-time") {
        true => (process_cpu_seconds()?, "CPU"),
        false => (wall_clock, "wall"),
    };
    let sizes = LayerSizes {
        batch: o.parse("--batch", 128)?,
        steps: o.parse("--maxlen", 128)?,
        input: o.parse("--embed", 100)?,
        hidden: o.parse("--hidden", 100)?,
    };
    let threads = o
        .value("--threads")
        .unwrap_or("1,2")
        .split(',')
        .map(|c| match c.trim().parse::<usize>() {
            Ok(n) if (1..=1024).contains(&n) => Ok(n),
            _ => Err(format!(
                "--threads: cannot read `{c}` (1–1024, comma-separated)"
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let LayerSizes {
        batch,
        steps,
        input,
        hidden,
    } = sizes;
    println!(
        "one layer's training step on the CPU, batch {batch} × {steps} steps, input {input}, hidden {hidden}: median of {rounds} rounds × {reps} steps, the cells in turn"
    );
    println!(
        "  ms/step of {unit} time and ns/step per parameter (× the LSTM's), through burn | the kernels alone"
    );
    for &n in &threads {
        let mut layer = vec![Vec::new(); Cell::ALL.len()];
        let mut kernels = vec![Vec::new(); Cell::ALL.len()];
        for _ in 0..rounds {
            for (i, &cell) in Cell::ALL.iter().enumerate() {
                let time = |route| time_layer_steps(cell, route, sizes, n, reps, clock);
                layer[i].extend(time(Route::Burn)?);
                kernels[i].extend(time(Route::Kernels)?);
            }
        }
        let per_parameter = |cell: Cell, seconds: &[f64]| {
            let ms = median_ms(seconds.to_vec()) * 1e3;
            (ms, ms * 1e6 / parameters(cell, input, hidden) as f64)
        };
        let (_, lstm_layer) = per_parameter(Cell::Lstm, &layer[0]);
        let (_, lstm_kernels) = per_parameter(Cell::Lstm, &kernels[0]);
        for (i, &cell) in Cell::ALL.iter().enumerate() {
            let (ms, pp) = per_parameter(cell, &layer[i]);
            let (k_ms, k_pp) = per_parameter(cell, &kernels[i]);
            println!(
                "  {:<9} {n} thread{}: {ms:>7.1} ms, {pp:>7.1} ns ({:.2}×) | {k_ms:>7.1} ms, {k_pp:>7.1} ns ({:.2}×); {} parameters",
                cell.label(),
                if n == 1 { " " } else { "s" },
                pp / lstm_layer,
                k_pp / lstm_kernels,
                parameters(cell, input, hidden),
            );
        }
    }
    Ok(())
}

/// The process's CPU time in seconds (every thread), where the platform has one.
fn process_cpu_seconds() -> Result<fn() -> f64, String> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    return Ok(|| {
        let mut t = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `t` is a valid timespec for the call to fill.
        unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
        t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
    });
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    Err("--cpu-time: only on Linux (glibc)".into())
}
