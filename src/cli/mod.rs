//! The `lstm-lab` command line: the page's pipeline on a native backend. It uses the trainer
//! through its public API only ([`crate::trainer`]); the benchmarks are in [`bench`].

use crate::blowup::{self, BlowupConfig, Init, Problem, cpu};
use crate::classifier::metrics::Confusion;
use crate::classifier::{Cell, Readout, Variant};
use crate::classifier::{file as modelfile, torch as torch_io};
use crate::data::csv::{ColumnChoice, LabelChoice, LabelledTexts, read_labelled_texts};
use crate::data::{DataConfig, prepare};
use crate::gpu::{Gpu, block_on};
use crate::settings::{Engine, Recurrence, RunSettings, SETTINGS};
use crate::trainer::{Compute, Predictor, StepReport, TrainConfig, Trainer};
use std::time::Instant;

mod bench;
mod bench_cpu;
mod check;
mod compare;
mod known;

/// `text` from a file or an argument, safe to print on a terminal: control characters (an
/// escape sequence in a CSV header can clear the screen or retitle the window) and the bidi
/// overrides that reorder what is shown are written as `\u{1b}`; line breaks stay.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        if (c.is_control() && c != '\n') || bidi {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// The usage text. The training settings' options, defaults and limits come from
/// [`crate::settings::SETTINGS`], as the page's form does.
pub fn usage() -> String {
    let defaults = RunSettings::default();
    let options: Vec<String> = SETTINGS
        .iter()
        .filter_map(|s| Some(format!("[{} {}]", s.option?, (s.get)(&defaults))))
        .collect();
    let limits: Vec<String> = SETTINGS
        .iter()
        .filter_map(|s| Some(format!("{} {}", s.option?, s.range())))
        .collect();
    format!(
        "\
usage: lstm-lab <command> [options]

commands:
  train --csv PATH {train}
        [--limit ROWS] [--text-column NAME] [--label-column NAME] [--no-header]
        [--fold-case] [--merge VALUE=CLASS,…] [--drop CLASS,…] [--positive CLASS]
        [--device cpu|gpu] [--kernel fused|reference] [--threads N] [--save FILE]
        [--cell lstm|gru|rnn] [--readout pool|last] [--variant NAME,…]
        train the post's classifier on a labelled CSV (plain or .gz): any label column, 2 to
        100 classes; prints each epoch, then each class's precision, recall and F1.
        --cell: the LSTM (the post), a GRU or a plain tanh RNN; --readout: the post's
        mean ‖ max pooling or the last state; --variant, switches on the LSTM:
        {variants}
        --fold-case: upper and lower case alike; --merge: put a label value in another (or a
        new) class; --drop: leave classes out; --positive: with two classes, the one whose
        probability the model gives
  check --csv PATH [--vocab 3000] [--maxlen 128] [--train-fraction 0.5] [--seed 1]
        [--drop-duplicates] [--text-column NAME] [--label-column NAME] [--no-header]
        [--fold-case] [--merge VALUE=CLASS,…] [--drop CLASS,…]
        the page's data check (balance, cut texts, unknown words, duplicates, short texts)
        and a bag-of-words baseline on the same split, timed
  compare --csv PATH --entrants CELL[/READOUT][+VARIANT…],… [the options of train]
        train each entrant (e.g. lstm/pool,rnn/pool,rnn/last,lstm+sigmoid-g) on the same
        split, the same batches in the same order and the same seed, one after another;
        prints each epoch, then a table: best validation accuracy, its epoch, parameters,
        seconds per epoch. --out FILE.json: the table and every epoch as JSON
  predict --model FILE TEXT...
        the class of TEXT with a saved model, and each class's probability
  evaluate --model FILE --csv PATH [--text-column NAME] [--label-column NAME] [--no-header]
        [--fold-case] [--merge VALUE=CLASS,…] [--drop CLASS,…]
        a saved model on every row of a labelled CSV (a test set): accuracy, macro-F1, each
        class's precision, recall and F1, and the confusion matrix
  examples --model FILE --csv PATH --out FILE.json [--per-kind 12]
        [--text-column NAME] [--label-column NAME] [--no-header]
        the model's validation reviews (the CSV it was trained on, split as training split
        it) that it got wrong, is surest of, and is least sure of: the lists “Inside the model”
        offers
  validation-sample --model FILE --csv PATH --out FILE.json [--count 1000]
        [--text-column NAME] [--label-column NAME] [--no-header]
        COUNT of the model's validation reviews (split as for examples), spread over the
        split, tokenised: the sample gate surgery's accuracy is measured on in the page
  export --model FILE --out DIR
        a saved model for PyTorch: DIR/model.safetensors (PyTorch's names: embedding.weight,
        lstm.weight_ih_l0, …, linear.bias), DIR/vocab.json (Keras's word_index) and
        DIR/labels.json (the class names); makes DIR
  import --dir DIR --save FILE [--maxlen N]
        the reverse: DIR/model.safetensors, DIR/vocab.json and DIR/labels.json (optional) into
        a model file. --maxlen: ids per review; by default the one an export recorded, else
        the post's 128
  blowup [--n 50] [--steps 50] [--scale 1] [--init normal|uniform|orthogonal|identity]
        [--seed 1] [--gpu]
        the Blow-up experiment: log10 of the norm of x at each step
  bench blowup [--reps 21]
        time one Blow-up redraw (n=50, T=50) per engine, against the f64 reference
  bench data --csv PATH
        time reading and tokenising a CSV (the page does the same work in wasm)
  bench train [--csv PATH] [--device cpu|gpu] [--kernel fused|reference] [--batch 128]
        [--maxlen 128] [--steps 5] [--threads N] [--seqs-per-workgroup N] [--steps-per-dispatch N]
        training throughput in reviews/s; on the GPU also the dispatches per training step,
        counted in a wgpu trace
  bench classes [--classes 2,5,50] [--device cpu|gpu] [--batch 128] [--maxlen 128]
        [--vocab 3000] [--embed 100] [--hidden 100] [--steps 5] [--threads N] [--cpu-time]
        a training step with K classes (Linear(2H → K), softmax cross-entropy) against the
        binary one (one logit, BCE) at the same sizes; --cpu-time: the process's CPU time
        per step instead of the wall's
  bench cells [--batch 128] [--maxlen 128] [--embed 100] [--hidden 100] [--steps 5]
        [--rounds 3] [--threads 1,2] [--cpu-time]
        a training step (forward and backward) of the fused CPU GRU and tanh RNN layers
        alone against the LSTM's at the same sizes: time per step and per parameter, on
        each thread count, through burn (as the trainer calls them) and of the kernels
        alone; the cells take turns, --rounds times, each timing --steps steps; --cpu-time:
        the process's CPU time (every thread's) instead of the wall's

Training settings' limits: {limits}.
On the CPU (--device cpu, the default) training uses every core; --threads N uses N.
",
        train = wrap(&options, " ", 76, "\n        "),
        variants = crate::classifier::arch::SWITCHES
            .iter()
            .map(|s| s.name)
            .collect::<Vec<_>>()
            .join(", "),
        limits = wrap(&limits, ", ", 72, "\n  "),
    )
}

