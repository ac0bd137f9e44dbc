//! Any text (lossily decoded, as a review's bytes are) through the Keras-style tokenizer, fitted
//! on part of it, then encoded and viewed word by word as prediction and Inside do. The first two
//! bytes pick `num_words` and `maxlen`. Beyond "no panic", the properties the model relies on:
//! ids are 1..num_words−1 (0 is padding), every id has its word, `encode` is exactly `maxlen`
//! long, and the words `views` marks as used are the ids `encode` keeps.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lstm_lab::data::tokenizer::Tokenizer;

fuzz_target!(|bytes: &[u8]| {
    let [n, m, rest @ ..] = bytes else {
        return;
    };
    let (num_words, maxlen) = (usize::from(*n % 64), usize::from(*m % 160));
    let text = String::from_utf8_lossy(rest);
    let half = text
        .char_indices()
        .nth(text.chars().count() / 2)
        .map_or(text.len(), |(i, _)| i);
    let (fit_on, read) = text.split_at(half);
    let tokenizer = Tokenizer::fit([fit_on, read], num_words);
    for id in tokenizer.ids(read) {
        assert!(
            id >= 1 && (id as usize) < num_words,
            "id {id} with num_words {num_words}"
        );
        assert!(tokenizer.word(id).is_some(), "id {id} has no word");
    }
    let encoded = tokenizer.encode(read, maxlen);
    assert_eq!(encoded.len(), maxlen);
    let used: Vec<u32> = tokenizer
        .views(read, maxlen)
        .iter()
        .filter(|v| v.used)
        .map(|v| v.id.expect("a used word has an id"))
        .collect();
    let kept: Vec<u32> = encoded.iter().copied().filter(|&id| id != 0).collect();
    assert_eq!(used, kept);
});
