//! From the label column's values to classes: whatever the column holds (strings or numbers,
//! trimmed), 2 to [`MAX_CLASSES`] classes, which the user can fold (upper/lower case alike),
//! merge, drop and, for two classes, order ("positive" is the class whose probability the model
//! outputs).
//!
//! Class ids are what the model learns: `0..K`. With two classes, class 1 is the positive one,
//! so a positive/negative or 1/0 file gets exactly the ids it always had (the post's run is the
//! same run). With more, classes are sorted: numerically when every name is a number (star
//! ratings 1–5), else alphabetically.

use super::DataError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The most classes a model may have (the bound; a label column with more distinct
/// values is most likely the wrong column).
pub const MAX_CLASSES: usize = 100;

/// A row whose class the user dropped: not trained on, not validated on.
pub const NO_CLASS: u8 = u8::MAX;

/// What the user chose to do with the label values.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LabelChoice {
    /// Treat upper and lower case alike (`Spam` = `spam`); values are then lower-cased.
    pub fold_case: bool,
    /// `[value, class]`: rows with this value (after folding) belong to that class; merging two
    /// values into one class, or renaming one.
    pub merge: Vec<(String, String)>,
    /// Classes not to train on.
    pub drop: Vec<String>,
    /// With two classes, the one whose probability the model gives (class id 1).
    pub positive: Option<String>,
}

/// `positive`/`negative` (also `pos`/`neg`, `yes`/`no`, `true`/`false`) in any case, or
/// `1`/`0`: which of a two-class file is the positive one, without asking.
pub fn known_polarity(value: &str) -> Option<u8> {
    match value.trim().to_ascii_lowercase().as_str() {
        "positive" | "pos" | "1" | "yes" | "true" => Some(1),
        "negative" | "neg" | "0" | "no" | "false" => Some(0),
        _ => None,
    }
}

/// The class of each distinct value, and the classes' names by id.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassMap {
    pub classes: Vec<String>,
    /// For each distinct value, its class id or [`NO_CLASS`].
    pub of_value: Vec<u8>,
}

/// The distinct label values of a file (trimmed, in order of first appearance) and how many
/// rows hold each.
pub fn class_map(
    values: &[String],
    counts: &[usize],
    choice: &LabelChoice,
) -> Result<ClassMap, DataError> {
    let merge: HashMap<&str, &str> = choice
        .merge
        .iter()
        .map(|(from, to)| (from.as_str(), to.as_str()))
        .collect();
    let name_of = |value: &str| -> Option<String> {
        let folded = if choice.fold_case {
            value.to_lowercase()
        } else {
            value.to_string()
        };
        let name = match merge.get(folded.as_str()) {
            Some(to) => to.trim().to_string(),
            None => folded,
        };
        (!choice.drop.contains(&name)).then_some(name)
    };
    let names: Vec<Option<String>> = values.iter().map(|v| name_of(v)).collect();
    let mut classes: Vec<String> = Vec::new();
    let mut rows: HashMap<&str, usize> = HashMap::new();
    for (name, &count) in names.iter().zip(counts) {
        if let Some(name) = name {
            if !rows.contains_key(name.as_str()) {
                classes.push(name.clone());
            }
            *rows.entry(name.as_str()).or_default() += count;
        }
    }
    if classes.len() > MAX_CLASSES {
        return Err(DataError::TooManyClasses {
            count: classes.len(),
        });
    }
    order_classes(&mut classes, &rows, choice.positive.as_deref());
    let id: HashMap<&str, u8> = classes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i as u8))
        .collect();
    let of_value = names
        .iter()
        .map(|n| n.as_deref().map_or(NO_CLASS, |n| id[n]))
        .collect();
    Ok(ClassMap { classes, of_value })
}

