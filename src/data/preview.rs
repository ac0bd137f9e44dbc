//! What the page shows of a dataset: a preview of the file before training, and, once it is
//! split and tokenised, how the vocabulary and `maxlen` shape it (how many reviews lose their
//! beginning to truncation). Computed here, not at the browser boundary, so it is tested natively.

use super::csv::LabelledTexts;
use super::labels::{LabelChoice, NO_CLASS};
use super::{Prepared, check_trainable, class_counts};
use serde::Serialize;

/// Rows shown in the preview, and characters shown of each.
const SAMPLE_ROWS: usize = 5;
const EXCERPT_CHARS: usize = 220;
/// Reviews tokenised in full to estimate the truncated share (the whole file would cost
/// seconds on the full IMDB set, for a number shown to two digits).
const TRUNCATION_SAMPLE: usize = 2000;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SampleRow {
    pub line: u64,
    pub text: String,
    /// The row's class, or `None` when its class is dropped.
    pub label: Option<String>,
}

/// A class and its rows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassRows {
    pub name: String,
    pub rows: usize,
}

/// A distinct value of the label column: its rows, the line it is first on, its class.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValueRows {
    pub value: String,
    pub rows: usize,
    pub first_line: u64,
    /// `None`: dropped.
    pub class: Option<String>,
}

/// What the page shows before training.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Preview {
    /// Rows with a label (those of dropped classes included).
    pub rows: usize,
    /// By class id; with two, the second is the positive class.
    pub classes: Vec<ClassRows>,
    /// The label column's values, in order of first appearance.
    pub values: Vec<ValueRows>,
    /// Rows of dropped classes.
    pub dropped: usize,
    /// Rows left out because their label is empty.
    pub empty_labels: usize,
    /// The choice these classes come from.
    pub choice: LabelChoice,
    /// Why these classes cannot be trained on yet (a class of one row, a single class), with
    /// what to do; training is refused until the user fixes it.
    pub problem: Option<String>,
    pub headers: Vec<String>,
    pub text_column: String,
    pub label_column: String,
    pub empty_texts: usize,
    pub sample: Vec<SampleRow>,
}

/// A prepared dataset, in numbers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub train_rows: usize,
    pub valid_rows: usize,
    pub words: usize,
    pub top_words: Vec<String>,
    /// Share of reviews longer than `maxlen` (their beginning is cut), estimated on the first
    /// reviews of the file.
    pub truncated: f64,
    /// Mean number of kept ids per training review (before padding).
    pub mean_ids: f64,
}

fn excerpt(text: &str, chars: usize) -> String {
    let mut s: String = text.chars().take(chars).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}

pub fn preview(texts: &LabelledTexts, choice: &LabelChoice) -> Preview {
    let class_of = |l: u8| (l != NO_CLASS).then(|| texts.classes[l as usize].clone());
    let mut class_of_value = vec![NO_CLASS; texts.values.len()];
    for (&v, &l) in texts.value_of_row.iter().zip(&texts.labels) {
        class_of_value[v as usize] = l;
    }
    let counts = texts.value_counts();
    let first = texts.value_first_lines();
    Preview {
        rows: texts.texts.len(),
        classes: texts
            .classes
            .iter()
            .zip(class_counts(texts))
            .map(|(name, rows)| ClassRows {
                name: name.clone(),
                rows,
            })
            .collect(),
        values: (0..texts.values.len())
            .map(|v| ValueRows {
                value: texts.values[v].clone(),
                rows: counts[v],
                first_line: first[v],
                class: class_of(class_of_value[v]),
            })
            .collect(),
        dropped: texts.count(NO_CLASS),
        empty_labels: texts.empty_labels,
        choice: choice.clone(),
        problem: check_trainable(texts).err().map(|e| e.to_string()),
        headers: texts.headers.clone(),
        text_column: texts.text_column.clone(),
        label_column: texts.label_column.clone(),
        empty_texts: texts.texts.iter().filter(|t| t.trim().is_empty()).count(),
        sample: (0..texts.texts.len().min(SAMPLE_ROWS))
            .map(|i| SampleRow {
                line: texts.lines[i],
                text: excerpt(&texts.texts[i], EXCERPT_CHARS),
                label: class_of(texts.labels[i]),
            })
            .collect(),
    }
}

