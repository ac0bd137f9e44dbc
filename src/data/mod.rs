//! From an uploaded CSV to padded id matrices: parse (`csv`), shuffle and split, fit the
//! tokenizer on the training split only ([`tokenizer`]), encode both splits; and what the page
//! shows of a dataset before training (`preview`).
//!
//! The settings ([`DataConfig`]) and the tokenizer need no CSV reader and no tensor library: a
//! model file records them, and model files load without the trainer. Reading CSV files and
//! preparing datasets come with the `trainer` feature.

#[cfg(feature = "data")]
pub mod baseline;
#[cfg(feature = "data")]
pub mod check;
#[cfg(feature = "data")]
pub mod csv;
pub mod labels;
pub mod limits;
#[cfg(feature = "data")]
pub mod preview;
#[cfg(feature = "data")]
pub mod stages;
pub mod tokenizer;
mod wordmap;
mod wordsplit;

#[cfg(feature = "data")]
use crate::rng::Rng;
use std::fmt;
use tokenizer::Tokenizer;

#[derive(Clone, Debug, PartialEq)]
pub enum DataError {
    Empty,
    HeaderOnly,
    NotCsv(String),
    MissingColumn {
        role: String,
        wanted: String,
        found: Vec<String>,
    },
    SameColumn(String),
    /// More distinct label values than a model has classes: most likely the wrong column.
    TooManyLabels {
        line: u64,
        column: String,
        summary: String,
    },
    /// More classes than [`labels::MAX_CLASSES`] after the user's choice.
    TooManyClasses {
        count: usize,
    },
    /// Every row's label is empty.
    NoLabels {
        rows: usize,
        column: String,
    },
    UnterminatedQuote {
        line: u64,
        preview: String,
    },
    FieldCount {
        line: u64,
        expected: usize,
        found: usize,
    },
    InvalidUtf8 {
        line: u64,
        column: String,
        byte: usize,
    },
    SingleClass {
        label: String,
    },
    BadSettings(String),
    /// Every text is empty or blank: most likely the wrong column.
    EmptyTexts {
        column: String,
    },
    /// A gzip file that unpacks to more than `limit` bytes.
    TooLarge {
        limit: usize,
    },
    /// No header row: the first row reads like data.
    NoHeader {
        first: String,
    },
    /// Fewer than two rows of a class: the stratified split cannot put one on each side.
    FewOfLabel {
        label: String,
        count: usize,
        line: u64,
    },
    /// Past one of the reader's limits ([`limits`]): the message names it and what to do.
    OverLimit(String),
}

