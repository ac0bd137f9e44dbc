//! A model file as a user loads it. The trailing checksum is recomputed first (as a crafted
//! file would have it), so the fuzzer reaches the loader's own checks rather than stopping at
//! the checksum; a loaded model then inspects a review, as Inside the model does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lstm_lab::classifier::{file as modelfile, inspect};

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

fuzz_target!(|body: &[u8]| {
    let mut bytes = body.to_vec();
    bytes.extend_from_slice(&fnv1a(body).to_le_bytes());
    if let Ok(saved) = modelfile::load(&bytes) {
        let _ = inspect::inspect_text(
            &saved.weights,
            &saved.tokenizer(),
            saved.header.data.maxlen,
            "the film was good, a great film",
        );
    }
});
