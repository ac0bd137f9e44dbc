//! A reviews CSV as a user uploads it (plain, gzip, UTF-16, any delimiter): read with the usual
//! columns and, from the first byte, with chosen columns or no header row; then checked and
//! prepared for training as the Trainer does. Any answer is fine; a panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lstm_lab::data::csv::{ColumnChoice, column_name, read_headers, read_labelled_texts};
use lstm_lab::data::{DataConfig, check_trainable, prepare};

fuzz_target!(|bytes: &[u8]| {
    let Some((&mode, file)) = bytes.split_first() else {
        return;
    };
    let choice = match mode % 3 {
        0 => ColumnChoice::default(),
        1 => ColumnChoice {
            text: Some(column_name(0)),
            label: Some(column_name(1)),
            no_header: true,
        },
        _ => ColumnChoice {
            text: Some("text".into()),
            label: Some("label".into()),
            no_header: false,
        },
    };
    let _ = read_headers(file);
    if let Ok(texts) = read_labelled_texts(file, &choice)
        && check_trainable(&texts).is_ok()
    {
        let config = DataConfig {
            vocab: 50,
            maxlen: 16,
            ..DataConfig::default()
        };
        let _ = prepare(&texts, config);
    }
});
