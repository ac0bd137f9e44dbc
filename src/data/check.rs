//! The data check a teacher would do before training: class balance, texts cut at the chosen
//! length, words outside the vocabulary, duplicate texts (within the file and across the split),
//! very short texts — and a bag-of-words baseline ([`super::baseline`]) on the same split. Each
//! finding says what to change, with a fix the page offers as a button.
//!
//! Generic over class indices `0..k`: the class names come from the caller.

use super::baseline::{self, Scores};
use super::csv::LabelledTexts;
use super::labels::NO_CLASS;
use super::tokenizer::{self, WordMap};
use super::{DataConfig, DataError, prepare};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Texts with fewer words than this are "very short".
pub const SHORT_WORDS: usize = 3;
/// The share of texts a suggested length keeps whole.
pub const KEEP_WHOLE: f64 = 0.9;
/// The share of training words a suggested vocabulary covers.
pub const COVERAGE: f64 = 0.95;
/// Lines listed as examples in a finding.
const EXAMPLES: usize = 5;
/// The limits of the settings a fix may suggest (src/settings.rs).
const MAX_MAXLEN: usize = 2048;
const MAX_VOCAB: usize = 65_536;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Nothing to change.
    Ok,
    /// Worth changing before training.
    Warn,
    /// A number to keep in mind (the baseline).
    Info,
}

/// A change the page can make in one click: set `field` (a setting's field, or
/// `drop_duplicates`) to `value`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fix {
    pub field: &'static str,
    pub value: f64,
    /// The button's words.
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// `balance`, `length`, `vocabulary`, `duplicates`, `short` or `baseline`.
    pub kind: &'static str,
    pub level: Level,
    pub text: String,
    /// Example lines of the file.
    pub lines: Vec<u64>,
    pub fix: Option<Fix>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassCount {
    pub name: String,
    pub rows: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Duplicates {
    /// Rows whose text is an exact copy of an earlier row's.
    pub copies: usize,
    /// Distinct texts that occur more than once.
    pub texts: usize,
    /// Of those, texts whose copies carry different labels.
    pub conflicting: usize,
    /// Validation rows whose text is also a training row's.
    pub across_split: usize,
    /// Rows dropped before the split (`drop_duplicates`).
    pub dropped: usize,
    /// Lines of some copies.
    pub lines: Vec<u64>,
}

/// Everything the check measured, and its findings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DataCheck {
    pub rows: usize,
    pub classes: Vec<ClassCount>,
    pub train_rows: usize,
    pub valid_rows: usize,
    pub maxlen: usize,
    /// Texts with more than `maxlen` ids in the vocabulary: their beginning is cut.
    pub cut_texts: usize,
    /// Ids those cuts drop.
    pub cut_words: usize,
    /// Ids of every text (in the vocabulary), before the cut.
    pub total_ids: usize,
    /// The smallest length that keeps [`KEEP_WHOLE`] of the texts whole.
    pub keep_whole_length: usize,
    pub vocab: usize,
    /// Words of all texts outside the vocabulary (fitted on the training split).
    pub words: usize,
    pub out_of_vocabulary: usize,
    /// The vocabulary (padding included) that covers [`COVERAGE`] of the training words.
    pub vocab_for_coverage: usize,
    pub duplicates: Duplicates,
    pub short_texts: usize,
    pub short_lines: Vec<u64>,
    /// The most common training class, and the validation scores of always answering it.
    pub majority_class: String,
    pub majority: Scores,
    /// Naive Bayes over the same ids, on the same split.
    pub baseline: Scores,
    pub findings: Vec<Finding>,
}

/// `texts` without the rows whose text exactly repeats an earlier row's.
pub fn without_duplicates(texts: &LabelledTexts) -> LabelledTexts {
    let mut seen = HashSet::new();
    let keep: Vec<bool> = texts
        .texts
        .iter()
        .map(|t| seen.insert(t.as_str()))
        .collect();
    keep_rows(texts, &keep)
}

/// `texts` without the rows of dropped classes: the check is of the data a run trains on.
fn without_dropped(texts: &LabelledTexts) -> LabelledTexts {
    let keep: Vec<bool> = texts.labels.iter().map(|&l| l != NO_CLASS).collect();
    keep_rows(texts, &keep)
}