impl DataError {
    /// A stable name for the kind of problem, for the page to act on (the column chooser, say)
    /// without reading the message.
    pub fn kind(&self) -> &'static str {
        match self {
            DataError::Empty => "empty",
            DataError::HeaderOnly => "header-only",
            DataError::NotCsv(_) => "not-csv",
            DataError::MissingColumn { .. } => "missing-column",
            DataError::SameColumn(_) => "same-column",
            DataError::TooManyLabels { .. } => "too-many-labels",
            DataError::TooManyClasses { .. } => "too-many-classes",
            DataError::NoLabels { .. } => "no-labels",
            DataError::UnterminatedQuote { .. } => "unterminated-quote",
            DataError::FieldCount { .. } => "field-count",
            DataError::InvalidUtf8 { .. } => "invalid-utf8",
            DataError::SingleClass { .. } => "single-class",
            DataError::BadSettings(_) => "bad-settings",
            DataError::EmptyTexts { .. } => "empty-texts",
            DataError::TooLarge { .. } => "too-large",
            DataError::NoHeader { .. } => "no-header",
            DataError::FewOfLabel { .. } => "few-of-label",
            DataError::OverLimit(_) => "over-limit",
        }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::Empty => write!(f, "the file is empty"),
            DataError::HeaderOnly => write!(f, "the file has a header row but no data rows"),
            DataError::NotCsv(m) => write!(f, "this is not a CSV file: {m}"),
            DataError::MissingColumn {
                role,
                wanted,
                found,
            } => {
                // A header can have thousands of columns: the first few, and how many more.
                const SHOWN: usize = 20;
                let found_len = found.len();
                let mut found = found
                    .iter()
                    .take(SHOWN)
                    .map(|h| format!("“{h}”"))
                    .collect::<Vec<_>>()
                    .join(", ");
                if let Some(more) = found_len.checked_sub(SHOWN).filter(|&m| m > 0) {
                    found += &format!(" … and {} more", limits::grouped(more));
                }
                write!(
                    f,
                    "no {role} column: looked for {wanted}, but the header row has {found}; choose the columns to use"
                )
            }
            DataError::SameColumn(name) => {
                write!(f, "the text and the label cannot both be column “{name}”")
            }
            DataError::TooManyLabels {
                line,
                column,
                summary,
            } => write!(
                f,
                "line {line}, column “{column}”: more than {} distinct labels ({summary}); is that the column with the labels? Choose the columns to use",
                labels::MAX_CLASSES
            ),
            DataError::TooManyClasses { count } => write!(
                f,
                "{count} classes; a model has 2 to {}: merge or drop some",
                labels::MAX_CLASSES
            ),
            DataError::NoLabels { rows, column } => write!(
                f,
                "every label in column “{column}” is empty ({rows} rows); is that the column with the labels? Choose the columns to use"
            ),
            DataError::UnterminatedQuote { line, preview } => write!(
                f,
                "line {line}: a quoted field is never closed (the row starts “{preview}”), so the rest of the file was read into it"
            ),
            DataError::FieldCount {
                line,
                expected,
                found,
            } => write!(
                f,
                "line {line}: expected {expected} fields, found {found} (a comma inside a field needs quotes around the field)"
            ),
            DataError::InvalidUtf8 { line, column, byte } => write!(
                f,
                "line {line}, column “{column}”: not valid UTF-8 (at byte {byte} of the field); save the file as UTF-8"
            ),
            DataError::SingleClass { label } if label.is_empty() => write!(
                f,
                "every class is dropped; training needs at least two classes"
            ),
            DataError::SingleClass { label } => write!(
                f,
                "every row is of class “{label}”; training needs at least two classes"
            ),
            DataError::BadSettings(m) => write!(f, "invalid data settings: {m}"),
            DataError::EmptyTexts { column } => write!(
                f,
                "every text in column “{column}” is empty; is that the column with the reviews? Choose the columns to use"
            ),
            DataError::TooLarge { limit } => write!(
                f,
                "the file unpacks to more than {}, the most the trainer's memory holds beside a run; use a smaller part of it",
                limits::megabytes(*limit)
            ),
            DataError::OverLimit(message) => write!(f, "{message}"),
            DataError::FewOfLabel { label, count, line } => write!(
                f,
                "only {count} row of class “{label}” (line {line}); training needs at least 2 of each class (one to train on, one to validate): merge it into another class or drop it"
            ),
            DataError::NoHeader { first } => write!(
                f,
                "the first row looks like a review, not a header (“{first}”); add a header row such as “review,sentiment”, or choose the columns to use"
            ),
        }
    }
}

impl std::error::Error for DataError {}

pub use crate::settings::DataConfig;

/// One split, encoded: `ids` is `len × maxlen`, row-major.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Split {
    pub ids: Vec<u32>,
    pub labels: Vec<u8>,
    /// Line of each row in the source file, for showing examples.
    pub lines: Vec<u64>,
    pub maxlen: usize,
}

impl Split {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn row(&self, i: usize) -> &[u32] {
        &self.ids[i * self.maxlen..(i + 1) * self.maxlen]
    }

    /// Rows `order[start..end]`, gathered into one batch.
    pub fn gather(&self, order: &[usize]) -> (Vec<u32>, Vec<u8>) {
        let mut ids = Vec::with_capacity(order.len() * self.maxlen);
        let mut labels = Vec::with_capacity(order.len());
        for &i in order {
            ids.extend_from_slice(self.row(i));
            labels.push(self.labels[i]);
        }
        (ids, labels)
    }
}

/// A dataset ready to train on.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub config: DataConfig,
    /// The classes' names by class id (with two, id 1 is the positive class).
    pub classes: Vec<String>,
    pub tokenizer: Tokenizer,
    pub train: Split,
    pub valid: Split,
}

/// The smallest dataset that can be split with both labels on each side.
pub const MIN_ROWS: usize = 4;

/// Whether these texts can be trained on at all: two classes or more, enough rows to split,
/// two rows of each class (one for each side of the split).
#[cfg(feature = "data")]
pub fn check_trainable(texts: &csv::LabelledTexts) -> Result<(), DataError> {
    let classes = texts.classes.len();
    let counts = class_counts(texts);
    if classes > labels::MAX_CLASSES {
        return Err(DataError::TooManyClasses { count: classes });
    }
    if classes < 2 {
        return Err(DataError::SingleClass {
            label: texts.classes.first().cloned().unwrap_or_default(),
        });
    }
    // The split is stratified: each class needs a row on each side. (Said first: the class
    // to merge or drop is what the user can act on.)
    for (class, &count) in counts.iter().enumerate() {
        if count < 2 {
            let line = (0..texts.labels.len())
                .find(|&i| texts.labels[i] as usize == class)
                .map_or(0, |i| texts.lines[i]);
            return Err(DataError::FewOfLabel {
                label: texts.classes[class].clone(),
                count,
                line,
            });
        }
    }
    // (With two rows of each of two classes or more, the split always has rows on both sides:
    // at least MIN_ROWS in all.)
    Ok(())
}

