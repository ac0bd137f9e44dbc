//! Keras-style tokenisation, as the post does it:
//! `Tokenizer(num_words=3000).fit_on_texts(train)`, `texts_to_sequences`, then
//! `pad_sequences(maxlen=128)`.
//!
//! - Lower-case, replace each character of Keras' default filter
//!   ``!"#$%&()*+,-./:;<=>?@[\]^_`{|}~`` plus tab and newline by a space, split on spaces.
//! - Rank words by count in the training texts; ties keep the order words were first seen
//!   (Python's sort is stable). The most frequent word gets id 1; id 0 is padding.
//! - Keep ids `1 … num_words − 1`; drop every other word (no out-of-vocabulary token).
//! - Pad and truncate at the front: keep the *last* `maxlen` ids, zeros before them.
//!
//! Where this differs from Keras: lower-casing is Rust's Unicode `to_lowercase`, which agrees
//! with Python's `str.lower` except for a handful of special cases (e.g. 'İ').

use serde::{Deserialize, Serialize};

pub(crate) const FILTERS: &str = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n";

pub(crate) use super::wordmap::WordMap;

fn is_separator(c: char) -> bool {
    super::wordsplit::is_separator(c)
}

/// A fitted vocabulary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tokenizer {
    /// `words[i]` has id `i + 1`; only the kept words (at most `num_words − 1`).
    pub words: Vec<String>,
    pub num_words: usize,
    #[serde(skip)]
    index: WordMap<u32>,
}

/// Split like Keras' `text_to_word_sequence` with its defaults (lower-case first, as Keras does).
pub fn words(text: &str) -> impl Iterator<Item = String> {
    let lower = text.to_lowercase();
    lower
        .split(is_separator)
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect::<Vec<_>>()
        .into_iter()
}

/// Call `f` on every word of `text` (those of [`words`]) without allocating one string per word.
pub(crate) fn for_each_word(text: &str, f: impl FnMut(&str)) {
    super::wordsplit::for_each_word(text, f);
}

impl Tokenizer {
    /// Fit on `texts`, keeping the `num_words − 1` most frequent words.
    pub fn fit<'a>(texts: impl IntoIterator<Item = &'a str>, num_words: usize) -> Self {
        let mut counter = Counter::default();
        for text in texts {
            for_each_word(text, |word| {
                counter.count(word);
            });
        }
        let (tokenizer, _) = counter.rank(num_words);
        tokenizer
    }

    /// [`Tokenizer::fit`] on `texts`, and each of them encoded as [`Tokenizer::encode_into`]
    /// does, appended to `out` — with one split of each text instead of two: while counting,
    /// every word's first-seen index is kept; once the words are ranked, those indices map to
    /// ids. (The training half of the IMDB file is ~6 million words; natively, with the map of
    /// strings then, splitting them once took preparing the data from 0.97–1.22 s to
    /// 0.85–1.07 s.) It keeps a `u32` per word until the words are ranked: `prepare` calls it
    /// only where the memory has room for that. (Only data preparation fits; the page's first
    /// view only encodes.)
    #[cfg(feature = "data")]
    pub(crate) fn fit_encode<'a>(
        texts: impl IntoIterator<Item = &'a str>,
        num_words: usize,
        maxlen: usize,
        out: &mut Vec<u32>,
    ) -> Self {
        let mut counter = Counter::default();
        let mut seen: Vec<u32> = Vec::new();
        let mut ends: Vec<usize> = Vec::new();
        for text in texts {
            for_each_word(text, |word| seen.push(counter.count(word)));
            ends.push(seen.len());
        }
        let (tokenizer, id_of) = counter.rank(num_words);
        let mut kept: Vec<u32> = Vec::with_capacity(maxlen);
        let mut start = 0;
        for end in ends {
            // The last `maxlen` kept ids, found from the end of the text backwards.
            kept.clear();
            for &i in seen[start..end].iter().rev() {
                if kept.len() == maxlen {
                    break;
                }
                if let Some(id) = id_of[i as usize] {
                    kept.push(id);
                }
            }
            out.extend(std::iter::repeat_n(0, maxlen - kept.len()));
            out.extend(kept.iter().rev());
            start = end;
        }
        tokenizer
    }

    /// Rebuild from a saved word list.
    pub fn from_words(words: Vec<String>, num_words: usize) -> Self {
        let index = words
            .iter()
            .enumerate()
            .map(|(i, w)| (w.clone(), i as u32 + 1))
            .collect();
        Self {
            words,
            num_words,
            index,
        }
    }

    /// Ids of the kept words of `text`, in order (unknown words dropped).
    pub fn ids(&self, text: &str) -> Vec<u32> {
        let mut ids = Vec::new();
        for_each_word(text, |w| ids.extend(self.index.get(w)));
        ids
    }

    /// The id of one (already lower-cased) word.
    pub fn id(&self, word: &str) -> Option<u32> {
        self.index.get(word).copied()
    }

    /// The word of an id (`None` for padding and out-of-range ids).
    pub fn word(&self, id: u32) -> Option<&str> {
        (id as usize)
            .checked_sub(1)
            .and_then(|i| self.words.get(i))
            .map(String::as_str)
    }

    /// `pad_sequences(..., maxlen)` with Keras' defaults: pre-padding and pre-truncation.
    pub fn encode(&self, text: &str, maxlen: usize) -> Vec<u32> {
        let mut out = Vec::with_capacity(maxlen);
        self.encode_into(text, maxlen, &mut out, &mut Vec::new());
        out
    }

    /// [`Tokenizer::encode`] appended to `out`; `ids` is scratch space, kept from text to text
    /// (encoding a split allocates nothing per text).
    pub(crate) fn encode_into(
        &self,
        text: &str,
        maxlen: usize,
        out: &mut Vec<u32>,
        ids: &mut Vec<u32>,
    ) {
        ids.clear();
        for_each_word(text, |w| ids.extend(self.index.get(w)));
        let kept = &ids[ids.len().saturating_sub(maxlen)..];
        out.extend(std::iter::repeat_n(0, maxlen - kept.len()));
        out.extend_from_slice(kept);
    }
}