/// `words` joined by `sep`, broken (by `break_with`) into lines of at most `width`.
fn wrap(words: &[String], sep: &str, width: usize, break_with: &str) -> String {
    let mut out = String::new();
    let mut line = 0;
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            if line + sep.len() + w.len() > width {
                out.push_str(sep.trim_end());
                out.push_str(break_with);
                line = 0;
            } else {
                out.push_str(sep);
                line += sep.len();
            }
        }
        out.push_str(w);
        line += w.len();
    }
    out
}

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
            .ok_or_else(|| format!("{name} is required\n\n{}", usage()))
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
    // Every option checked against its command's table first (known.rs).
    match (args.first().map(String::as_str), rest.first()) {
        (Some("bench"), Some(sub)) => known::check(&format!("bench {sub}"), &rest[1..])?,
        (Some(command), _) => known::check(command, rest)?,
        (None, _) => {}
    }
    match (
        args.first().map(String::as_str),
        rest.first().map(String::as_str),
    ) {
        (Some("train"), _) => train(Options::new(rest)),
        (Some("check"), _) => check::run(Options::new(rest)),
        (Some("compare"), _) => compare::run(Options::new(rest)),
        (Some("predict"), _) => predict(Options::new(rest)),
        (Some("evaluate"), _) => evaluate(Options::new(rest)),
        (Some("examples"), _) => examples(Options::new(rest)),
        (Some("validation-sample"), _) => validation_sample(Options::new(rest)),
        (Some("export"), _) => export(Options::new(rest)),
        (Some("import"), _) => import(Options::new(rest)),
        (Some("blowup"), _) => run_blowup(Options::new(rest)),
        (Some("bench"), Some("blowup")) => bench::blowup(Options::new(&rest[1..])),
        (Some("bench"), Some("data")) => bench::data(Options::new(&rest[1..])),
        (Some("bench"), Some("train")) => bench::train(Options::new(&rest[1..])),
        (Some("bench"), Some("classes")) => bench::classes(Options::new(&rest[1..])),
        (Some("bench"), Some("cells")) => bench::cells(Options::new(&rest[1..])),
        (Some(other), _) => Err(format!(
            "unknown command `{}`\n\n{}",
            printable(other),
            usage()
        )),
        (None, _) => Err(usage()),
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
    let built = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global();
    // A second command in one process (the tests) finds the pool made: fine at the same size.
    if let Err(e) = built
        && rayon::current_num_threads() != threads
    {
        return Err(format!("--threads: {e}"));
    }
    Ok(threads)
}

