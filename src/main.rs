//! `lstm-lab`: the native command line. It runs the same code as the page.

use lstm_lab::blowup::{self, BlowupConfig, Init, Problem, cpu};
use lstm_lab::gpu::{Gpu, block_on};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "\
usage: lstm-lab <command> [options]

commands:
  blowup [--n N] [--steps T] [--scale S] [--init normal|uniform|orthogonal|identity] [--seed K] [--gpu]
        run the Blow-up experiment and print log10 of the norm per step
  bench blowup [--reps R]
        time one Blow-up redraw (n=50, T=50) on each engine, against the f64 reference
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("blowup") => run_blowup(&args[1..]),
        Some("bench") if args.get(1).map(String::as_str) == Some("blowup") => {
            bench_blowup(&args[2..])
        }
        Some("-h" | "--help") | None => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `--name value` pairs plus bare `--flag`s.
struct Options<'a> {
    args: &'a [String],
}

impl<'a> Options<'a> {
    fn value(&self, name: &str) -> Option<&'a str> {
        self.args
            .iter()
            .position(|a| a == name)
            .and_then(|i| self.args.get(i + 1))
            .map(String::as_str)
    }

    fn flag(&self, name: &str) -> bool {
        self.args.iter().any(|a| a == name)
    }

    fn parse<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, String> {
        match self.value(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| format!("{name}: cannot read `{v}` as a number")),
        }
    }
}

fn parse_init(s: &str) -> Result<Init, String> {
    Init::ALL
        .into_iter()
        .find(|i| format!("{i:?}").eq_ignore_ascii_case(s))
        .ok_or_else(|| format!("--init: `{s}` is not one of normal, uniform, orthogonal, identity"))
}

fn run_blowup(args: &[String]) -> Result<(), String> {
    let o = Options { args };
    let base = BlowupConfig::post_overflow();
    let config = BlowupConfig {
        n: o.parse("--n", base.n)?,
        steps: o.parse("--steps", base.steps)?,
        scale: o.parse("--scale", base.scale)?,
        init: o
            .value("--init")
            .map(parse_init)
            .transpose()?
            .unwrap_or(base.init),
        seed: o.parse("--seed", base.seed)?,
    };
    let problem = Problem::generate(&config).map_err(|e| e.to_string())?;
    let trajectory = if o.flag("--gpu") {
        let gpu = block_on(Gpu::acquire()).map_err(|e| e.to_string())?;
        println!("adapter: {} ({})", gpu.report.name, gpu.report.backend);
        let engine = block_on(blowup::gpu::BlowupGpu::new(gpu)).map_err(|e| e.to_string())?;
        block_on(engine.run(&problem, &config)).map_err(|e| e.to_string())?
    } else {
        cpu::run_f32(&problem, &config)
    };
    println!("step  log10‖x‖  expected   inf   nan  zero");
    for (t, s) in trajectory.stats.iter().enumerate() {
        let norm = s.log10_norm.map_or("—".to_string(), |v| format!("{v:.2}"));
        println!(
            "{t:>4}  {norm:>8}  {:>8.2}  {:>4}  {:>4}  {:>4}",
            trajectory.expected_log10_norm[t], s.inf, s.nan, s.zero
        );
    }
    println!("{}", trajectory.verdict);
    Ok(())
}

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

fn bench_blowup(args: &[String]) -> Result<(), String> {
    let o = Options { args };
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