/// Words counted in first-seen order: each word's index in that order in a map, its count at
/// that index — the map's entries a third of the size they were with (count, first seen) in them,
/// and there are ~100,000 of them for the IMDB file's training half.
#[derive(Default)]
struct Counter {
    first_seen: WordMap<u32>,
    counts: Vec<u64>,
}

impl Counter {
    /// Count one word; its first-seen index.
    fn count(&mut self, word: &str) -> u32 {
        match self.first_seen.get(word) {
            Some(&i) => {
                self.counts[i as usize] += 1;
                i
            }
            None => {
                let i = self.counts.len() as u32;
                self.first_seen.insert(word, i);
                self.counts.push(1);
                i
            }
        }
    }

    /// The tokenizer keeping the `num_words − 1` most frequent words (ties in first-seen order),
    /// and the id of each first-seen index (`None` for a word not kept).
    fn rank(self, num_words: usize) -> (Tokenizer, Vec<Option<u32>>) {
        let Counter { first_seen, counts } = self;
        let mut ranked: Vec<u32> = (0..counts.len() as u32).collect();
        // Stable: ties stay in first-seen order.
        ranked.sort_by(|&a, &b| counts[b as usize].cmp(&counts[a as usize]));
        ranked.truncate(num_words.saturating_sub(1));
        let mut id_of = vec![None; counts.len()];
        for (rank, &i) in ranked.iter().enumerate() {
            id_of[i as usize] = Some(rank as u32 + 1);
        }
        let mut words = vec![String::new(); ranked.len()];
        for (word, i) in first_seen {
            if let Some(id) = id_of[i as usize] {
                words[id as usize - 1] = word;
            }
        }
        (Tokenizer::from_words(words, num_words), id_of)
    }
}

/// One word of a text as the model sees it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TokenView {
    pub word: String,
    /// Its id, or `None` when it is not among the kept words.
    pub id: Option<u32>,
    /// Whether it is among the last `maxlen` ids the model reads.
    pub used: bool,
}

impl Tokenizer {
    /// Every word of `text`: which were kept, and which of them fit in the last `maxlen` ids
    /// (the ones [`Tokenizer::encode`] keeps).
    pub fn views(&self, text: &str, maxlen: usize) -> Vec<TokenView> {
        let mut tokens: Vec<TokenView> = words(text)
            .map(|word| TokenView {
                id: self.id(&word),
                word,
                used: false,
            })
            .collect();
        let mut budget = maxlen;
        for t in tokens.iter_mut().rev() {
            if t.id.is_some() && budget > 0 {
                t.used = true;
                budget -= 1;
            }
        }
        tokens
    }
}

