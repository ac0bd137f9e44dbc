//! Hostile files, stable and in CI: random mutations of real files (a slice of the page's IMDB
//! sample, as CSV and gzip; a model file; PyTorch's safetensors and vocab.json) fed to the
//! entry points a user's file reaches — the CSV reader, the tokenizer and the data split, the
//! model loader, the PyTorch importer, and a loaded model's inspection. Each must answer with a
//! value or an error, never a panic. Seeded, so a failure names the case that reproduces it.

use lstm_lab::classifier::{file as modelfile, inspect, torch as torch_io};
use lstm_lab::data::csv::{ColumnChoice, maybe_gunzip, read_labelled_texts};
use lstm_lab::data::{DataConfig, prepare};
use lstm_lab::rng::Rng;
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};

const CASES: u64 = 1500;

/// The first `rows` lines of the page's sample (a slice of the real IMDB file), unzipped.
fn sample_csv(rows: usize) -> Vec<u8> {
    let gz = std::fs::read("www/sample/imdb-sample.csv.gz").expect("the page's sample");
    let all = maybe_gunzip(&gz).expect("gzip").into_owned();
    let end = all
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(rows)
        .map_or(all.len(), |(i, _)| i + 1);
    all[..end].to_vec()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// One to four edits: flip a bit, set a byte to a value CSV and JSON care about, insert or
/// delete a run, duplicate a slice, or cut the end off.
fn mutate(rng: &mut Rng, original: &[u8]) -> Vec<u8> {
    const SPECIAL: &[u8] = b"\",;\t\r\n\0{}[]:0123456789\xff\xfe\xef\xbb\xbf-e.";
    let mut b = original.to_vec();
    for _ in 0..=rng.below(4) {
        let at = |rng: &mut Rng, len: usize| rng.below(len.max(1) as u64) as usize;
        match rng.below(6) {
            0 if !b.is_empty() => {
                let i = at(rng, b.len());
                b[i] ^= 1 << rng.below(8);
            }
            1 if !b.is_empty() => {
                let i = at(rng, b.len());
                b[i] = SPECIAL[at(rng, SPECIAL.len())];
            }
            2 => {
                let i = at(rng, b.len() + 1).min(b.len());
                let run: Vec<u8> = (0..=rng.below(8))
                    .map(|_| SPECIAL[at(rng, SPECIAL.len())])
                    .collect();
                b.splice(i..i, run);
            }
            3 if !b.is_empty() => {
                let i = at(rng, b.len());
                let n = (rng.below(64) as usize).min(b.len() - i);
                b.drain(i..i + n);
            }
            4 if !b.is_empty() => {
                let i = at(rng, b.len());
                let n = (rng.below(256) as usize).min(b.len() - i);
                let copy = b[i..i + n].to_vec();
                let j = at(rng, b.len() + 1).min(b.len());
                b.splice(j..j, copy);
            }
            _ => {
                let n = at(rng, b.len() + 1);
                b.truncate(n);
            }
        }
    }
    b
}

/// Run `f` on `CASES` mutations of `original`; a panic fails with the seed and case.
fn never_panics(name: &str, seed: u64, original: &[u8], f: impl Fn(&[u8])) {
    let mut rng = Rng::new(seed);
    for case in 0..CASES {
        let input = mutate(&mut rng, original);
        let outcome = catch_unwind(AssertUnwindSafe(|| f(&input)));
        assert!(
            outcome.is_ok(),
            "{name}: case {case} (seed {seed}) panicked on {} bytes starting {:?}",
            input.len(),
            String::from_utf8_lossy(&input[..input.len().min(80)])
        );
    }
}

fn read_and_prepare(bytes: &[u8]) {
    if let Ok(texts) = read_labelled_texts(bytes, &ColumnChoice::default()) {
        let config = DataConfig {
            vocab: 200,
            maxlen: 16,
            ..DataConfig::default()
        };
        if let Ok(prepared) = prepare(&texts, config) {
            for text in texts.texts.iter().take(3) {
                let ids = prepared.tokenizer.encode(text, 16);
                assert_eq!(ids.len(), 16);
            }
        }
    }
}

#[test]
fn csv_reader_and_split_never_panic() {
    let csv = sample_csv(40);
    assert!(read_labelled_texts(&csv, &ColumnChoice::default()).is_ok());
    never_panics("csv", 1, &csv, read_and_prepare);
}

#[test]
fn gzipped_csv_never_panics() {
    let gz = gzip(&sample_csv(40));
    never_panics("csv.gz", 2, &gz, read_and_prepare);
}

#[test]
fn model_loader_and_inspection_never_panic() {
    let original = include_bytes!("fixtures/format_v1.lstmlab");
    never_panics("lstmlab", 3, original, |bytes| {
        if let Ok(saved) = modelfile::load(bytes) {
            let _ = inspect::inspect_text(
                &saved.weights,
                &saved.tokenizer(),
                saved.header.run.data.maxlen,
                "the film was good, a great film",
            );
        }
    });
}

/// A model file whose checksum is recomputed after the mutation, as a crafted file would be:
/// the loader's own checks, not the checksum, must catch what is wrong.
#[test]
fn crafted_model_files_never_panic() {
    fn fnv1a(bytes: &[u8]) -> u64 {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
            (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
        })
    }
    let original = include_bytes!("fixtures/format_v1.lstmlab");
    let body = &original[..original.len() - 8];
    let mut loaded = 0;
    let mut rng = Rng::new(6);
    for case in 0..CASES {
        let mut bytes = mutate(&mut rng, body);
        // Keep the magic and version most of the time, so the header is what gets tested.
        if bytes.len() >= 12 && rng.below(4) > 0 {
            bytes[..12].copy_from_slice(&original[..12]);
        }
        let sum = fnv1a(&bytes);
        bytes.extend_from_slice(&sum.to_le_bytes());
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            modelfile::load(&bytes).map(|saved| {
                inspect::inspect_text(
                    &saved.weights,
                    &saved.tokenizer(),
                    saved.header.run.data.maxlen,
                    "the film was good, a great film",
                )
                .is_ok()
            })
        }));
        match outcome {
            Ok(Ok(_)) => loaded += 1,
            Ok(Err(_)) => {}
            Err(_) => panic!("crafted lstmlab: case {case} panicked"),
        }
    }
    // Some mutations (inside the weights) leave a loadable model; most are refused.
    assert!(loaded > 0 && loaded < CASES, "{loaded} of {CASES} loaded");
}