/// Rows of each class, by class id (dropped rows not counted).
#[cfg(feature = "data")]
pub fn class_counts(texts: &csv::LabelledTexts) -> Vec<usize> {
    let mut counts = vec![0; texts.classes.len()];
    for &l in &texts.labels {
        if let Some(c) = counts.get_mut(l as usize) {
            *c += 1;
        }
    }
    counts
}

/// Shuffle with the seed, split each class in the same proportion, fit the tokenizer on the
/// training texts, encode both splits. Rows of a dropped class are left out.
#[cfg(feature = "data")]
pub fn prepare(texts: &csv::LabelledTexts, config: DataConfig) -> Result<Prepared, DataError> {
    if config.drop_duplicates {
        let unique = check::without_duplicates(texts);
        let once = DataConfig {
            drop_duplicates: false,
            ..config
        };
        return prepare(&unique, once).map(|p| Prepared { config, ..p });
    }
    config.validate().map_err(|e| DataError::BadSettings(e.0))?;
    check_trainable(texts)?;
    let mut order: Vec<usize> = (0..texts.texts.len())
        .filter(|&i| texts.labels[i] != labels::NO_CLASS)
        .collect();
    Rng::stream(config.seed, 0x5917).shuffle(&mut order);
    // Stratified: each class is split in the same proportion, so both sides hold every class
    // (check_trainable guarantees two rows of each) in the file's ratio. Rows keep their
    // shuffled order within each side.
    let quota: Vec<usize> = class_counts(texts)
        .into_iter()
        .map(|count| ((count as f64 * config.train_fraction).round() as usize).clamp(1, count - 1))
        .collect();
    let (mut train_rows, mut valid_rows) = (Vec::new(), Vec::new());
    let mut taken = vec![0usize; quota.len()];
    for &i in &order {
        let label = texts.labels[i] as usize;
        if taken[label] < quota[label] {
            taken[label] += 1;
            train_rows.push(i);
        } else {
            valid_rows.push(i);
        }
    }
    let (train_rows, valid_rows) = (&train_rows[..], &valid_rows[..]);
    let text_bytes: usize = texts.texts.iter().map(String::len).sum();
    let train_bytes: usize = train_rows.iter().map(|&i| texts.texts[i].len()).sum();
    let one_split = one_split_fits(train_bytes, train_rows.len(), text_bytes);
    let (tokenizer, train, valid) = tokenize(texts, config, [train_rows, valid_rows], one_split);
    Ok(Prepared {
        config,
        classes: texts.classes.clone(),
        tokenizer,
        train,
        valid,
    })
}

/// Fit the tokenizer on the training rows and encode both splits: the training texts split
/// once, to fit and to encode ([`Tokenizer::fit_encode`]) if `one_split`, else fitted, then split
/// again to encode — the same ids either way.
#[cfg(feature = "data")]
fn tokenize(
    texts: &csv::LabelledTexts,
    config: DataConfig,
    [train_rows, valid_rows]: [&[usize]; 2],
    one_split: bool,
) -> (Tokenizer, Split, Split) {
    let split_of = |rows: &[usize]| Split {
        maxlen: config.maxlen,
        ids: Vec::with_capacity(rows.len() * config.maxlen),
        labels: rows.iter().map(|&i| texts.labels[i]).collect(),
        lines: rows.iter().map(|&i| texts.lines[i]).collect(),
    };
    let (mut train, mut valid) = (split_of(train_rows), split_of(valid_rows));
    let train_texts = train_rows.iter().map(|&i| texts.texts[i].as_str());
    let tokenizer = match one_split {
        true => Tokenizer::fit_encode(train_texts, config.vocab, config.maxlen, &mut train.ids),
        false => Tokenizer::fit(train_texts, config.vocab),
    };
    let mut scratch = Vec::new();
    let mut encode = |rows: &[usize], ids: &mut Vec<u32>| {
        for &i in rows {
            tokenizer.encode_into(&texts.texts[i], config.maxlen, ids, &mut scratch);
        }
    };
    if !one_split {
        encode(train_rows, &mut train.ids);
    }
    encode(valid_rows, &mut valid.ids);
    (tokenizer, train, valid)
}