/// Keep the last `maxlen` ids; fill the front with zeros.
pub fn pad_front(ids: &[u32], maxlen: usize) -> Vec<u32> {
    let kept = &ids[ids.len().saturating_sub(maxlen)..];
    let mut out = vec![0; maxlen - kept.len()];
    out.extend_from_slice(kept);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn splits_like_keras() {
        let got: Vec<String> = words("Hello, World!<br /><br />It's GREAT\tfun--really").collect();
        // Keras keeps the apostrophe; '<', '/', '>' become spaces, so "<br />" leaves "br".
        assert_eq!(
            got,
            [
                "hello", "world", "br", "br", "it's", "great", "fun", "really"
            ]
        );
    }

    #[test]
    fn ranks_by_count_then_first_seen_and_caps_the_vocabulary() {
        let t = Tokenizer::fit(["b a c", "c a d", "a e"], 4);
        // counts: a 3, c 2, b 1, d 1, e 1 — ties in first-seen order: b, d, e.
        assert_eq!(t.words, ["a", "c", "b"]);
        assert_eq!(t.ids("a b c d e z"), [1, 3, 2]);
        assert_eq!(t.word(2), Some("c"));
        assert_eq!(t.word(0), None);
    }

    #[test]
    fn the_separator_table_is_the_filters_and_the_space() {
        for c in (0..=0x3000).filter_map(char::from_u32) {
            assert_eq!(is_separator(c), c == ' ' || FILTERS.contains(c), "{c:?}");
        }
    }

    /// The fit as it was written first: (count, first seen) in the map, then one sort.
    fn fit_plainly(texts: &[String], num_words: usize) -> Vec<String> {
        let mut counts: HashMap<String, (u64, u64)> = HashMap::new();
        for text in texts {
            for word in words(text) {
                let seen = counts.len() as u64;
                counts.entry(word).or_insert((0, seen)).0 += 1;
            }
        }
        let mut ranked: Vec<(String, (u64, u64))> = counts.into_iter().collect();
        ranked.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.1.1.cmp(&b.1.1)));
        ranked
            .into_iter()
            .take(num_words.saturating_sub(1))
            .map(|(w, _)| w)
            .collect()
    }

    /// `at_least` to `at_least + 7` texts of up to 29 words from only 12 distinct ones, so counts
    /// tie often (vocabularies below and above their number); words apart by spaces, or by
    /// punctuation too in odd rounds.
    fn random_texts(rng: &mut crate::rng::Rng, at_least: u64, round: usize) -> Vec<String> {
        (0..at_least + rng.below(8))
            .map(|_| {
                (0..rng.below(30))
                    .map(|_| format!("W{}", rng.below(12)))
                    .collect::<Vec<_>>()
                    .join(if round.is_multiple_of(2) { " " } else { ", " })
            })
            .collect()
    }

    #[test]
    fn fits_as_the_plain_count_and_sort() {
        let mut rng = crate::rng::Rng::stream(3, 0xf17);
        for round in 0..200 {
            let texts = random_texts(&mut rng, 1, round);
            let num_words = rng.below(16) as usize;
            let fitted = Tokenizer::fit(texts.iter().map(String::as_str), num_words);
            assert_eq!(fitted.words, fit_plainly(&texts, num_words), "{texts:?}");
        }
    }

    #[test]
    fn encodes_into_a_shared_buffer_as_one_by_one() {
        let t = Tokenizer::fit(["b a c", "c a d", "a e"], 4);
        let texts = ["a b c d e z", "", "c c c c c", "A, B!"];
        let (mut out, mut scratch) = (Vec::new(), Vec::new());
        for text in texts {
            t.encode_into(text, 3, &mut out, &mut scratch);
        }
        let one_by_one: Vec<u32> = texts
            .iter()
            .flat_map(|text| pad_front(&t.ids(text), 3))
            .collect();
        assert_eq!(out, one_by_one);
        assert_eq!(&out[..3], [1, 3, 2]);
    }

    #[test]
    fn fits_and_encodes_in_one_split_as_fit_then_encode() {
        let mut rng = crate::rng::Rng::stream(5, 0xf1e);
        for round in 0..200 {
            let texts = random_texts(&mut rng, 0, round);
            let num_words = rng.below(16) as usize;
            let maxlen = 1 + rng.below(10) as usize;
            let mut together = vec![7];
            let fitted = Tokenizer::fit_encode(
                texts.iter().map(String::as_str),
                num_words,
                maxlen,
                &mut together,
            );
            let apart = Tokenizer::fit(texts.iter().map(String::as_str), num_words);
            let mut encoded = vec![7];
            for text in &texts {
                apart.encode_into(text, maxlen, &mut encoded, &mut Vec::new());
            }
            assert_eq!(fitted, apart, "{texts:?}");
            assert_eq!(together, encoded, "{texts:?} {num_words} {maxlen}");
        }
    }

    #[test]
    fn pads_and_truncates_at_the_front() {
        assert_eq!(pad_front(&[5, 6], 4), [0, 0, 5, 6]);
        assert_eq!(pad_front(&[1, 2, 3, 4, 5], 3), [3, 4, 5]);
        assert_eq!(pad_front(&[], 2), [0, 0]);
    }
}