/// `--device cpu|gpu`: the engine to train on.
pub(crate) fn engine(o: &Options) -> Result<Engine, String> {
    match o.value("--device").unwrap_or("cpu") {
        "cpu" => Ok(Engine::Cpu),
        "gpu" => Ok(Engine::Gpu),
        other => Err(format!("--device: `{other}` is not cpu or gpu")),
    }
}

/// Open `engine`; on the CPU, set the threads first. Returns what it opened, in words.
pub(crate) fn open(o: &Options, engine: Engine) -> Result<(Compute, String), String> {
    match engine {
        Engine::Cpu => {
            let threads = set_threads(o)?;
            let s = if threads == 1 { "" } else { "s" };
            Ok((Compute::cpu(), format!("the CPU ({threads} thread{s})")))
        }
        #[cfg(feature = "gpu")]
        Engine::Gpu => Ok((Compute::gpu()?, "the GPU".to_string())),
        #[cfg(not(feature = "gpu"))]
        Engine::Gpu => Err(
            "--device gpu: this lstm-lab was built without the `gpu` feature \
                            (build with the default features)"
                .to_string(),
        ),
    }
}

/// A run's settings in one line, as a user reads them.
pub(crate) fn describe_run(data: &DataConfig, c: &TrainConfig) -> String {
    let kernels = match c.kernel {
        Recurrence::Fused => "fused kernels",
        Recurrence::Reference => "burn's reference ops",
    };
    let mut cell = c.arch.cell.label().to_string();
    if c.arch.readout != Readout::Pool {
        cell += " read by its last state";
    }
    for v in c.arch.variant.names() {
        cell += &format!(" +{v}");
    }
    format!(
        "embedding {}, {cell} {}, batch {}, Adam {}, {} epoch{}, seed {}, {} ids per review, {kernels}",
        c.embed,
        c.hidden,
        c.batch,
        c.lr,
        c.epochs,
        if c.epochs == 1 { "" } else { "s" },
        c.seed,
        data.maxlen,
    )
}

fn read_file(path: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{path}: {e}"))
}

/// The run's settings from the options (`--vocab`, `--lr`, …, as [`SETTINGS`] lists them),
/// each checked against its limits, and `--kernel`.
fn run_settings(o: &Options) -> Result<RunSettings, String> {
    let mut run = RunSettings::default();
    for setting in SETTINGS.iter() {
        let Some(option) = setting.option else {
            continue;
        };
        if let Some(text) = o.value(option) {
            let value: f64 = text
                .parse()
                .map_err(|_| format!("{option}: cannot read `{text}`"))?;
            setting.check(value).map_err(|e| format!("{option}: {e}"))?;
            (setting.set)(&mut run, value);
        }
    }
    run.train.kernel = match o.value("--kernel").unwrap_or("fused") {
        "fused" => Recurrence::Fused,
        "reference" => Recurrence::Reference,
        other => return Err(format!("--kernel: `{other}` is not fused or reference")),
    };
    let arch = &mut run.train.arch;
    if let Some(cell) = o.value("--cell") {
        arch.cell = Cell::parse(cell).map_err(|e| format!("--cell: {e}"))?;
    }
    if let Some(readout) = o.value("--readout") {
        arch.readout = Readout::parse(readout).map_err(|e| format!("--readout: {e}"))?;
    }
    if let Some(variant) = o.value("--variant") {
        arch.variant = Variant::parse(variant).map_err(|e| format!("--variant: {e}"))?;
    }
    arch.validate().map_err(|e| format!("--variant: {e}"))?;
    Ok(run)
}