/// Sorted (numerically when every name is a number); with two, the positive one second.
fn order_classes(classes: &mut [String], rows: &HashMap<&str, usize>, positive: Option<&str>) {
    let numbers: Option<Vec<f64>> = classes.iter().map(|c| c.parse::<f64>().ok()).collect();
    if numbers.is_some_and(|n| n.iter().all(|x| x.is_finite())) {
        classes.sort_by(|a, b| a.parse::<f64>().unwrap().total_cmp(&b.parse().unwrap()));
    } else {
        classes.sort_by(|a, b| a.to_lowercase().cmp(&b.to_lowercase()).then(a.cmp(b)));
    }
    if let [a, b] = classes {
        let second_is_positive = match positive {
            Some(p) if p == a.as_str() => false,
            Some(p) if p == b.as_str() => true,
            // positive/negative, 1/0, yes/no: as the file says.
            _ => match (known_polarity(a), known_polarity(b)) {
                (Some(x), Some(y)) if x != y => y == 1,
                // spam/ham: the rarer class is usually the one asked about.
                _ => rows[a.as_str()] >= rows[b.as_str()],
            },
        };
        if !second_is_positive {
            std::mem::swap(a, b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(values: &[&str], counts: &[usize], choice: &LabelChoice) -> ClassMap {
        let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        class_map(&values, counts, choice).unwrap()
    }

    #[test]
    fn known_pairs_keep_their_ids() {
        for (values, positive) in [
            (["positive", "negative"], "positive"),
            (["negative", "positive"], "positive"),
            (["1", "0"], "1"),
            (["no", "yes"], "yes"),
        ] {
            let m = map(&values, &[5, 5], &LabelChoice::default());
            assert_eq!(m.classes[1], positive, "{values:?}");
            let pos = values.iter().position(|v| *v == positive).unwrap();
            assert_eq!(m.of_value[pos], 1);
        }
    }

    #[test]
    fn any_pair_puts_the_rarer_class_or_the_chosen_one_second() {
        let m = map(&["ham", "spam"], &[90, 10], &LabelChoice::default());
        assert_eq!(m.classes, ["ham", "spam"]);
        let m = map(&["spam", "ham"], &[90, 10], &LabelChoice::default());
        assert_eq!(m.classes, ["spam", "ham"]);
        let chosen = LabelChoice {
            positive: Some("spam".into()),
            ..Default::default()
        };
        let m = map(&["spam", "ham"], &[90, 10], &chosen);
        assert_eq!(
            (m.classes.as_slice(), m.of_value.as_slice()),
            (&["ham".to_string(), "spam".into()][..], &[1, 0][..])
        );
    }

    #[test]
    fn numbers_sort_numerically_and_names_alphabetically() {
        let m = map(
            &["10", "2", "1", "5"],
            &[1, 1, 1, 1],
            &LabelChoice::default(),
        );
        assert_eq!(m.classes, ["1", "2", "5", "10"]);
        assert_eq!(m.of_value, [3, 1, 0, 2]);
        let m = map(
            &["sport", "Art", "news"],
            &[1, 1, 1],
            &LabelChoice::default(),
        );
        assert_eq!(m.classes, ["Art", "news", "sport"]);
    }

    #[test]
    fn fold_merge_and_drop() {
        let values = ["Pos", "pos", "neutral", "neg", "NEG", "spam"];
        let counts = [1, 2, 3, 4, 5, 6];
        let m = map(&values, &counts, &LabelChoice::default());
        assert_eq!(m.classes.len(), 6, "case matters unless folded");
        let choice = LabelChoice {
            fold_case: true,
            merge: vec![("neutral".into(), "pos".into())],
            drop: vec!["spam".into()],
            positive: None,
        };
        let m = map(&values, &counts, &choice);
        assert_eq!(m.classes, ["neg", "pos"]);
        assert_eq!(m.of_value, [1, 1, 1, 0, 0, NO_CLASS]);
    }

    #[test]
    fn more_than_the_most_classes_is_refused() {
        let values: Vec<String> = (0..=MAX_CLASSES).map(|i| format!("c{i}")).collect();
        let counts = vec![1; values.len()];
        let e = class_map(&values, &counts, &LabelChoice::default()).unwrap_err();
        assert_eq!(
            e,
            DataError::TooManyClasses {
                count: MAX_CLASSES + 1
            }
        );
        let fewer = LabelChoice {
            drop: vec!["c0".into()],
            ..Default::default()
        };
        assert_eq!(
            class_map(&values, &counts, &fewer).unwrap().classes.len(),
            MAX_CLASSES
        );
    }
}