fn keep_rows(texts: &LabelledTexts, keep: &[bool]) -> LabelledTexts {
    // A clone, so every field (the columns, and any the type gains) comes along; then the
    // per-row vectors lose the rows left out.
    let mut out = texts.clone();
    retain_rows(&mut out.texts, keep);
    retain_rows(&mut out.labels, keep);
    retain_rows(&mut out.value_of_row, keep);
    retain_rows(&mut out.lines, keep);
    out
}

/// Keep row `i` of `rows` where `keep[i]`.
fn retain_rows<T>(rows: &mut Vec<T>, keep: &[bool]) {
    let mut i = 0;
    rows.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}

/// Per-text word counts with the fitted vocabulary.
struct Lengths {
    /// Words of each text.
    words: Vec<usize>,
    /// Of those, in the vocabulary: the ids before padding and the cut.
    ids: Vec<usize>,
    /// Every word of the training texts, counted, and whether it is in the vocabulary.
    train_counts: WordMap<(u64, bool)>,
}

fn measure(texts: &LabelledTexts, train: &HashSet<usize>, tok: &tokenizer::Tokenizer) -> Lengths {
    let n = texts.texts.len();
    // Seeded with the vocabulary, so a training word costs one look-up, not two.
    let mut train_counts: WordMap<(u64, bool)> = WordMap::default();
    for w in &tok.words {
        train_counts.insert(w, (0, true));
    }
    let mut lengths = Lengths {
        words: Vec::with_capacity(n),
        ids: Vec::with_capacity(n),
        train_counts,
    };
    for (i, text) in texts.texts.iter().enumerate() {
        let (mut words, mut ids) = (0, 0);
        if train.contains(&i) {
            tokenizer::for_each_word(text, |w| {
                words += 1;
                match lengths.train_counts.get_mut(w) {
                    Some((count, known)) => {
                        *count += 1;
                        ids += usize::from(*known);
                    }
                    None => {
                        lengths.train_counts.insert(w, (1, false));
                    }
                }
            });
        } else {
            tokenizer::for_each_word(text, |w| {
                words += 1;
                ids += usize::from(tok.id(w).is_some());
            });
        }
        lengths.words.push(words);
        lengths.ids.push(ids);
    }
    lengths
}

