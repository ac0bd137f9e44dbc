//! What the page shows of a dataset: a preview of the file before training, and, once it is
//! split and tokenised, how the vocabulary and `maxlen` shape it (how many reviews lose their
//! beginning to truncation). Computed here, not at the browser boundary, so it is tested natively.

use super::Prepared;
use super::csv::LabelledTexts;
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
    pub label: &'static str,
}

/// What the page shows before training.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Preview {
    pub rows: usize,
    pub positive: usize,
    pub negative: usize,
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

pub fn preview(texts: &LabelledTexts) -> Preview {
    Preview {
        rows: texts.texts.len(),
        positive: texts.count(1),
        negative: texts.count(0),
        headers: texts.headers.clone(),
        text_column: texts.text_column.clone(),
        label_column: texts.label_column.clone(),
        empty_texts: texts.texts.iter().filter(|t| t.trim().is_empty()).count(),
        sample: (0..texts.texts.len().min(SAMPLE_ROWS))
            .map(|i| SampleRow {
                line: texts.lines[i],
                text: excerpt(&texts.texts[i], EXCERPT_CHARS),
                label: if texts.labels[i] == 1 {
                    "positive"
                } else {
                    "negative"
                },
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
        LabelledTexts {
            headers: vec!["review".into(), "sentiment".into(), "id".into()],
            text_column: "review".into(),
            label_column: "sentiment".into(),
            texts: texts.iter().map(|t| t.to_string()).collect(),
            labels: vec![1, 0, 1, 0, 1],
            lines: vec![2, 3, 5, 6, 7],
        }
    }

    #[test]
    fn preview_counts_and_cuts_long_texts() {
        let mut t = texts();
        t.texts[0] = "é".repeat(300);
        let p = preview(&t);
        assert_eq!(
            (p.rows, p.positive, p.negative, p.empty_texts),
            (5, 3, 2, 1)
        );
        assert_eq!(p.sample.len(), 5);
        assert_eq!(p.sample[0].text.chars().count(), EXCERPT_CHARS + 1);
        assert!(p.sample[0].text.ends_with('…'));
        assert_eq!((p.sample[1].line, p.sample[1].text.as_str()), (3, "a b"));
        assert_eq!(p.sample[1].label, "negative");
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