/// `data` must have been prepared from `texts`.
pub fn summarize(texts: &LabelledTexts, data: &Prepared) -> Summary {
    let kept: Vec<usize> = (0..data.train.len())
        .map(|i| data.train.row(i).iter().filter(|&&id| id != 0).count())
        .collect();
    let full_length: Vec<usize> = texts
        .texts
        .iter()
        .take(TRUNCATION_SAMPLE)
        .map(|t| data.tokenizer.ids(t).len())
        .collect();
    let maxlen = data.config.maxlen;
    Summary {
        train_rows: data.train.len(),
        valid_rows: data.valid.len(),
        words: data.tokenizer.words.len(),
        top_words: data.tokenizer.words.iter().take(24).cloned().collect(),
        truncated: full_length.iter().filter(|&&n| n > maxlen).count() as f64
            / full_length.len().max(1) as f64,
        mean_ids: kept.iter().sum::<usize>() as f64 / kept.len().max(1) as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{DataConfig, prepare};

    fn texts() -> LabelledTexts {
        let texts = ["a b c d e", "a b", "", "c d e f g h", "a"];
        let mut t = LabelledTexts::binary(
            texts.iter().map(|t| t.to_string()).collect(),
            vec![1, 0, 1, 0, 1],
            vec![2, 3, 5, 6, 7],
        );
        t.headers.push("id".into());
        t
    }

    #[test]
    fn preview_counts_and_cuts_long_texts() {
        let mut t = texts();
        t.texts[0] = "é".repeat(300);
        let p = preview(&t, &LabelChoice::default());
        let rows = |name: &str, rows| ClassRows {
            name: name.into(),
            rows,
        };
        assert_eq!(p.classes, [rows("negative", 2), rows("positive", 3)]);
        assert_eq!((p.rows, p.empty_texts, p.dropped), (5, 1, 0));
        assert_eq!(p.problem, None);
        assert_eq!(
            p.values[0],
            ValueRows {
                value: "negative".into(),
                rows: 2,
                first_line: 3,
                class: Some("negative".into())
            }
        );
        assert_eq!(p.sample.len(), 5);
        assert_eq!(p.sample[0].text.chars().count(), EXCERPT_CHARS + 1);
        assert!(p.sample[0].text.ends_with('…'));
        assert_eq!((p.sample[1].line, p.sample[1].text.as_str()), (3, "a b"));
        assert_eq!(p.sample[1].label.as_deref(), Some("negative"));
    }

    /// A class of one row and a dropped class, as the page shows them: the problem says what to
    /// do, and dropping the lone row's class clears it.
    #[test]
    fn preview_reports_a_lone_row_and_dropped_classes() {
        let mut t = texts();
        t.values = ["neg", "pos", "meh"].map(String::from).to_vec();
        t.value_of_row = vec![1, 0, 1, 0, 2];
        t.relabel(&LabelChoice::default()).unwrap();
        let p = preview(&t, &LabelChoice::default());
        assert_eq!(p.classes.len(), 3);
        assert_eq!(
            p.problem.as_deref(),
            Some(
                "only 1 row of class “meh” (line 7); training needs at least 2 of each class (one to train on, one to validate): merge it into another class or drop it"
            )
        );
        let drop = LabelChoice {
            drop: vec!["meh".into()],
            ..Default::default()
        };
        t.relabel(&drop).unwrap();
        let p = preview(&t, &drop);
        assert_eq!((p.problem, p.dropped, p.rows), (None, 1, 5));
        assert_eq!(p.values[2].class, None);
        assert_eq!(p.sample[4].label, None);
        assert_eq!(p.classes.iter().map(|c| c.rows).collect::<Vec<_>>(), [2, 2]);
    }

    #[test]
    fn summary_counts_truncated_reviews_and_kept_ids() {
        let mut t = texts();
        // One word, so whatever the split, every word is in the vocabulary: 5, 2, 0, 6, 1 ids.
        t.texts = ["a a a a a", "a a", "", "a a a a a a", "a"]
            .map(String::from)
            .to_vec();
        let config = DataConfig {
            vocab: 100,
            maxlen: 3,
            train_fraction: 0.5,
            seed: 1,
            ..Default::default()
        };
        let data = prepare(&t, config).unwrap();
        let s = summarize(&t, &data);
        assert_eq!((s.train_rows, s.valid_rows), (3, 2));
        assert_eq!(
            (s.words, s.top_words.as_slice()),
            (1, &["a".to_string()][..])
        );
        assert_eq!(s.truncated, 2.0 / 5.0, "5 and 6 ids do not fit in 3");
        let length = |line: &u64| [5, 2, 0, 6, 1][t.lines.iter().position(|l| l == line).unwrap()];
        let kept: usize = data.train.lines.iter().map(|l| length(l).min(3)).sum();
        assert_eq!(s.mean_ids, kept as f64 / 3.0);
    }
}