fn data_config(o: &Options) -> Result<DataConfig, String> {
    Ok(run_settings(o)?.data)
}

/// What `--fold-case`, `--merge VALUE=CLASS,…`, `--drop CLASS,…` and `--positive CLASS` ask.
fn label_choice(o: &Options) -> Result<LabelChoice, String> {
    let list = |name: &str| -> Vec<String> {
        o.value(name)
            .map(|v| v.split(',').map(|s| s.trim().to_string()).collect())
            .unwrap_or_default()
    };
    let merge = list("--merge")
        .into_iter()
        .map(|pair| match pair.split_once('=') {
            Some((from, to)) if !from.trim().is_empty() && !to.trim().is_empty() => {
                Ok((from.trim().to_string(), to.trim().to_string()))
            }
            _ => Err(format!("--merge: `{pair}` is not VALUE=CLASS")),
        })
        .collect::<Result<_, _>>()?;
    Ok(LabelChoice {
        fold_case: o.flag("--fold-case"),
        merge,
        drop: list("--drop"),
        positive: o.value("--positive").map(String::from),
    })
}

/// Read a labelled CSV with the column and label options.
fn read_texts(o: &Options, path: &str, bytes: &[u8]) -> Result<LabelledTexts, String> {
    let columns = ColumnChoice {
        text: o.value("--text-column").map(String::from),
        label: o.value("--label-column").map(String::from),
        no_header: o.flag("--no-header"),
    };
    let mut texts = read_labelled_texts(bytes, &columns).map_err(|e| format!("{path}: {e}"))?;
    let choice = label_choice(o)?;
    if choice != LabelChoice::default() {
        texts.relabel(&choice).map_err(|e| format!("{path}: {e}"))?;
    }
    if let Some(p) = &choice.positive
        && !texts.classes.contains(p)
    {
        return Err(format!(
            "--positive: `{p}` is not one of the classes ({})",
            texts.classes.join(", ")
        ));
    }
    Ok(texts)
}

/// `name 1,234 · other 567 …`, by class id.
fn class_counts_line(texts: &LabelledTexts) -> String {
    crate::data::class_counts(texts)
        .iter()
        .zip(&texts.classes)
        .map(|(n, c)| format!("{c} {n}"))
        .collect::<Vec<_>>()
        .join(" · ")
}

pub(crate) fn load_data(o: &Options, path: &str) -> Result<crate::data::Prepared, String> {
    let start = Instant::now();
    let bytes = read_file(path)?;
    let mut texts = read_texts(o, path, &bytes)?;
    let parsed = start.elapsed().as_secs_f64();
    if let Some(limit) = o.value("--limit") {
        let limit: usize = limit
            .parse()
            .map_err(|_| format!("--limit: cannot read `{limit}`"))?;
        texts.texts.truncate(limit);
        texts.labels.truncate(limit);
        texts.value_of_row.truncate(limit);
        texts.lines.truncate(limit);
    }
    let prepared = prepare(&texts, data_config(o)?).map_err(|e| format!("{path}: {e}"))?;
    let skipped = match (
        texts.empty_labels,
        texts.count(crate::data::labels::NO_CLASS),
    ) {
        (0, 0) => String::new(),
        (empty, dropped) => {
            format!(" ({empty} with an empty label skipped, {dropped} of dropped classes)")
        }
    };
    println!(
        "{path}: {} rows{skipped}, {} classes: {}; text “{}”, label “{}”; read in {parsed:.2} s, tokenised in {:.2} s",
        texts.texts.len(),
        texts.classes.len(),
        printable(&class_counts_line(&texts)),
        printable(&texts.text_column),
        printable(&texts.label_column),
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

pub(crate) fn train_config(o: &Options) -> Result<TrainConfig, String> {
    Ok(run_settings(o)?.train)
}

fn train(o: Options) -> Result<(), String> {
    let path = o.required("--csv")?;
    let prepared = load_data(&o, path)?;
    let config = train_config(&o)?;
    let (compute, name) = open(&o, engine(&o)?)?;
    println!(
        "training on {name}: {}",
        describe_run(&prepared.config, &config)
    );
    let mut trainer = Trainer::new(prepared, config, &compute).map_err(|e| e.to_string())?;
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
                    "epoch {}: train loss {:.4} acc {:.4} | validation loss {:.4} acc {:.4} macro-F1 {:.4} | training {train_s:.1} s ({:.0} reviews/s), validation {valid_s:.1} s{}",
                    report.epoch,
                    report.train_loss,
                    report.train_accuracy,
                    report.valid_loss,
                    report.valid_accuracy,
                    report.valid_macro_f1,
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
                if let Some(best) = trainer.best() {
                    print_scores(&best.confusion, &trainer.data.classes);
                }
                break;
            }
        }
    }
    if let Some(out) = o.value("--save") {
        let bytes = block_on(trainer.model_file()).map_err(|e| e.to_string())?;
        std::fs::write(out, &bytes).map_err(|e| format!("{out}: {e}"))?;
        println!("saved {out} ({:.1} MB)", bytes.len() as f64 / 1e6);
    }
    Ok(())
}

