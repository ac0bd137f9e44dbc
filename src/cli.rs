//! The `lstm-lab` command line: the page's pipeline on a native backend.

use crate::blowup::{self, BlowupConfig, Init, Problem, cpu};
use crate::data::csv::{ColumnChoice, read_labelled_texts};
use crate::data::{DataConfig, prepare};
use crate::gpu::{Gpu, block_on};
use crate::lstm::module::LstmKernel;
use crate::modelfile;
use crate::predict::Predictor;
use crate::torch_io;
use crate::train::{StepReport, TrainConfig, Trainer};
use burn::tensor::Device;
use std::time::Instant;

pub const USAGE: &str = "\
usage: lstm-lab <command> [options]

commands:
  train --csv PATH [--vocab 3000] [--maxlen 128] [--embed 100] [--hidden 100] [--batch 128]
        [--lr 0.001] [--epochs 5] [--seed 1] [--train-fraction 0.5] [--limit ROWS]
        [--text-column NAME] [--label-column NAME] [--no-header] [--device cpu|gpu] [--kernel fused|reference]
        [--threads N] [--save FILE]
        train the post's classifier on a reviews CSV (plain or .gz); prints each epoch
  predict --model FILE TEXT...
        the sentiment of TEXT with a saved model
  examples --model FILE --csv PATH --out FILE.json [--per-kind 12] [--text-column NAME] [--label-column NAME] [--no-header]
        the model's validation reviews (the CSV it was trained on, split as training split it) that it
        got wrong, is surest of, and is least sure of: the lists “Inside the model” offers
  export --model FILE --out DIR
        a saved model for PyTorch: DIR/model.safetensors (PyTorch's names: embedding.weight,
        lstm.weight_ih_l0, …, linear.bias) and DIR/vocab.json (Keras's word_index); makes DIR
  import --dir DIR --save FILE [--maxlen N]
        the reverse: DIR/model.safetensors and DIR/vocab.json into a model file. --maxlen: ids
        per review; by default the one an export recorded, else the post's 128
  blowup [--n 50] [--steps 50] [--scale 1] [--init normal|uniform|orthogonal|identity] [--seed 1] [--gpu]
        the Blow-up experiment: log10 of the norm of x at each step
  bench blowup [--reps 21]
        time one Blow-up redraw (n=50, T=50) per engine, against the f64 reference
  bench data --csv PATH
        time reading and tokenising a CSV (the page does the same work in wasm)
  bench train [--csv PATH] [--device cpu|gpu] [--kernel fused|reference] [--batch 128] [--maxlen 128] [--steps 5]
        [--threads N] [--seqs-per-workgroup N] [--steps-per-dispatch N]
        training throughput in reviews/s; on the GPU also the dispatches per training step,
        counted in a wgpu trace

On the CPU (--device cpu, the default) training uses every core; --threads N uses N.
";

/// `--name value` pairs plus bare `--flag`s and positional words.
pub struct Options<'a> {
    args: &'a [String],
}

impl<'a> Options<'a> {
    pub fn new(args: &'a [String]) -> Self {
        Self { args }
    }

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
            Some(v) => v.parse().map_err(|_| format!("{name}: cannot read `{v}`")),
        }
    }

    fn required(&self, name: &str) -> Result<&'a str, String> {
        self.value(name)
            .ok_or_else(|| format!("{name} is required\n\n{USAGE}"))
    }

    /// Words that are neither options nor option values.
    fn positional(&self) -> Vec<&'a str> {
        let mut out = Vec::new();
        let mut skip = false;
        for a in self.args {
            if skip {
                skip = false;
            } else if a.starts_with("--") {
                skip = !matches!(a.as_str(), "--gpu");
            } else {
                out.push(a.as_str());
            }
        }
        out
    }
}

pub fn run(args: &[String]) -> Result<(), String> {
    let rest = args.get(1..).unwrap_or_default();
    match (
        args.first().map(String::as_str),
        rest.first().map(String::as_str),
    ) {
        (Some("train"), _) => train(Options::new(rest)),
        (Some("predict"), _) => predict(Options::new(rest)),
        (Some("examples"), _) => examples(Options::new(rest)),
        (Some("export"), _) => export(Options::new(rest)),
        (Some("import"), _) => import(Options::new(rest)),
        (Some("blowup"), _) => run_blowup(Options::new(rest)),
        (Some("bench"), Some("blowup")) => bench_blowup(Options::new(&rest[1..])),
        (Some("bench"), Some("data")) => bench_data(Options::new(&rest[1..])),
        (Some("bench"), Some("train")) => bench_train(Options::new(&rest[1..])),
        (Some(other), _) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
        (None, _) => Err(USAGE.to_string()),
    }
}

