//! How much of a file the reader takes: every limit is checked before or while reading, so a
//! file past one gets a message naming the limit and what to do, never an out-of-memory trap in
//! the worker ("unreachable"). The limits come from the worker's WebAssembly memory
//! ([`crate::budget`]), where the page reads and trains; the CLI keeps the same ones, so a file
//! behaves the same in both. Listed in docs/hostile-files.md.

use crate::budget::{WASM_MEMORY, WASM_RESERVE};

/// The worker's memory a file's data may use, of the 4 GiB less the allocator's reserve.
const FOR_DATA: u64 = WASM_MEMORY - WASM_RESERVE;

/// Copies of a file's text the worker holds while reading and training on it: the bytes as
/// unpacked, the texts read from them, the tokenizer's words and counts (at most the text
/// again), and one more for the trainer's share (token ids, models, the run's buffers).
const TEXT_COPIES: u64 = 4;

/// The most text a file may hold (plain) or unpack to (gzip): 960 MiB, a quarter of the memory.
pub const MAX_TEXT_BYTES: usize = (FOR_DATA / TEXT_COPIES) as usize;

/// What one row costs in the worker beyond its text: its token ids at the default 128 per
/// review (512 bytes) and its text's, label's and line's bookkeeping (64 bytes at most).
const ROW_BYTES: u64 = 128 * 4 + 64;

/// The most rows a file may have: half the memory at [`ROW_BYTES`] each, rounded down to a
/// hundred thousand (3,400,000). A file of tiny rows reaches this long before its bytes matter.
pub const MAX_ROWS: usize = (FOR_DATA / 2 / ROW_BYTES / 100_000 * 100_000) as usize;

/// The most columns a header may have: a spreadsheet's (16,384, Excel's), so any file a
/// spreadsheet saved is read.
pub const MAX_COLUMNS: usize = 16_384;

/// The most bytes one field (a review) may hold: 1 MB, seventy times IMDB's longest review. A
/// longer one is almost always a quote left open, reading the rest of the file into one field.
pub const MAX_FIELD_BYTES: usize = 1_000_000;

/// `n` with thousands separators, as the messages write counts (the data check's too).
pub fn grouped(n: impl std::fmt::Display) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n` bytes as MB or GB, for messages.
pub fn megabytes(n: usize) -> String {
    if n >= 1_000_000_000 {
        format!("{:.1} GB", n as f64 / 1e9)
    } else {
        format!("{} MB", grouped(n.div_ceil(1_000_000)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limits_follow_from_the_workers_memory() {
        assert_eq!(MAX_TEXT_BYTES, 960 << 20);
        assert_eq!(MAX_ROWS, 3_400_000);
        // The rows at their cost and the text, both at their limits, fit in the memory.
        let rows = MAX_ROWS as u64 * ROW_BYTES;
        assert!(rows + MAX_TEXT_BYTES as u64 * 2 <= FOR_DATA, "{rows}");
    }

    #[test]
    fn counts_are_written_for_people() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(3_400_000), "3,400,000");
        assert_eq!(megabytes(1_006_632_960), "1.0 GB");
        assert_eq!(megabytes(1_000_001), "2 MB");
    }
}