/// Whether [`Tokenizer::fit_encode`]'s record of every training word (a `u32` each, and a
/// `usize` per text) fits in what [`limits`] leaves of the worker's memory for a file of
/// `text_bytes`: the limits reserve four copies of the largest text, and a file below the largest
/// leaves four copies of the difference unused. A word takes at least two bytes of its text (one
/// character and a separator) but the last, so the record is at most `2·train_bytes +
/// 12·train_rows` bytes. The full IMDB file (66 MB, its training half 33 MB) is far inside; a file
/// near the 960 MB limit is fitted and encoded in two splits instead.
#[cfg(feature = "data")]
fn one_split_fits(train_bytes: usize, train_rows: usize, text_bytes: usize) -> bool {
    let record = 2 * train_bytes as u64 + 12 * train_rows as u64;
    let unused = 4 * limits::MAX_TEXT_BYTES.saturating_sub(text_bytes) as u64;
    record <= unused
}

/// A learnable stand-in for reviews: random filler words, plus a few words that carry the
/// label ("good…" words in positive rows, "bad…" words in negative ones). For benchmarks and
/// tests that need data without a file.
#[cfg(feature = "data")]
pub fn synthetic_texts(rows: usize, seed: u64) -> csv::LabelledTexts {
    let mut rng = Rng::stream(seed, 0xda7a);
    let mut texts = Vec::with_capacity(rows);
    let mut labels = Vec::with_capacity(rows);
    for i in 0..rows {
        let label = (i % 2) as u8;
        let len = 20 + rng.below(200) as usize;
        let words: Vec<String> = (0..len)
            .map(|_| {
                if rng.below(10) == 0 {
                    format!(
                        "{}{}",
                        if label == 1 { "good" } else { "bad" },
                        rng.below(5)
                    )
                } else {
                    format!("w{}", rng.below(5000))
                }
            })
            .collect();
        texts.push(words.join(" "));
        labels.push(label);
    }
    csv::LabelledTexts::binary(texts, labels, (2..rows as u64 + 2).collect())
}

/// [`synthetic_texts`], prepared.
#[cfg(feature = "data")]
pub fn synthetic(rows: usize, config: DataConfig) -> Prepared {
    prepare(&synthetic_texts(rows.max(MIN_ROWS), config.seed), config)
        .expect("synthetic data is valid")
}

#[cfg(all(test, feature = "data"))]
mod tests {
    use super::*;

    fn sample(n: usize) -> csv::LabelledTexts {
        csv::LabelledTexts::binary(
            (0..n).map(|i| format!("word{} common", i % 7)).collect(),
            (0..n).map(|i| (i % 2) as u8).collect(),
            (0..n).map(|i| i as u64 + 2).collect(),
        )
    }

    #[test]
    fn one_split_or_two_tokenize_alike() {
        let texts = synthetic_texts(300, 4);
        let config = DataConfig {
            vocab: 20,
            maxlen: 16,
            ..DataConfig::default()
        };
        let rows: Vec<usize> = (0..texts.texts.len()).collect();
        let halves = [&rows[..200], &rows[200..]];
        let once = tokenize(&texts, config, halves, true);
        let twice = tokenize(&texts, config, halves, false);
        assert_eq!(once.0, twice.0);
        assert_eq!((once.1.ids, once.2.ids), (twice.1.ids, twice.2.ids));
        assert_eq!(once.1.labels, twice.1.labels);
    }

    #[test]
    fn one_split_only_where_the_memory_leaves_room() {
        let limit = limits::MAX_TEXT_BYTES;
        // The full IMDB file: 66 MB, its training half 33 MB in 25,000 reviews.
        assert!(one_split_fits(33_000_000, 25_000, 66_000_000));
        // A file at the limit leaves nothing over; one at half of it, room for its half.
        assert!(!one_split_fits(limit / 2, 1_000_000, limit));
        assert!(one_split_fits(limit / 4, 1_000, limit / 2));
        assert!(!one_split_fits(limit, 1_000, limit / 2));
    }

    #[test]
    fn split_is_seeded_disjoint_and_complete() {
        let texts = sample(101);
        let config = DataConfig {
            vocab: 50,
            maxlen: 5,
            ..Default::default()
        };
        let a = prepare(&texts, config).unwrap();
        let b = prepare(&texts, config).unwrap();
        assert_eq!(a.train.lines, b.train.lines, "same seed, same split");
        assert_eq!(a.train.len(), 51);
        assert_eq!(a.valid.len(), 50);
        let mut all: Vec<u64> = a
            .train
            .lines
            .iter()
            .chain(&a.valid.lines)
            .copied()
            .collect();
        all.sort();
        assert_eq!(all, texts.lines);
        let c = prepare(&texts, DataConfig { seed: 2, ..config }).unwrap();
        assert_ne!(a.train.lines, c.train.lines);
        assert_eq!(a.train.row(0).len(), 5);
        assert_eq!(
            a.train.row(0)[..3],
            [0, 0, 0],
            "two words, padded at the front"
        );
    }