/// The CPU threads: `--threads N`, or every core. Sets rayon's global pool, which burn's CPU
/// backend, its GEMMs and the fused CPU LSTM all run on; call once, before any tensor work.
fn set_threads(o: &Options) -> Result<usize, String> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads: usize = o.parse("--threads", cores)?;
    if !(1..=1024).contains(&threads) {
        return Err(format!("--threads: {threads} is outside 1–1024"));
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .map_err(|e| format!("--threads: {e}"))?;
    Ok(threads)
}

fn device(o: &Options) -> Result<Device, String> {
    match o.value("--device").unwrap_or("cpu") {
        "cpu" => {
            let threads = set_threads(o)?;
            println!("CPU threads: {threads}");
            Ok(Device::flex())
        }
        #[cfg(feature = "gpu")]
        "gpu" => Device::wgpu_options()
            .tasks_max(crate::fused::TASKS_PER_SUBMISSION)
            .init()
            .map_err(|e| format!("no GPU for burn: {e:?}")),
        #[cfg(not(feature = "gpu"))]
        "gpu" => Err(
            "--device gpu: this lstm-lab was built without the `gpu` feature \
                      (build with the default features)"
                .to_string(),
        ),
        other => Err(format!("--device: `{other}` is not cpu or gpu")),
    }
}

fn read_file(path: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{path}: {e}"))
}

fn data_config(o: &Options) -> Result<DataConfig, String> {
    let d = DataConfig::default();
    Ok(DataConfig {
        vocab: o.parse("--vocab", d.vocab)?,
        maxlen: o.parse("--maxlen", d.maxlen)?,
        train_fraction: o.parse("--train-fraction", d.train_fraction)?,
        seed: o.parse("--seed", d.seed)?,
    })
}

fn load_data(o: &Options, path: &str) -> Result<crate::data::Prepared, String> {
    let start = Instant::now();
    let bytes = read_file(path)?;
    let columns = ColumnChoice {
        text: o.value("--text-column").map(String::from),
        label: o.value("--label-column").map(String::from),
        no_header: o.flag("--no-header"),
    };
    let mut texts = read_labelled_texts(&bytes, &columns).map_err(|e| format!("{path}: {e}"))?;
    let parsed = start.elapsed().as_secs_f64();
    if let Some(limit) = o.value("--limit") {
        let limit: usize = limit
            .parse()
            .map_err(|_| format!("--limit: cannot read `{limit}`"))?;
        texts.texts.truncate(limit);
        texts.labels.truncate(limit);
        texts.lines.truncate(limit);
    }
    let prepared = prepare(&texts, data_config(o)?).map_err(|e| format!("{path}: {e}"))?;
    println!(
        "{path}: {} rows ({} positive, {} negative), text “{}”, label “{}”; read in {parsed:.2} s, tokenised in {:.2} s",
        texts.texts.len(),
        texts.count(1),
        texts.count(0),
        texts.text_column,
        texts.label_column,
        start.elapsed().as_secs_f64() - parsed
    );
    println!(
        "split: {} training, {} validation; vocabulary {} words (+ padding), {} ids per review",
        prepared.train.len(),
        prepared.valid.len(),
        prepared.tokenizer.words.len(),
        prepared.config.maxlen
    );
    Ok(prepared)
}

fn train_config(o: &Options) -> Result<TrainConfig, String> {
    let d = TrainConfig::default();
    Ok(TrainConfig {
        embed: o.parse("--embed", d.embed)?,
        hidden: o.parse("--hidden", d.hidden)?,
        batch: o.parse("--batch", d.batch)?,
        lr: o.parse("--lr", d.lr)?,
        epochs: o.parse("--epochs", d.epochs)?,
        seed: o.parse("--seed", d.seed)?,
        kernel: match o.value("--kernel").unwrap_or("fused") {
            "fused" => LstmKernel::Fused,
            "reference" => LstmKernel::Reference,
            other => return Err(format!("--kernel: `{other}` is not fused or reference")),
        },
    })
}