/// The validation reviews worth looking inside (see `crate::trainer::showcase`). The CSV is split as
/// training split it (the model file records the seed and fraction); when the tokenizer fitted
/// on this split differs from the model's, the CSV is not the one the model was trained on and
/// the rows are not its validation set: refused.
fn examples(o: Options) -> Result<(), String> {
    let out = o.required("--out")?;
    let per_kind: usize = o.parse("--per-kind", 12)?;
    let (saved, texts, prepared) = validation_split(&o)?;
    let csv_path = o.required("--csv")?;
    let predictor = Predictor::from_saved(&saved, &Compute::cpu());
    let start = Instant::now();
    let p = block_on(predictor.probabilities(&prepared.valid, 256)).map_err(|e| e.to_string())?;
    let name = std::path::Path::new(csv_path)
        .file_name()
        .map_or(csv_path.into(), |n| n.to_string_lossy().into_owned());
    let source = format!(
        "validation reviews of {name} ({} the model did not train on)",
        prepared.valid.len()
    );
    let classes = saved.header.run.class_names();
    let picked =
        crate::trainer::showcase::pick(&texts, &prepared.valid, &p, &classes, per_kind, source);
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

/// The model (`--model`) and its validation split of `--csv`, as training split it: the model
/// file records the seed and fraction. When the tokenizer fitted on this split differs from the
/// model's, the CSV is not the one the model was trained on and the rows are not its
/// validation set: refused.
fn validation_split(
    o: &Options,
) -> Result<(modelfile::SavedModel, LabelledTexts, crate::data::Prepared), String> {
    let model_path = o.required("--model")?;
    let csv_path = o.required("--csv")?;
    let saved =
        modelfile::load(&read_file(model_path)?).map_err(|e| format!("{model_path}: {e}"))?;
    let texts = read_texts(o, csv_path, &read_file(csv_path)?)?;
    let prepared =
        prepare(&texts, saved.header.run.data).map_err(|e| format!("{csv_path}: {e}"))?;
    if prepared.classes != saved.header.run.class_names() {
        return Err(format!(
            "{csv_path} gives the classes {}, {model_path} was trained on {}: give the same label options as for training",
            prepared.classes.join(", "),
            saved.header.run.class_names().join(", ")
        ));
    }
    if prepared.tokenizer.words != saved.header.words {
        return Err(format!(
            "{csv_path} is not the file {model_path} was trained on (its training split gives another vocabulary), \
             so its split is not the model's validation set"
        ));
    }
    Ok((saved, texts, prepared))
}

/// `--count` of the model's validation reviews, tokenised, for the page's gate surgery (see
/// `crate::classifier::surgery::sample`), with the unedited model's accuracy on them.
fn validation_sample(o: Options) -> Result<(), String> {
    use crate::classifier::surgery::{Surgery, accuracy::Scorer, sample::ValidationSample};
    let out = o.required("--out")?;
    let count: usize = o.parse("--count", 1000)?;
    if count == 0 {
        return Err("--count: at least 1 review".into());
    }
    let (saved, _, prepared) = validation_split(&o)?;
    let csv_path = o.required("--csv")?;
    let name = std::path::Path::new(csv_path)
        .file_name()
        .map_or(csv_path.into(), |n| n.to_string_lossy().into_owned());
    let valid = &prepared.valid;
    let mut sample = ValidationSample::every(
        &valid.ids,
        &valid.labels,
        valid.maxlen,
        count,
        saved.header.run.class_names(),
        format!(
            "{count} of the {} validation reviews of {name}, every {}th, tokenised",
            valid.len(),
            valid.len() / count.max(1)
        ),
    );
    let start = Instant::now();
    let scorer = Scorer::new(
        &saved.weights,
        sample.rows(),
        sample.labels.clone(),
        sample.maxlen,
    )
    .map_err(|e| e.to_string())?;
    let right = scorer
        .correct(&Surgery::default(), 0, scorer.len())
        .map_err(|e| e.to_string())?;
    let accuracy = right as f64 / scorer.len() as f64;
    sample.accuracy = Some(accuracy);
    let json = serde_json::to_string(&sample).map_err(|e| e.to_string())?;
    std::fs::write(out, &json).map_err(|e| format!("{out}: {e}"))?;
    println!(
        "{} reviews written to {out} ({:.0} kB): {right} right ({:.4}) on the reference cell, scored in {:.2} s",
        scorer.len(),
        json.len() as f64 / 1e3,
        accuracy,
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Each class's precision, recall, F1 and rows; macro-F1 and the majority-class baseline.
fn print_scores(m: &Confusion, classes: &[String]) {
    let width = classes
        .iter()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    println!("{:width$}  precision  recall     F1   rows", "class");
    for (c, s) in classes.iter().zip(m.scores()) {
        println!(
            "{c:width$}  {:9.4}  {:6.4}  {:.4}  {:5}",
            s.precision, s.recall, s.f1, s.support
        );
    }
    println!(
        "macro-F1 {:.4}; always answering the most common class would score accuracy {:.4}",
        m.macro_f1(),
        m.majority_accuracy()
    );
}

/// A saved model on every row of a labelled CSV, against the CSV's labels.
fn evaluate(o: Options) -> Result<(), String> {
    let model_path = o.required("--model")?;
    let csv_path = o.required("--csv")?;
    let saved =
        modelfile::load(&read_file(model_path)?).map_err(|e| format!("{model_path}: {e}"))?;
    let texts = read_texts(&o, csv_path, &read_file(csv_path)?)?;
    let classes = saved.header.run.class_names();
    // The CSV's classes by name: each must be one of the model's.
    let to_model: Vec<usize> = texts
        .classes
        .iter()
        .map(|c| {
            classes.iter().position(|m| m == c).ok_or_else(|| {
                format!(
                    "{csv_path}: class “{c}” is not one of the model's ({}); use --merge or --drop",
                    classes.join(", ")
                )
            })
        })
        .collect::<Result<_, _>>()?;
    let maxlen = saved.header.run.data.maxlen;
    let tokenizer = saved.tokenizer();
    let rows: Vec<usize> = (0..texts.texts.len())
        .filter(|&i| texts.labels[i] != crate::data::labels::NO_CLASS)
        .collect();
    let split = crate::data::Split {
        ids: rows
            .iter()
            .flat_map(|&i| tokenizer.encode(&texts.texts[i], maxlen))
            .collect(),
        labels: rows
            .iter()
            .map(|&i| to_model[texts.labels[i] as usize] as u8)
            .collect(),
        lines: rows.iter().map(|&i| texts.lines[i]).collect(),
        maxlen,
    };
    let predictor = Predictor::from_saved(&saved, &Compute::cpu());
    let start = Instant::now();
    let p = block_on(predictor.probabilities(&split, 256)).map_err(|e| e.to_string())?;
    let mut m = Confusion::new(classes.len());
    for (&truth, p) in split.labels.iter().zip(&p) {
        m.add(truth as usize, crate::classifier::argmax(p));
    }
    println!(
        "{csv_path}: {} rows scored in {:.1} s; accuracy {:.4}, macro-F1 {:.4}",
        split.len(),
        start.elapsed().as_secs_f64(),
        m.accuracy(),
        m.macro_f1()
    );
    print_scores(&m, &classes);
    let width = classes
        .iter()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(5)
        .max(9);
    println!("confusion (rows: true class, columns: predicted, in class order)");
    for (t, c) in classes.iter().enumerate() {
        let counts: Vec<String> = (0..classes.len())
            .map(|p| format!("{:6}", m.at(t, p)))
            .collect();
        println!("{c:width$} {}", counts.join(""));
    }
    Ok(())
}

fn predict(o: Options) -> Result<(), String> {
    let path = o.required("--model")?;
    let saved = modelfile::load(&read_file(path)?).map_err(|e| format!("{path}: {e}"))?;
    let text = o.positional().join(" ");
    if text.trim().is_empty() {
        return Err("give the text to classify after the options".into());
    }
    let predictor = Predictor::from_saved(&saved, &Compute::cpu());
    let p = block_on(predictor.predict(&text)).map_err(|e| e.to_string())?;
    let top: Vec<String> = p
        .classes
        .iter()
        .take(5)
        .map(|c| format!("{} {:.3}", c.class, c.probability))
        .collect();
    println!("{} ({})", p.label, top.join(", "));
    let words: Vec<String> = p
        .tokens
        .iter()
        .map(|t| match (t.id, t.used) {
            (Some(_), true) => t.word.clone(),
            (Some(_), false) => format!("({} — cut)", t.word),
            (None, _) => format!("[{}]", t.word),
        })
        .collect();
    println!(
        "read {} of {} ids: {}",
        p.used,
        p.maxlen,
        printable(&words.join(" "))
    );
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
        (torch_io::LABELS_FILE, &files.labels),
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
        "vocabulary {}, embedding {}, hidden {}, {} words, maxlen {}, classes {}",
        c.vocab,
        c.embed,
        c.hidden,
        saved.header.words.len(),
        saved.header.run.data.maxlen,
        saved.header.run.class_names().join(", ")
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
    // labels.json is optional: without it a binary model is negative/positive.
    let labels_path = dir.join(torch_io::LABELS_FILE);
    let labels = labels_path
        .exists()
        .then(|| read(torch_io::LABELS_FILE))
        .transpose()?;
    let saved = torch_io::import_with_labels(&model, &vocab, labels.as_deref(), maxlen)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_files_is_printed_without_control_characters() {
        assert_eq!(printable("review"), "review");
        assert_eq!(printable("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(printable("bell\u{7}\r\t"), "bell\\u{7}\\u{d}\\u{9}");
        assert_eq!(printable("two\nlines"), "two\nlines", "line breaks stay");
        assert_eq!(printable("\u{202e}txt.exe"), "\\u{202e}txt.exe");
        assert_eq!(printable("\u{9b}31m"), "\\u{9b}31m", "the C1 escape too");
    }

    #[test]
    fn usage_lists_every_training_option_with_its_default_and_limits() {
        let text = usage();
        for s in SETTINGS.iter() {
            let Some(option) = s.option else { continue };
            let default = (s.get)(&RunSettings::default());
            assert!(text.contains(&format!("[{option} {default}]")), "{option}");
            assert!(
                text.contains(&format!("{option} {}", s.range())),
                "{option}"
            );
        }
        assert!(text.contains("[--vocab 3000] [--maxlen 128]"));
        assert!(text.contains("--lr above 0 and at most 1e30"));
        assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
    }

    #[test]
    fn options_are_read_and_checked_against_the_same_limits() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let ok = args(&[
            "--vocab",
            "500",
            "--seed",
            "9",
            "--lr",
            "0.01",
            "--kernel",
            "reference",
        ]);
        let run = run_settings(&Options::new(&ok)).unwrap();
        assert_eq!((run.data.vocab, run.data.seed, run.train.seed), (500, 9, 9));
        assert_eq!(
            (run.train.lr, run.train.kernel),
            (0.01, Recurrence::Reference)
        );
        let bad = args(&["--hidden", "5000"]);
        assert_eq!(
            run_settings(&Options::new(&bad)).unwrap_err(),
            "--hidden: hidden size 5000 is outside 1–1024"
        );
        let unreadable = args(&["--batch", "many"]);
        assert_eq!(
            run_settings(&Options::new(&unreadable)).unwrap_err(),
            "--batch: cannot read `many`"
        );
    }

    /// `train` on a three-class file, then `evaluate` the saved model on it; a test set with a
    /// class the model does not have is refused, naming it.
    #[test]
    fn evaluate_scores_a_saved_model_and_names_a_class_it_does_not_have() {
        let dir = std::env::temp_dir().join(format!("lstm-lab-evaluate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
        let mut csv = String::from("text,label\n");
        for i in 0..60 {
            let class = ["ant", "bee", "cat"][i % 3];
            csv += &format!("{class} w{} {class} w{},{class}\n", i % 7, i % 5);
        }
        std::fs::write(path("three.csv"), &csv).unwrap();
        std::fs::write(path("other.csv"), "text,label\nant w1,ant\ndog w2,dog\n").unwrap();
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let (csv, model, other) = (path("three.csv"), path("three.lstmlab"), path("other.csv"));
        run(&args(&[
            "train", "--csv", &csv, "--vocab", "40", "--maxlen", "6", "--embed", "4", "--hidden",
            "4", "--batch", "16", "--epochs", "1", "--save", &model,
        ]))
        .unwrap();
        let saved = modelfile::load(&std::fs::read(&model).unwrap()).unwrap();
        assert_eq!(saved.header.run.class_names(), ["ant", "bee", "cat"]);
        run(&args(&["evaluate", "--model", &model, "--csv", &csv])).unwrap();
        let e = run(&args(&["evaluate", "--model", &model, "--csv", &other])).unwrap_err();
        assert!(
            e.contains(
                "class “dog” is not one of the model's (ant, bee, cat); use --merge or --drop"
            ),
            "{e}"
        );
        run(&args(&[
            "evaluate", "--model", &model, "--csv", &other, "--drop", "dog",
        ]))
        .unwrap();
        std::fs::remove_dir_all(&dir).ok();
    }

    /// `train --cell gru --readout last` saves a GRU read by its last state; `compare` trains two
    /// entrants on one split and writes both runs; a variant on a cell without gates is refused.
    #[test]
    fn train_takes_a_cell_and_compare_trains_each_entrant() {
        let dir = std::env::temp_dir().join(format!("lstm-lab-compare-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
        let mut csv = String::from("text,label\n");
        for i in 0..80 {
            let label = ["good", "bad"][i % 2];
            csv += &format!("w{} {label} w{},{label}\n", i % 7, i % 5);
        }
        std::fs::write(path("two.csv"), &csv).unwrap();
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let small = [
            "--vocab", "30", "--maxlen", "5", "--embed", "4", "--hidden", "3", "--batch", "16",
            "--epochs", "2",
        ];
        let (csv, model, out) = (path("two.csv"), path("gru.lstmlab"), path("compare.json"));
        let mut train = args(&["train", "--csv", &csv, "--cell", "gru", "--readout", "last"]);
        train.extend(args(&small));
        train.extend(args(&["--save", &model]));
        run(&train).unwrap();
        let saved = modelfile::load(&std::fs::read(&model).unwrap()).unwrap();
        assert_eq!(saved.weights.config.arch.describe(), "gru/last");
        assert_eq!(saved.weights.lstm.weight_hh.len(), 3 * 3 * 3, "[3H, H]");

        let mut compare = args(&["compare", "--csv", &csv, "--entrants", "rnn/pool,lstm/last"]);
        compare.extend(args(&small));
        compare.extend(args(&["--out", &out]));
        run(&compare).unwrap();
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        let entrants = json.as_array().unwrap();
        assert_eq!(entrants.len(), 2);
        assert_eq!(entrants[0]["arch"], "rnn/pool");
        // Embedding 30 × 4, RNN 3 × 4 + 3 × 3 + 2 × 3, Linear(6 → 1).
        assert_eq!(entrants[0]["parameters"], 120 + 12 + 9 + 6 + 7);
        for e in entrants {
            assert_eq!(e["epochs"].as_array().unwrap().len(), 2);
        }
        let mut bad = args(&[
            "train",
            "--csv",
            &csv,
            "--cell",
            "rnn",
            "--variant",
            "sigmoid-g",
        ]);
        bad.extend(args(&small));
        let e = run(&bad).unwrap_err();
        assert!(e.contains("the plain RNN has none of them"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