    #[test]
    fn the_split_keeps_each_labels_share_on_both_sides() {
        let mut texts = sample(100);
        // 10 positive reviews among 100: a plain shuffle could leave a side with none.
        texts.labels = (0..100).map(|i| u8::from(i % 10 == 3)).collect();
        let config = DataConfig {
            vocab: 50,
            maxlen: 5,
            train_fraction: 0.8,
            seed: 3,
            ..Default::default()
        };
        let d = prepare(&texts, config).unwrap();
        let positives = |s: &Split| s.labels.iter().filter(|&&l| l == 1).count();
        assert_eq!((d.train.len(), positives(&d.train)), (80, 8));
        assert_eq!((d.valid.len(), positives(&d.valid)), (20, 2));
        texts.labels = (0..100).map(|i| u8::from(i == 50)).collect();
        assert_eq!(
            prepare(&texts, config).unwrap_err().to_string(),
            "only 1 row of class “positive” (line 52); training needs at least 2 of each class (one to train on, one to validate): merge it into another class or drop it"
        );
    }

    /// Three classes of 60, 30 and 10 rows, one more class dropped: each class keeps its share
    /// on both sides, and the dropped rows are on neither.
    #[test]
    fn k_classes_split_stratified_and_dropped_rows_stay_out() {
        let n = 120;
        let class = |i: usize| match i % 12 {
            0..=5 => "a",
            6..=8 => "b",
            9 => "c",
            _ => "junk",
        };
        let mut texts = csv::LabelledTexts::with_classes(
            (0..n).map(|i| format!("w{} {}", i % 5, class(i))).collect(),
            vec![0; n],
            &[],
            (0..n).map(|i| i as u64 + 2).collect(),
        );
        texts.values = ["a", "b", "c", "junk"].map(String::from).to_vec();
        texts.value_of_row = (0..n)
            .map(|i| texts.values.iter().position(|v| v == class(i)).unwrap() as u32)
            .collect();
        texts
            .relabel(&labels::LabelChoice {
                drop: vec!["junk".into()],
                ..Default::default()
            })
            .unwrap();
        assert_eq!(texts.classes, ["a", "b", "c"]);
        let config = DataConfig {
            vocab: 50,
            maxlen: 4,
            train_fraction: 0.8,
            seed: 5,
            ..Default::default()
        };
        let d = prepare(&texts, config).unwrap();
        assert_eq!(d.classes, ["a", "b", "c"]);
        let count = |s: &Split, c: u8| s.labels.iter().filter(|&&l| l == c).count();
        assert_eq!([0, 1, 2].map(|c| count(&d.train, c)), [48, 24, 8]);
        assert_eq!([0, 1, 2].map(|c| count(&d.valid, c)), [12, 6, 2]);
        let junk_lines: Vec<u64> = (0..n)
            .filter(|&i| class(i) == "junk")
            .map(|i| i as u64 + 2)
            .collect();
        assert!(
            d.train
                .lines
                .iter()
                .chain(&d.valid.lines)
                .all(|l| !junk_lines.contains(l))
        );
        assert_eq!(d.train.len() + d.valid.len(), 100);
    }

    #[test]
    fn refuses_a_single_class_and_too_few_rows() {
        let mut texts = sample(10);
        texts.value_of_row.fill(0);
        texts.values = vec!["positive".into()];
        texts.relabel(&Default::default()).unwrap();
        let e = prepare(&texts, DataConfig::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "every row is of class “positive”; training needs at least two classes"
        );
        let e = prepare(&sample(3), DataConfig::default()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("only 1 row of class “positive” (line 3)"),
            "{e}"
        );
    }

    #[test]
    fn gather_builds_batches_in_order() {
        let p = prepare(
            &sample(20),
            DataConfig {
                vocab: 20,
                maxlen: 3,
                ..Default::default()
            },
        )
        .unwrap();
        let (ids, labels) = p.train.gather(&[2, 0]);
        assert_eq!(&ids[..3], p.train.row(2));
        assert_eq!(&ids[3..], p.train.row(0));
        assert_eq!(labels, vec![p.train.labels[2], p.train.labels[0]]);
    }
}