#[test]
fn pytorch_import_never_panics() {
    let model = include_bytes!("fixtures/torch_model/model.safetensors");
    let vocab = include_bytes!("fixtures/torch_model/vocab.json");
    never_panics("safetensors", 4, model, |bytes| {
        let _ = torch_io::import(bytes, vocab, None);
    });
    never_panics("vocab.json", 5, vocab, |bytes| {
        if let Ok(saved) = torch_io::import(model, bytes, None) {
            let _ = inspect::inspect_text(
                &saved.weights,
                &saved.tokenizer(),
                saved.header.run.data.maxlen,
                "good bad film",
            );
        }
    });
}

/// A model file whose vocabulary is empty, with a valid checksum, would predict from padding
/// alone: refused, by the model loader and by the PyTorch importer.
#[test]
fn a_model_with_an_empty_vocabulary_is_refused() {
    let saved = modelfile::load(include_bytes!("fixtures/format_v1.lstmlab")).expect("the fixture");
    assert!(!saved.header.words.is_empty());
    let empty =
        modelfile::SavedModel::new(saved.weights.clone(), Vec::new(), saved.header.run.clone());
    let error = modelfile::load(&empty.to_bytes())
        .expect_err("refused")
        .to_string();
    assert!(
        error.contains("its vocabulary is empty: it knows no words"),
        "{error}"
    );
    let model = include_bytes!("fixtures/torch_model/model.safetensors");
    let error = torch_io::import(model, b"{}", None)
        .expect_err("refused")
        .to_string();
    assert!(error.contains("its vocabulary is empty"), "{error}");
}