/// The smallest `length` with at least `share` of `lengths` ≤ it.
pub fn length_keeping(lengths: &[usize], share: f64) -> usize {
    if lengths.is_empty() {
        return 0;
    }
    let mut sorted = lengths.to_vec();
    sorted.sort_unstable();
    let need = ((share * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[need - 1]
}

/// The vocabulary (padding included, as `num_words` counts) whose most frequent words cover
/// `share` of all the counted words.
pub(crate) fn vocab_covering(counts: &WordMap<(u64, bool)>, share: f64) -> usize {
    let mut sorted: Vec<u64> = counts.values().map(|&(c, _)| c).collect();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let total: u64 = sorted.iter().sum();
    let mut covered = 0;
    for (i, c) in sorted.iter().enumerate() {
        covered += c;
        if covered as f64 >= share * total as f64 {
            return i + 2;
        }
    }
    sorted.len() + 1
}

/// 12,345.
fn int(n: usize) -> String {
    super::limits::grouped(n)
}

fn percent(part: usize, whole: usize) -> String {
    let p = 100.0 * part as f64 / whole.max(1) as f64;
    if p > 0.0 && p < 1.0 {
        format!("{p:.1} %")
    } else {
        format!("{p:.0} %")
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", int(n), if n == 1 { one } else { many })
}

/// Check `texts` as a run with `config` would split and encode them; `classes[c]` names class
/// `c` (labels are `0..classes.len()`).
pub fn check(
    texts: &LabelledTexts,
    config: DataConfig,
    classes: &[String],
) -> Result<DataCheck, DataError> {
    let k = classes.len();
    let trained;
    let texts = if texts.labels.contains(&NO_CLASS) {
        trained = without_dropped(texts);
        &trained
    } else {
        texts
    };
    // Labels index `classes`: one outside would index past the counts below.
    if let Some(&label) = texts.labels.iter().find(|&&l| l as usize >= k) {
        return Err(DataError::BadSettings(format!(
            "label {label} is not one of the {k} classes"
        )));
    }
    let unique;
    let (texts, dropped) = if config.drop_duplicates {
        unique = without_duplicates(texts);
        (&unique, texts.texts.len() - unique.texts.len())
    } else {
        (texts, 0)
    };
    let data = prepare(
        texts,
        DataConfig {
            drop_duplicates: false,
            ..config
        },
    )?;
    let row_of: HashMap<u64, usize> = texts
        .lines
        .iter()
        .enumerate()
        .map(|(i, &l)| (l, i))
        .collect();
    let train: HashSet<usize> = data.train.lines.iter().map(|l| row_of[l]).collect();
    let lengths = measure(texts, &train, &data.tokenizer);
    let n = texts.texts.len();
    let maxlen = config.maxlen;

    let cut_texts = lengths.ids.iter().filter(|&&l| l > maxlen).count();
    let cut_words: usize = lengths.ids.iter().map(|&l| l.saturating_sub(maxlen)).sum();
    let total_ids: usize = lengths.ids.iter().sum();
    let words: usize = lengths.words.iter().sum();
    let out_of_vocabulary = words - total_ids;

    let mut first: HashMap<&str, usize> = HashMap::with_capacity(n);
    let mut duplicates = Duplicates {
        copies: 0,
        texts: 0,
        conflicting: 0,
        across_split: 0,
        dropped,
        lines: Vec::new(),
    };
    // Per distinct repeated text: (counted as repeated, counted as conflicting).
    let mut flagged: HashMap<usize, (bool, bool)> = HashMap::new();
    for (i, text) in texts.texts.iter().enumerate() {
        let Some(&f) = first.get(text.as_str()) else {
            first.insert(text, i);
            continue;
        };
        duplicates.copies += 1;
        if duplicates.lines.len() < EXAMPLES {
            duplicates.lines.push(texts.lines[i]);
        }
        let flags = flagged.entry(f).or_default();
        if !flags.0 {
            flags.0 = true;
            duplicates.texts += 1;
        }
        if !flags.1 && texts.labels[i] != texts.labels[f] {
            flags.1 = true;
            duplicates.conflicting += 1;
        }
    }
    let train_texts: HashSet<&str> = train.iter().map(|&i| texts.texts[i].as_str()).collect();
    duplicates.across_split = data
        .valid
        .lines
        .iter()
        .filter(|l| train_texts.contains(texts.texts[row_of[l]].as_str()))
        .count();

    let short: Vec<usize> = (0..n).filter(|&i| lengths.words[i] < SHORT_WORDS).collect();
    let mut counts = vec![0usize; k];
    for &l in &texts.labels {
        counts[l as usize] += 1;
    }
    let (majority_class, majority) = baseline::majority(&data.train.labels, &data.valid.labels, k);
    let features = data.tokenizer.words.len();
    let mut result = DataCheck {
        rows: n,
        classes: classes
            .iter()
            .zip(&counts)
            .map(|(name, &rows)| ClassCount {
                name: name.clone(),
                rows,
            })
            .collect(),
        train_rows: data.train.len(),
        valid_rows: data.valid.len(),
        maxlen,
        cut_texts,
        cut_words,
        total_ids,
        keep_whole_length: length_keeping(&lengths.ids, KEEP_WHOLE),
        vocab: config.vocab,
        words,
        out_of_vocabulary,
        vocab_for_coverage: vocab_covering(&lengths.train_counts, COVERAGE),
        duplicates,
        short_texts: short.len(),
        short_lines: short
            .iter()
            .take(EXAMPLES)
            .map(|&i| texts.lines[i])
            .collect(),
        majority_class: classes[majority_class as usize].clone(),
        majority,
        baseline: baseline::naive_bayes(&data.train, &data.valid, k, features),
        findings: Vec::new(),
    };
    result.findings = findings(&result, config);
    Ok(result)
}

fn finding(kind: &'static str, level: Level, text: String) -> Finding {
    Finding {
        kind,
        level,
        text,
        lines: Vec::new(),
        fix: None,
    }
}

fn findings(c: &DataCheck, config: DataConfig) -> Vec<Finding> {
    let mut out = Vec::new();

    // Balance: what always answering the most common class scores.
    let largest = c.classes.iter().map(|x| x.rows).max().unwrap_or(0);
    let smallest = c.classes.iter().map(|x| x.rows).min().unwrap_or(0);
    let shares = c
        .classes
        .iter()
        .map(|x| format!("{} {}", x.name, percent(x.rows, c.rows)))
        .collect::<Vec<_>>()
        .join(", ");
    let majority = format!("{:.0} %", 100.0 * c.majority.accuracy);
    out.push(if smallest * 2 < largest {
        finding(
            "balance",
            Level::Warn,
            format!(
                "Unbalanced classes ({shares}): always answering “{}” already scores {majority} accuracy on validation. Judge the model by macro-F1 and against the majority line, or collect more of the rare classes.",
                c.majority_class
            ),
        )
    } else {
        finding(
            "balance",
            Level::Ok,
            format!(
                "Classes are balanced enough ({shares}); always answering “{}” scores {majority} on validation.",
                c.majority_class
            ),
        )
    });

    // Length: texts cut at the front by `maxlen`.
    let keep = c.keep_whole_length.min(MAX_MAXLEN);
    let cut = if c.cut_texts == 0 {
        format!(
            "No text is longer than {} words in the vocabulary: none loses its beginning.",
            int(c.maxlen)
        )
    } else {
        format!(
            "{} of {} texts ({}) are longer than {} words in the vocabulary and lose their beginning: {} ({} of all words read).",
            int(c.cut_texts),
            int(c.rows),
            percent(c.cut_texts, c.rows),
            int(c.maxlen),
            plural(c.cut_words, "word is dropped", "words are dropped"),
            percent(c.cut_words, c.total_ids),
        )
    };
    let mut length = finding(
        "length",
        if c.keep_whole_length > c.maxlen {
            Level::Warn
        } else {
            Level::Ok
        },
        cut,
    );
    if c.keep_whole_length > c.maxlen {
        length.text += &format!(
            " Raise Words per review to {} to keep {:.0} % of texts whole (it costs time and memory in proportion).",
            int(keep),
            100.0 * KEEP_WHOLE
        );
        length.fix = Some(Fix {
            field: "maxlen",
            value: keep as f64,
            label: format!("Use {} words per review", int(keep)),
        });
    } else {
        length.text += &format!(
            " At least {:.0} % of texts fit whole; {} words per review would be enough.",
            100.0 * KEEP_WHOLE,
            int(c.keep_whole_length.max(1))
        );
    }
    out.push(length);

    // Vocabulary: words the model never sees.
    let suggested = c.vocab_for_coverage.min(MAX_VOCAB);
    let mut vocab = finding(
        "vocabulary",
        if suggested > config.vocab {
            Level::Warn
        } else {
            Level::Ok
        },
        format!(
            "{} of the words ({} of {}) are outside the vocabulary of {} and dropped before the model reads the text.",
            percent(c.out_of_vocabulary, c.words),
            int(c.out_of_vocabulary),
            int(c.words),
            int(config.vocab),
        ),
    );
    if suggested > config.vocab {
        vocab.text += &format!(
            " Raise Vocabulary to {} to cover {:.0} % of the training words (the embedding grows with it).",
            int(suggested),
            100.0 * COVERAGE
        );
        vocab.fix = Some(Fix {
            field: "vocab",
            value: suggested as f64,
            label: format!("Use a vocabulary of {}", int(suggested)),
        });
    }
    out.push(vocab);

    // Duplicates.
    let d = &c.duplicates;
    let mut dup = if d.copies > 0 {
        let mut text = format!(
            "{} {} an exact copy of an earlier row's text",
            plural(d.copies, "row", "rows"),
            if d.copies == 1 { "is" } else { "are" },
        );
        if d.conflicting > 0 {
            text += &format!(
                " ({} with a different label)",
                plural(d.conflicting, "text", "texts")
            );
        }
        text += &match d.across_split {
            0 => "; no copy crosses the split, but each copy weighs its text double. Drop duplicates to keep one of each.".to_string(),
            1 => "; 1 validation text is also in the training split, which inflates validation accuracy. Drop duplicates to split again without them.".to_string(),
            n => format!(
                "; {} validation texts are also in the training split, which inflates validation accuracy. Drop duplicates to split again without them.",
                int(n)
            ),
        };
        let mut f = finding("duplicates", Level::Warn, text);
        f.lines = d.lines.clone();
        f.fix = Some(Fix {
            field: "drop_duplicates",
            value: 1.0,
            label: "Drop duplicates".into(),
        });
        f
    } else {
        finding(
            "duplicates",
            Level::Ok,
            "No text occurs twice: no validation text is also a training text.".into(),
        )
    };
    if d.dropped > 0 {
        dup.text += &format!(
            " {} dropped before the split (each text's first row kept).",
            if d.dropped == 1 {
                "1 duplicate row was".to_string()
            } else {
                format!("{} duplicate rows were", int(d.dropped))
            }
        );
    }
    out.push(dup);

    // Very short texts.
    let mut short = if c.short_texts > 0 {
        finding(
            "short",
            Level::Warn,
            format!(
                "{} {} fewer than {SHORT_WORDS} words: little to learn from. Check those rows (is this the text column?) or remove them from the file.",
                plural(c.short_texts, "text", "texts"),
                if c.short_texts == 1 { "has" } else { "have" },
            ),
        )
    } else {
        finding(
            "short",
            Level::Ok,
            format!("Every text has at least {SHORT_WORDS} words."),
        )
    };
    short.lines = c.short_lines.clone();
    out.push(short);

    out.push(finding(
        "baseline",
        Level::Info,
        format!(
            "A bag-of-words model (naive Bayes on the same words, length and split, order ignored) scores {:.1} % accuracy, macro-F1 {:.3}, on validation. The LSTM earns its cost only above that line.",
            100.0 * c.baseline.accuracy,
            c.baseline.macro_f1
        ),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(rows: &[(&str, u8)]) -> LabelledTexts {
        let k = rows.iter().map(|r| r.1).max().unwrap_or(1).max(1) as usize + 1;
        let names: Vec<String> = match k {
            2 => binary(),
            _ => (0..k).map(|c| format!("class {c}")).collect(),
        };
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        LabelledTexts::with_classes(
            rows.iter().map(|r| r.0.to_string()).collect(),
            rows.iter().map(|r| r.1).collect(),
            &names,
            (0..rows.len() as u64).map(|i| i + 2).collect(),
        )
    }

    fn binary() -> Vec<String> {
        vec!["negative".into(), "positive".into()]
    }

    fn config(vocab: usize, maxlen: usize) -> DataConfig {
        DataConfig {
            vocab,
            maxlen,
            ..Default::default()
        }
    }

    /// Ten texts of one word repeated (so every word is in the vocabulary whatever the split),
    /// of lengths 1..=10: with maxlen 4, six are cut, dropping 1+2+…+6 = 21 ids.
    #[test]
    fn counts_cut_texts_dropped_words_and_the_length_that_keeps_90_percent() {
        let rows: Vec<(String, u8)> = (1..=10)
            .map(|n| (vec!["a"; n].join(" "), (n % 2) as u8))
            .collect();
        let rows: Vec<(&str, u8)> = rows.iter().map(|(t, l)| (t.as_str(), *l)).collect();
        let c = check(&texts(&rows), config(10, 4), &binary()).unwrap();
        assert_eq!((c.cut_texts, c.cut_words, c.total_ids), (6, 21, 55));
        assert_eq!(c.keep_whole_length, 9, "9 of the 10 texts have ≤ 9 words");
        assert_eq!((c.short_texts, c.short_lines.clone()), (2, vec![2, 3]));
        let length = &c.findings[1];
        assert_eq!((length.kind, length.level), ("length", Level::Warn));
        assert!(
            length.text.contains("6 of 10 texts (60 %)"),
            "{}",
            length.text
        );
        assert!(
            length.text.contains("Raise Words per review to 9"),
            "{}",
            length.text
        );
        assert_eq!(
            length.fix.as_ref().map(|f| (f.field, f.value)),
            Some(("maxlen", 9.0))
        );
        let c = check(&texts(&rows), config(10, 9), &binary()).unwrap();
        assert_eq!((c.cut_texts, c.cut_words), (1, 1));
        assert_eq!(
            (c.findings[1].level, c.findings[1].fix.clone()),
            (Level::Ok, None)
        );
    }

    #[test]
    fn length_keeping_is_the_90th_percentile_rounded_up() {
        assert_eq!(length_keeping(&[5, 1, 3, 2, 4, 6, 7, 8, 9, 100], 0.9), 9);
        assert_eq!(length_keeping(&[3, 1, 2], 0.9), 3, "ceil(2.7) = 3 texts");
        assert_eq!(length_keeping(&[], 0.9), 0);
    }

    /// The vocabulary is fitted on the training split only, so which words are out of it
    /// depends on the split: here every training text is the same two words, and the other
    /// words appear once each.
    #[test]
    fn counts_words_outside_the_vocabulary() {
        // Vocabulary 3: the two most frequent training words are kept: "x" and "y", in every
        // row, 4 times each in the 4 training rows (2 of each label).
        let rows = [
            ("x y p", 0),
            ("x y q", 1),
            ("x y r", 0),
            ("x y s", 1),
            ("x y t", 0),
            ("x y u", 1),
        ];
        let c = check(&texts(&rows), config(3, 10), &binary()).unwrap();
        assert_eq!((c.words, c.out_of_vocabulary), (18, 6));
        assert_eq!(c.total_ids, 12);
        // Training words: x 4, y 4, four singletons = 12; 95 % (11.4) needs all 6 words: 7 ids.
        assert_eq!(c.vocab_for_coverage, 7);
        let f = &c.findings[2];
        assert!(
            f.text.starts_with("33 % of the words (6 of 18)"),
            "{}",
            f.text
        );
        assert_eq!(f.fix.as_ref().map(|f| f.value), Some(7.0));
        let c = check(&texts(&rows), config(100, 10), &binary()).unwrap();
        assert_eq!(c.findings[2].level, Level::Ok);
        // Now only the 2 validation rows' own words are outside, one each.
        assert_eq!(c.out_of_vocabulary, 2);
    }

    #[test]
    fn finds_duplicates_within_the_file_and_across_the_split_and_drops_them() {
        // "same" ×4 (two labels), "twice" ×2, and eight distinct texts.
        let mut rows = vec![
            ("same text here", 1),
            ("same text here", 1),
            ("twice over again", 0),
            ("same text here", 0),
            ("twice over again", 0),
            ("same text here", 1),
        ];
        let distinct: Vec<String> = (0..8)
            .map(|i| format!("distinct text number {i}"))
            .collect();
        rows.extend(
            distinct
                .iter()
                .enumerate()
                .map(|(i, t)| (t.as_str(), (i % 2) as u8)),
        );
        let t = texts(&rows);
        // Count the cross-split copies from the split itself, for the first seed that puts
        // copies on both sides.
        let text_of = |l: &u64| t.texts[(*l - 2) as usize].as_str();
        let (seed, across) = (1..20)
            .map(|seed| {
                let data = prepare(
                    &t,
                    DataConfig {
                        seed,
                        ..config(50, 10)
                    },
                )
                .unwrap();
                let train: HashSet<&str> = data.train.lines.iter().map(text_of).collect();
                (
                    seed,
                    data.valid
                        .lines
                        .iter()
                        .filter(|l| train.contains(text_of(l)))
                        .count(),
                )
            })
            .find(|&(_, across)| across > 0)
            .unwrap();
        let c = check(
            &t,
            DataConfig {
                seed,
                ..config(50, 10)
            },
            &binary(),
        )
        .unwrap();
        let d = &c.duplicates;
        assert_eq!((d.copies, d.texts, d.conflicting, d.dropped), (4, 2, 1, 0));
        assert_eq!(d.lines, [3, 5, 6, 7]);
        assert_eq!(d.across_split, across);
        let f = &c.findings[3];
        assert_eq!((f.kind, f.level), ("duplicates", Level::Warn));
        assert!(f.text.starts_with("4 rows are an exact copy"), "{}", f.text);
        assert!(
            f.text.contains(&format!("; {across} validation text")),
            "{}",
            f.text
        );
        assert!(
            f.text.contains("(1 text with a different label)"),
            "{}",
            f.text
        );
        assert_eq!(f.fix.as_ref().map(|f| f.field), Some("drop_duplicates"));

        let dropped = DataConfig {
            drop_duplicates: true,
            seed,
            ..config(50, 10)
        };
        let c = check(&t, dropped, &binary()).unwrap();
        let d = &c.duplicates;
        assert_eq!((d.copies, d.across_split, d.dropped), (0, 0, 4));
        assert_eq!(c.rows, 10);
        assert_eq!(c.findings[3].level, Level::Ok);
        assert!(c.findings[3].text.contains("4 duplicate rows were dropped"));
        // prepare drops the same rows: the first of each text stays.
        let p = prepare(&t, dropped).unwrap();
        let mut kept: Vec<u64> = p
            .train
            .lines
            .iter()
            .chain(&p.valid.lines)
            .copied()
            .collect();
        kept.sort();
        assert_eq!(kept, [2, 4, 8, 9, 10, 11, 12, 13, 14, 15]);
        assert!(p.config.drop_duplicates, "the run records it");
    }

    #[test]
    fn reports_the_majority_class_and_unbalanced_classes() {
        let rows: Vec<(String, u8)> = (0..20)
            .map(|i| (format!("text {i} words"), u8::from(i % 5 == 0)))
            .collect();
        let rows: Vec<(&str, u8)> = rows.iter().map(|(t, l)| (t.as_str(), *l)).collect();
        let c = check(&texts(&rows), config(50, 10), &binary()).unwrap();
        assert_eq!(
            c.classes,
            [
                ClassCount {
                    name: "negative".into(),
                    rows: 16
                },
                ClassCount {
                    name: "positive".into(),
                    rows: 4
                }
            ]
        );
        assert_eq!((c.train_rows, c.valid_rows), (10, 10));
        assert_eq!(c.majority_class, "negative");
        assert_eq!(
            c.majority.accuracy, 0.8,
            "8 of the 10 validation rows are negative"
        );
        let f = &c.findings[0];
        assert_eq!(f.level, Level::Warn);
        assert!(
            f.text.contains("negative 80 %, positive 20 %"),
            "{}",
            f.text
        );
        assert!(f.text.contains("already scores 80 %"), "{}", f.text);
    }

    #[test]
    fn the_baseline_beats_the_majority_on_learnable_data() {
        let t = super::super::synthetic_texts(400, 3);
        let c = check(&t, config(2000, 64), &binary()).unwrap();
        assert!(c.baseline.accuracy > 0.9, "{:?}", c.baseline);
        assert!((c.majority.accuracy - 0.5).abs() < 0.01);
        assert_eq!(c.findings.last().unwrap().kind, "baseline");
    }

    /// The bench of docs/measurements.md: `IMDB_CSV=../shared/data/imdb_50k.csv.gz cargo test
    /// --release --lib --no-default-features --features data imdb_check -- --ignored --nocapture`.
    #[test]
    #[ignore = "needs the IMDB file; a benchmark"]
    fn imdb_check() {
        let path = std::env::var("IMDB_CSV").unwrap_or("../shared/data/imdb_50k.csv.gz".into());
        let bytes = std::fs::read(&path).expect("the IMDB file");
        let start = std::time::Instant::now();
        let t = crate::data::csv::read_labelled_texts(&bytes, &Default::default()).unwrap();
        let read = start.elapsed().as_secs_f64();
        let p0 = std::time::Instant::now();
        prepare(&t, DataConfig::default()).unwrap();
        println!(
            "split + fit + encode alone: {:.2} s",
            p0.elapsed().as_secs_f64()
        );
        let start = std::time::Instant::now();
        let c = check(&t, DataConfig::default(), &binary()).unwrap();
        let checked = start.elapsed().as_secs_f64();
        println!(
            "{path}: {} rows, read {read:.2} s, check + baseline {checked:.2} s",
            c.rows
        );
        for f in &c.findings {
            println!("{:?} {}", f.level, f.text);
        }
    }

    #[test]
    fn a_label_outside_the_classes_is_refused() {
        let t = texts(&[("a b c", 0), ("d e f", 2), ("g h i", 1), ("j k l", 0)]);
        let e = check(&t, config(10, 4), &binary()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid data settings: label 2 is not one of the 2 classes"
        );
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(int(0), "0");
        assert_eq!(int(999), "999");
        assert_eq!(int(1000), "1,000");
        assert_eq!(int(1234567), "1,234,567");
    }

    /// Rows of a dropped class are not part of the check (nor of the run it is about).
    #[test]
    fn dropped_classes_are_left_out() {
        let mut t = texts(&[
            ("a b c", 0),
            ("b c d", 1),
            ("c d e", 0),
            ("d e f", 1),
            ("x", 0),
            ("y", 1),
        ]);
        let all = check(&t, DataConfig::default(), &binary()).unwrap();
        t.labels[4] = NO_CLASS;
        t.labels[5] = NO_CLASS;
        let kept = check(&t, DataConfig::default(), &binary()).unwrap();
        assert_eq!((all.rows, kept.rows), (6, 4));
        assert_eq!(kept.short_texts, 0, "the two one-word texts were dropped");
        assert!(all.short_texts >= 2);
    }
}