fn train(o: Options) -> Result<(), String> {
    let path = o.required("--csv")?;
    let prepared = load_data(&o, path)?;
    let config = train_config(&o)?;
    let device = device(&o)?;
    println!("device: {device:?}; {config:?}");
    let mut trainer = Trainer::new(prepared, config, &device).map_err(|e| e.to_string())?;
    // Time spent on training batches and on validation, per epoch.
    let (mut train_s, mut valid_s, mut rows) = (0f64, 0f64, 0usize);
    loop {
        let start = Instant::now();
        let report = block_on(trainer.step()).map_err(|e| e.to_string())?;
        let seconds = start.elapsed().as_secs_f64();
        match report {
            StepReport::Batch {
                epoch,
                batch,
                batches,
                rows: r,
                loss,
                ..
            } => {
                train_s += seconds;
                rows += r;
                if batch % 20 == 0 || batch == batches {
                    println!("  epoch {epoch} batch {batch}/{batches}  loss {loss:.4}");
                }
            }
            StepReport::Validation { .. } => valid_s += seconds,
            StepReport::Epoch { report, .. } => {
                valid_s += seconds;
                println!(
                    "epoch {}: train loss {:.4} acc {:.4} | validation loss {:.4} acc {:.4} | training {train_s:.1} s ({:.0} reviews/s), validation {valid_s:.1} s{}",
                    report.epoch,
                    report.train_loss,
                    report.train_accuracy,
                    report.valid_loss,
                    report.valid_accuracy,
                    rows as f64 / train_s,
                    if report.is_best { " (best)" } else { "" }
                );
                (train_s, valid_s, rows) = (0.0, 0.0, 0);
            }
            StepReport::Finished {
                best_epoch,
                best_accuracy,
            } => {
                if let (Some(e), Some(a)) = (best_epoch, best_accuracy) {
                    println!("best validation accuracy {a:.4} (epoch {e})");
                }
                break;
            }
        }
    }
    if let Some(out) = o.value("--save") {
        let weights = block_on(trainer.model().to_weights()).map_err(|e| e.to_string())?;
        let bytes = modelfile::save(
            &weights,
            &trainer.data.tokenizer,
            trainer.data.config,
            Some(trainer.config),
            trainer.best().cloned(),
        );
        std::fs::write(out, &bytes).map_err(|e| format!("{out}: {e}"))?;
        println!("saved {out} ({:.1} MB)", bytes.len() as f64 / 1e6);
    }
    Ok(())
}

/// The validation reviews worth looking inside (see `crate::examples`). The CSV is split as
/// training split it (the model file records the seed and fraction); when the tokenizer fitted
/// on this split differs from the model's, the CSV is not the one the model was trained on and
/// the rows are not its validation set: refused.
fn examples(o: Options) -> Result<(), String> {
    let model_path = o.required("--model")?;
    let csv_path = o.required("--csv")?;
    let out = o.required("--out")?;
    let per_kind: usize = o.parse("--per-kind", 12)?;
    let saved =
        modelfile::load(&read_file(model_path)?).map_err(|e| format!("{model_path}: {e}"))?;
    let columns = ColumnChoice {
        text: o.value("--text-column").map(String::from),
        label: o.value("--label-column").map(String::from),
        no_header: o.flag("--no-header"),
    };
    let texts = read_labelled_texts(&read_file(csv_path)?, &columns)
        .map_err(|e| format!("{csv_path}: {e}"))?;
    let prepared = prepare(&texts, saved.header.data).map_err(|e| format!("{csv_path}: {e}"))?;
    if prepared.tokenizer.words != saved.header.words {
        return Err(format!(
            "{csv_path} is not the file {model_path} was trained on (its training split gives another vocabulary), \
             so its split is not the model's validation set"
        ));
    }
    let device = Device::flex();
    let model = crate::model::SentimentModel::from_weights(&saved.weights, &device);
    let start = Instant::now();
    let p = block_on(crate::examples::probabilities(
        &model,
        &prepared.valid,
        256,
        &device,
    ))
    .map_err(|e| e.to_string())?;
    let name = std::path::Path::new(csv_path)
        .file_name()
        .map_or(csv_path.into(), |n| n.to_string_lossy().into_owned());
    let source = format!(
        "validation reviews of {name} ({} the model did not train on)",
        prepared.valid.len()
    );
    let picked = crate::examples::pick(&texts, &prepared.valid, &p, per_kind, source);
    println!(
        "{} validation reviews scored in {:.1} s: {} right ({:.4}); {} of each kind written to {out}",
        picked.rows,
        start.elapsed().as_secs_f64(),
        picked.correct,
        picked.correct as f64 / picked.rows.max(1) as f64,
        per_kind
    );
    let json = serde_json::to_string(&picked).map_err(|e| e.to_string())?;
    std::fs::write(out, json).map_err(|e| format!("{out}: {e}"))
}

fn predict(o: Options) -> Result<(), String> {
    let path = o.required("--model")?;
    let saved = modelfile::load(&read_file(path)?).map_err(|e| format!("{path}: {e}"))?;
    let text = o.positional().join(" ");
    if text.trim().is_empty() {
        return Err("give the text to classify after the options".into());
    }
    let predictor = Predictor::from_saved(&saved, &Device::flex());
    let p = block_on(predictor.predict(&text)).map_err(|e| e.to_string())?;
    println!("{} (P(positive) = {:.3})", p.label, p.probability);
    let words: Vec<String> = p
        .tokens
        .iter()
        .map(|t| match (t.id, t.used) {
            (Some(_), true) => t.word.clone(),
            (Some(_), false) => format!("({} — cut)", t.word),
            (None, _) => format!("[{}]", t.word),
        })
        .collect();
    println!("read {} of {} ids: {}", p.used, p.maxlen, words.join(" "));
    println!("[word]: not in the vocabulary");
    Ok(())
}

fn export(o: Options) -> Result<(), String> {
    let path = o.required("--model")?;
    let out = std::path::Path::new(o.required("--out")?);
    let saved = modelfile::load(&read_file(path)?).map_err(|e| format!("{path}: {e}"))?;
    let files = torch_io::export(&saved).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    for (name, bytes) in [
        (torch_io::MODEL_FILE, &files.model),
        (torch_io::VOCAB_FILE, &files.vocab),
    ] {
        let file = out.join(name);
        std::fs::write(&file, bytes).map_err(|e| format!("{}: {e}", file.display()))?;
        println!("wrote {} ({} bytes)", file.display(), bytes.len());
    }
    println!("{} (maxlen in the safetensors metadata)", describe(&saved));
    Ok(())
}

/// A model's sizes in one line.
fn describe(saved: &modelfile::SavedModel) -> String {
    let c = saved.weights.config;
    format!(
        "vocabulary {}, embedding {}, hidden {}, {} words, maxlen {}",
        c.vocab,
        c.embed,
        c.hidden,
        saved.header.words.len(),
        saved.header.data.maxlen
    )
}

fn import(o: Options) -> Result<(), String> {
    let dir = std::path::Path::new(o.required("--dir")?);
    let out = o.required("--save")?;
    let maxlen = o
        .value("--maxlen")
        .map(|v| {
            v.parse()
                .map_err(|_| format!("--maxlen: cannot read `{v}`"))
        })
        .transpose()?;
    let read = |name: &str| read_file(&dir.join(name).to_string_lossy());
    let (model, vocab) = (read(torch_io::MODEL_FILE)?, read(torch_io::VOCAB_FILE)?);
    let saved =
        torch_io::import(&model, &vocab, maxlen).map_err(|e| format!("{}: {e}", dir.display()))?;
    let bytes = saved.to_bytes();
    std::fs::write(out, &bytes).map_err(|e| format!("{out}: {e}"))?;
    println!("saved {out} ({} bytes): {}", bytes.len(), describe(&saved));
    Ok(())
}

fn parse_init(s: &str) -> Result<Init, String> {
    Init::ALL
        .into_iter()
        .find(|i| format!("{i:?}").eq_ignore_ascii_case(s))
        .ok_or_else(|| format!("--init: `{s}` is not one of normal, uniform, orthogonal, identity"))
}

fn run_blowup(o: Options) -> Result<(), String> {
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

fn bench_blowup(o: Options) -> Result<(), String> {
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

fn bench_data(o: Options) -> Result<(), String> {
    let path = o.required("--csv")?;
    let bytes = read_file(path)?;
    let start = Instant::now();
    let texts = read_labelled_texts(&bytes, &ColumnChoice::default()).map_err(|e| e.to_string())?;
    let parsed = start.elapsed().as_secs_f64();
    let prepared = prepare(&texts, DataConfig::default()).map_err(|e| e.to_string())?;
    let total = start.elapsed().as_secs_f64();
    println!(
        "{path}: {:.1} MB, {} rows: read {parsed:.2} s + split/fit/encode {:.2} s = {total:.2} s ({} training rows)",
        bytes.len() as f64 / 1e6,
        texts.texts.len(),
        total - parsed,
        prepared.train.len()
    );
    Ok(())
}

fn bench_train(o: Options) -> Result<(), String> {
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
    crate::fused::set_tuning(crate::fused::Tuning {
        seqs: optional("--seqs-per-workgroup")?,
        steps_per_dispatch: optional("--steps-per-dispatch")?,
    });
    let device = device(&o)?;
    let mut trainer = Trainer::new(prepared.clone(), config, &device).map_err(|e| e.to_string())?;
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
        "training on {device:?}, batch {} × {} ids, embed {}, hidden {}, kernel {:?}: {:.1} ms/step, {:.0} reviews/s (median of {steps} steps)",
        config.batch,
        data.maxlen,
        config.embed,
        config.hidden,
        config.kernel,
        median * 1e3,
        rows as f64 / steps as f64 / median
    );
    #[cfg(feature = "gpu")]
    if o.value("--device") == Some("gpu") {
        // Timed above without the trace (writing it slows every call); counted here on a
        // second device that records one.
        let (traced, counter) =
            crate::dispatch_count::DispatchCounter::device(crate::fused::TASKS_PER_SUBMISSION)?;
        let mut trainer = Trainer::new(prepared, config, &traced).map_err(|e| e.to_string())?;
        step(&mut trainer)?;
        let before = counter.count()?;
        step(&mut trainer)?;
        let per_step = counter.count()? - before;
        println!("dispatches per training step: {per_step}");
    }
    Ok(())
}
