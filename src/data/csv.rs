//! Reading a reviews CSV: RFC 4180 quoting, embedded newlines, CRLF, a UTF-8 byte-order mark,
//! gzip. Columns are found by header name (case-insensitive, any order, extra columns ignored)
//! or chosen by the user. Every problem is reported with the line (and column) it is on.

use super::DataError;
use super::limits::{MAX_COLUMNS, MAX_FIELD_BYTES, MAX_ROWS, MAX_TEXT_BYTES, grouped, megabytes};
use serde::{Deserialize, Serialize};
use std::io::Read;

/// Which header names hold the text and the label. `None`: look for `review` / `sentiment`
/// (and a few common alternatives).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ColumnChoice {
    pub text: Option<String>,
    pub label: Option<String>,
    /// The file has no header row: its first row is data, and its columns are called
    /// `column 1`, `column 2`, … (the names [`column_name`] gives).
    #[serde(default)]
    pub no_header: bool,
}

/// The name of column `index` (from 0) of a file without a header row.
pub fn column_name(index: usize) -> String {
    format!("column {}", index + 1)
}

const TEXT_NAMES: [&str; 4] = ["review", "text", "sentence", "content"];
const LABEL_NAMES: [&str; 7] = [
    "sentiment",
    "label",
    "target",
    "class",
    "category",
    "rating",
    "stars",
];

/// Labelled texts as read from the file, in file order (rows with an empty label left out).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LabelledTexts {
    pub headers: Vec<String>,
    pub text_column: String,
    pub label_column: String,
    pub texts: Vec<String>,
    /// Each row's class id (an index into `classes`), or [`NO_CLASS`] for a dropped class.
    pub labels: Vec<u8>,
    /// The classes' names by id; with two, id 1 is the positive class.
    pub classes: Vec<String>,
    /// The line each row starts on (1-based, the header is line 1).
    pub lines: Vec<u64>,
    /// The label column's distinct values (trimmed), in order of first appearance, with each
    /// row's index into them: what [`LabelledTexts::relabel`] maps to classes again.
    pub values: Vec<String>,
    pub value_of_row: Vec<u32>,
    /// Rows left out because their label is empty.
    pub empty_labels: usize,
}

impl LabelledTexts {
    /// Rows of class `label`.
    pub fn count(&self, label: u8) -> usize {
        self.labels.iter().filter(|&&l| l == label).count()
    }

    /// Rows of each distinct value, in the order of [`LabelledTexts::values`].
    pub fn value_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.values.len()];
        for &v in &self.value_of_row {
            counts[v as usize] += 1;
        }
        counts
    }

    /// The line of the first row holding each distinct value.
    pub fn value_first_lines(&self) -> Vec<u64> {
        let mut first = vec![0; self.values.len()];
        for (&v, &line) in self.value_of_row.iter().zip(&self.lines).rev() {
            first[v as usize] = line;
        }
        first
    }

    /// Map the values to classes again, as `choice` says.
    pub fn relabel(&mut self, choice: &LabelChoice) -> Result<(), DataError> {
        let map = class_map(&self.values, &self.value_counts(), choice)?;
        self.labels = self
            .value_of_row
            .iter()
            .map(|&v| map.of_value[v as usize])
            .collect();
        self.classes = map.classes;
        Ok(())
    }

    /// Texts labelled with `classes` by id, as if read from a file whose values are the names.
    pub fn with_classes(
        texts: Vec<String>,
        labels: Vec<u8>,
        classes: &[&str],
        lines: Vec<u64>,
    ) -> Self {
        LabelledTexts {
            headers: vec!["review".into(), "sentiment".into()],
            text_column: "review".into(),
            label_column: "sentiment".into(),
            texts,
            value_of_row: labels.iter().map(|&l| u32::from(l)).collect(),
            labels,
            classes: classes.iter().map(|c| c.to_string()).collect(),
            values: classes.iter().map(|c| c.to_string()).collect(),
            lines,
            empty_labels: 0,
        }
    }

    /// Positive/negative texts (label 1/0), as the post's file holds them.
    pub fn binary(texts: Vec<String>, labels: Vec<u8>, lines: Vec<u64>) -> Self {
        Self::with_classes(texts, labels, &["negative", "positive"], lines)
    }
}

pub use super::labels::{LabelChoice, NO_CLASS, known_polarity as parse_label};
use super::labels::{MAX_CLASSES, class_map};

/// Distinct label values kept while reading: a column of reviews (thousands of distinct values)
/// stops there, not after keeping every one. More than [`MAX_CLASSES`] is refused at the end.
const MAX_VALUES: usize = 10 * MAX_CLASSES;

/// The most a gzip file may unpack to (the full IMDB set is 66 MB): what the worker's memory
/// holds beside a run ([`super::limits`]); a small gzip "bomb" would otherwise take it down.
pub const MAX_UNPACKED: usize = MAX_TEXT_BYTES;

/// Undo gzip if the bytes start with its magic number.
pub fn maybe_gunzip(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, DataError> {
    gunzip_at_most(bytes, MAX_UNPACKED)
}

fn gunzip_at_most(bytes: &[u8], limit: usize) -> Result<std::borrow::Cow<'_, [u8]>, DataError> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(bytes.len().saturating_mul(3).min(limit));
        let read = flate2::read::MultiGzDecoder::new(bytes)
            .take(limit as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| {
                DataError::NotCsv(format!(
                    "the file looks gzip-compressed but cannot be unpacked: {e}"
                ))
            })?;
        if read > limit {
            return Err(DataError::TooLarge { limit });
        }
        Ok(out.into())
    } else {
        Ok(bytes.into())
    }
}

fn find_column(
    headers: &[String],
    wanted: &Option<String>,
    defaults: &[&str],
    role: &str,
) -> Result<usize, DataError> {
    let lower: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
    let position = match wanted {
        Some(name) => lower.iter().position(|h| *h == name.trim().to_lowercase()),
        None => defaults
            .iter()
            .find_map(|d| lower.iter().position(|h| h == d)),
    };
    position.ok_or_else(|| DataError::MissingColumn {
        role: role.to_string(),
        wanted: wanted.clone().unwrap_or_else(|| defaults.join(" or ")),
        found: headers.to_vec(),
    })
}

fn utf8(field: &[u8], line: u64, column: &str) -> Result<String, DataError> {
    String::from_utf8(field.to_vec()).map_err(|e| DataError::InvalidUtf8 {
        line,
        column: column.to_string(),
        byte: e.utf8_error().valid_up_to(),
    })
}

/// The text of a file without gzip and byte-order mark, refused if empty or binary.
fn text_bytes(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, DataError> {
    if bytes.len() > MAX_TEXT_BYTES {
        return Err(DataError::OverLimit(format!(
            "the file holds {}, more than the {} the trainer's memory holds beside a run; use a smaller part of it",
            megabytes(bytes.len()),
            megabytes(MAX_TEXT_BYTES)
        )));
    }
    let mut text = maybe_gunzip(bytes)?;
    if text.starts_with(b"\xEF\xBB\xBF") {
        text = text[3..].to_vec().into();
    } else if let Some(utf8) = from_utf16(&text)? {
        text = utf8.into_bytes().into();
    }
    if text.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(DataError::Empty);
    }
    if let Some(pos) = text.iter().take(4096).position(|&b| b == 0) {
        return Err(DataError::NotCsv(format!(
            "it contains binary data (a zero byte at offset {pos}); expected a text file with a header row"
        )));
    }
    Ok(text)
}

/// A file with a UTF-16 byte-order mark (as some spreadsheet programs save "Unicode text"),
/// transcoded to UTF-8; `None` without one.
fn from_utf16(bytes: &[u8]) -> Result<Option<String>, DataError> {
    let little = match bytes {
        [0xFF, 0xFE, ..] => true,
        [0xFE, 0xFF, ..] => false,
        _ => return Ok(None),
    };
    let units: Vec<u16> = bytes[2..]
        .chunks(2)
        .map(|c| {
            let pair = [c[0], *c.get(1).unwrap_or(&0)];
            if little {
                u16::from_le_bytes(pair)
            } else {
                u16::from_be_bytes(pair)
            }
        })
        .collect();
    String::from_utf16(&units).map(Some).map_err(|_| {
        DataError::NotCsv(
            "it starts like UTF-16 text but is not valid UTF-16; save it as UTF-8".into(),
        )
    })
}

/// The field separator: a comma, unless the header row has none and has semicolons or tabs
/// (as spreadsheets in many locales save "CSV").
fn delimiter(bytes: &[u8]) -> u8 {
    let first = &bytes[..bytes
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(bytes.len())];
    let count = |d: u8| first.iter().filter(|&&b| b == d).count();
    if count(b',') > 0 {
        return b',';
    }
    [b';', b'\t']
        .into_iter()
        .max_by_key(|&d| count(d))
        .filter(|&d| count(d) > 0)
        .unwrap_or(b',')
}

fn reader(bytes: &[u8], has_headers: bool) -> csv::Reader<&[u8]> {
    // Without a header row the csv crate still hands the first row out as the "headers", and
    // again as the first record.
    csv::ReaderBuilder::new()
        .has_headers(has_headers)
        .flexible(false)
        .delimiter(delimiter(bytes))
        .from_reader(bytes)
}

fn header_names(reader: &mut csv::Reader<&[u8]>, bytes: &[u8]) -> Result<Vec<String>, DataError> {
    let record = reader
        .byte_headers()
        .map_err(|e| csv_error(e, 1, bytes))?
        .clone();
    if record.len() > MAX_COLUMNS {
        return Err(DataError::OverLimit(format!(
            "the first row has {} columns, more than the {} a spreadsheet holds; save only the review and label columns",
            grouped(record.len()),
            grouped(MAX_COLUMNS)
        )));
    }
    record
        .iter()
        .enumerate()
        .map(|(i, h)| utf8(h, 1, &format!("#{}", i + 1)))
        .collect()
}

/// Only the header row, so the user can pick columns when the usual names are missing.
pub fn read_headers(bytes: &[u8]) -> Result<Vec<String>, DataError> {
    let text = text_bytes(bytes)?;
    header_names(&mut reader(&text, true), &text)
}

/// Parse a whole file (plain or gzip).
pub fn read_labelled_texts(
    bytes: &[u8],
    choice: &ColumnChoice,
) -> Result<LabelledTexts, DataError> {
    let text = text_bytes(bytes)?;
    let bytes: &[u8] = &text;
    let mut reader = reader(bytes, !choice.no_header);
    let mut headers = header_names(&mut reader, bytes)?;
    if choice.no_header {
        headers = (0..headers.len()).map(column_name).collect();
    }
    let found = |wanted: &Option<String>, names: &[&str], role: &str| {
        find_column(&headers, wanted, names, role).map_err(|e| {
            match looks_like_data(&headers).filter(|_| !choice.no_header) {
                Some(first) => DataError::NoHeader { first },
                None => e,
            }
        })
    };
    let text_index = found(&choice.text, &TEXT_NAMES, "text")?;
    let label_index = found(&choice.label, &LABEL_NAMES, "label")?;
    if text_index == label_index {
        return Err(DataError::SameColumn(headers[text_index].clone()));
    }
    let (text_name, label_name) = (headers[text_index].clone(), headers[label_index].clone());

    let mut out = LabelledTexts {
        headers: headers.clone(),
        text_column: text_name.clone(),
        label_column: label_name.clone(),
        ..Default::default()
    };
    let mut value_ids: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    let mut record = csv::ByteRecord::new();
    let mut lines = LineCounter::default();
    let mut rows = 0usize; // every data row, its label known or not
    let mut last_kept_at = None; // the byte offset of the last row kept
    // The line before the first record: the header's, or none.
    let mut last_line = u64::from(!choice.no_header);
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(e, last_line + 1, bytes)),
        }
        let line = record
            .position()
            .map_or(last_line + 1, |p| lines.line_at(bytes, p.byte()));
        last_line = line;
        rows += 1;
        if rows > MAX_ROWS {
            return Err(DataError::OverLimit(format!(
                "line {line}: the file has more than {} rows, the most the trainer's memory holds; use a smaller part of it",
                grouped(MAX_ROWS)
            )));
        }
        for (index, name) in [(text_index, &text_name), (label_index, &label_name)] {
            if record[index].len() > MAX_FIELD_BYTES {
                return Err(DataError::OverLimit(format!(
                    "line {line}, column “{name}”: the field holds {} bytes, more than the {} one field may hold; is a quote left open before it?",
                    grouped(record[index].len()),
                    grouped(MAX_FIELD_BYTES)
                )));
            }
        }
        let text = utf8(&record[text_index], line, &text_name)?;
        let label_text = utf8(&record[label_index], line, &label_name)?;
        let value = label_text.trim();
        if value.is_empty() {
            out.empty_labels += 1;
            continue;
        }
        let id = match value_ids.get(value) {
            Some(&id) => id,
            None => {
                if out.values.len() == MAX_VALUES {
                    return Err(too_many_values(&out, line, &label_name));
                }
                let id = out.values.len() as u32;
                value_ids.insert(value.to_string(), id);
                out.values.push(value.to_string());
                id
            }
        };
        out.texts.push(text);
        out.value_of_row.push(id);
        out.lines.push(line);
        last_kept_at = record.position().map(|p| p.byte());
    }
    if out.texts.is_empty() {
        return Err(match out.empty_labels {
            0 => DataError::HeaderOnly,
            rows => DataError::NoLabels {
                rows,
                column: label_name,
            },
        });
    }
    if out.texts.iter().all(|t| t.trim().is_empty()) {
        return Err(DataError::EmptyTexts { column: text_name });
    }
    // csv reads an unclosed quote to the end of the file as one field; an odd number of quote
    // characters in the last record is the tell.
    if let Some(&line) = out.lines.last()
        && match last_kept_at {
            Some(offset) => unclosed_quote_at(bytes, offset),
            None => unclosed_quote(bytes, line),
        }
    {
        return Err(DataError::UnterminatedQuote {
            line,
            preview: preview_line(bytes, line),
        });
    }
    if out.values.len() > MAX_CLASSES {
        let line = out.value_first_lines()[MAX_CLASSES];
        return Err(too_many_values(&out, line, &label_name));
    }
    out.relabel(&LabelChoice::default())?;
    Ok(out)
}

/// A label column with more distinct values than any model has classes: most likely a column
/// of texts or ids. Names the most frequent few, shortened.
fn too_many_values(texts: &LabelledTexts, line: u64, column: &str) -> DataError {
    let counts = texts.value_counts();
    let mut by_count: Vec<(&String, usize)> = texts.values.iter().zip(counts).collect();
    by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let shown = 3;
    let mut summary = by_count
        .iter()
        .take(shown)
        .map(|(v, n)| format!("“{}” ×{n}", shorten(v, 40)))
        .collect::<Vec<_>>()
        .join(", ");
    if by_count.len() > shown {
        let more = if texts.values.len() == MAX_VALUES {
            "many".to_string()
        } else {
            (by_count.len() - shown).to_string()
        };
        summary += &format!(" … and {more} more");
    }
    DataError::TooManyLabels {
        line,
        column: column.to_string(),
        summary,
    }
}

/// At most `n` characters of `s`, with "…" when cut.
fn shorten(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// When no expected column name is in the header row, whether that row reads like data: a
/// label value among its fields, or a field long and wordy like a review. Returns its start.
fn looks_like_data(headers: &[String]) -> Option<String> {
    let wordy = |h: &String| h.chars().count() > 40 || h.split_whitespace().count() > 6;
    let labelled = headers.iter().any(|h| parse_label(h).is_some());
    (headers.iter().any(wordy) || (labelled && headers.len() > 1))
        .then(|| shorten(&headers.join(","), 60))
}

/// Whether a line ends at `bytes[i]`: a `\n`, or a `\r` not followed by `\n` (old Mac files).
fn line_end(bytes: &[u8], i: usize) -> bool {
    bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
}

/// How many line ends are in `bytes[start..end]`: every `\n`, and a `\r` not followed by one
/// ([`line_end`]). A plain count of `\n` (vectorised; this runs over the whole file), and a
/// look at each `\r` only in a part that has one.
fn line_ends(bytes: &[u8], start: usize, end: usize) -> u64 {
    let part = &bytes[start..end];
    let newlines = part.iter().filter(|&&b| b == b'\n').count();
    let lone_returns = if part.contains(&b'\r') {
        (start..end)
            .filter(|&i| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
            .count()
    } else {
        0
    };
    (newlines + lone_returns) as u64
}

/// Line numbers from byte offsets. csv's own line count lags by one after a CRLF (it has not
/// consumed the `\n` yet when the next record starts), so count newlines ourselves.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    newlines: u64,
}

impl LineCounter {
    /// The 1-based line of the record starting at `offset` (offsets must not decrease).
    fn line_at(&mut self, bytes: &[u8], offset: u64) -> u64 {
        let mut offset = (offset as usize).min(bytes.len());
        // A record "starting" on the `\n` of a CRLF starts after it.
        if bytes.get(offset) == Some(&b'\n') {
            offset += 1;
        }
        let start = self.offset.min(offset);
        self.newlines += line_ends(bytes, start, offset);
        self.offset = self.offset.max(offset);
        self.newlines + 1
    }
}

/// The bytes from the start of `line` (1-based) to the end of the file.
fn from_line(bytes: &[u8], line: u64) -> Option<&[u8]> {
    if line <= 1 {
        return Some(bytes);
    }
    let mut current = 1u64;
    for i in 0..bytes.len() {
        if line_end(bytes, i) {
            current += 1;
            if current == line {
                return Some(&bytes[i + 1..]);
            }
        }
    }
    None
}

/// Whether the record starting on `line` opens a quote it never closes. RFC 4180's quote
/// state, as the parser keeps it: a quote opens a quoted field only at the start of a field, a
/// doubled quote inside is an escaped one, and a quote inside an unquoted field (`my 5" phone`)
/// is a plain character.
fn unclosed_quote(bytes: &[u8], line: u64) -> bool {
    from_line(bytes, line).is_some_and(|rest| quote_left_open(rest, delimiter(bytes)))
}

/// [`unclosed_quote`] of the record that starts at byte `offset` (as the parser reports it),
/// found by walking back to its line's start rather than counting lines from the file's
/// start (a pass over the whole file, for the last record's check).
fn unclosed_quote_at(bytes: &[u8], offset: u64) -> bool {
    let mut start = (offset as usize).min(bytes.len());
    if bytes.get(start) == Some(&b'\n') {
        start += 1; // as in LineCounter::line_at
    }
    while start > 0 && !line_end(bytes, start - 1) {
        start -= 1;
    }
    quote_left_open(&bytes[start..], delimiter(bytes))
}

/// Whether RFC 4180's quote state is still open at the end of `rest`.
fn quote_left_open(rest: &[u8], delim: u8) -> bool {
    let (mut quoted, mut field_start) = (false, true);
    let mut i = 0;
    while i < rest.len() {
        let b = rest[i];
        if quoted {
            if b == b'"' {
                if rest.get(i + 1) == Some(&b'"') {
                    i += 1; // escaped quote
                } else {
                    quoted = false;
                }
            }
        } else if b == b'"' && field_start {
            quoted = true;
            field_start = false;
        } else {
            field_start = b == delim || b == b'\n' || b == b'\r';
        }
        i += 1;
    }
    quoted
}

fn preview_line(bytes: &[u8], line: u64) -> String {
    let rest = from_line(bytes, line).unwrap_or_default();
    let end = rest
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(rest.len())
        .min(60);
    String::from_utf8_lossy(&rest[..end]).trim_end().to_string()
}

fn csv_error(e: csv::Error, line_hint: u64, bytes: &[u8]) -> DataError {
    let line = e.position().map_or(line_hint, |p| {
        LineCounter::default().line_at(bytes, p.byte())
    });
    if unclosed_quote(bytes, line) {
        // The open quote swallowed the rest of the file, so the field count came out wrong:
        // name the real cause.
        return DataError::UnterminatedQuote {
            line,
            preview: preview_line(bytes, line),
        };
    }
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => DataError::FieldCount {
            line,
            expected: *expected_len as usize,
            found: *len as usize,
        },
        csv::ErrorKind::Utf8 { err, .. } => DataError::InvalidUtf8 {
            line,
            column: format!("#{}", err.field() + 1),
            byte: err.valid_up_to(),
        },
        _ => DataError::NotCsv(format!("line {line}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<LabelledTexts, DataError> {
        read_labelled_texts(text.as_bytes(), &ColumnChoice::default())
    }

    #[test]
    fn quoting_newlines_crlf_bom_and_column_order() {
        let csv = "\u{feff}id,Sentiment,REVIEW\r\n1,positive,\"Great, \"\"really\"\" great\r\nsecond line\"\r\n2,NEGATIVE,bad\r\n3,1,fine\n4,0,meh\n";
        let d = read(csv).unwrap();
        assert_eq!(d.texts[0], "Great, \"really\" great\r\nsecond line");
        // Four spellings are four classes until the user folds case and merges them.
        assert_eq!(d.classes, ["0", "1", "NEGATIVE", "positive"]);
        let mut d = d;
        d.relabel(&LabelChoice {
            fold_case: true,
            merge: vec![
                ("1".into(), "positive".into()),
                ("0".into(), "negative".into()),
            ],
            ..Default::default()
        })
        .unwrap();
        assert_eq!(d.classes, ["negative", "positive"]);
        assert_eq!(d.labels, vec![1, 0, 1, 0]);
        assert_eq!(d.lines, vec![2, 4, 5, 6]);
        assert_eq!(
            (d.text_column.as_str(), d.label_column.as_str()),
            ("REVIEW", "Sentiment")
        );
    }

    #[test]
    fn chosen_columns_and_gzip() {
        use flate2::{Compression, write::GzEncoder};
        use std::io::Write;
        let csv = "body,stars,mood\nnice,5,pos\nugly,1,neg\n";
        let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
        gz.write_all(csv.as_bytes()).unwrap();
        let choice = ColumnChoice {
            text: Some("Body".into()),
            label: Some("mood".into()),
            ..Default::default()
        };
        let d = read_labelled_texts(&gz.finish().unwrap(), &choice).unwrap();
        assert_eq!(d.texts, vec!["nice", "ugly"]);
        assert_eq!(d.labels, vec![1, 0]);
    }

    #[test]
    fn malformed_inputs_name_the_problem() {
        let msg = |text: &str| read(text).unwrap_err().to_string();
        assert_eq!(msg(""), "the file is empty");
        assert_eq!(
            msg("review,sentiment\n"),
            "the file has a header row but no data rows"
        );
        assert!(
            msg("text,score\nhi,5\n").contains("no label column"),
            "{}",
            msg("text,score\nhi,5\n")
        );
        assert!(msg("text,score\nhi,5\n").contains("“text”, “score”"));
        assert_eq!(
            msg("review,sentiment\na,\nb, \n"),
            "every label in column “sentiment” is empty (2 rows); is that the column with the labels? Choose the columns to use"
        );
        let quote = msg("review,sentiment\ngood,positive\n\"never closed,negative\nx,positive\n");
        assert!(
            quote.starts_with("line 3: a quoted field is never closed"),
            "{quote}"
        );
        let ragged = msg("review,sentiment\ngood,positive\nbad,negative,extra\n");
        assert!(
            ragged.starts_with("line 3: expected 2 fields, found 3"),
            "{ragged}"
        );
        let mut bytes = b"review,sentiment\ngood,positive\nbad \xff\xfe,negative\n".to_vec();
        let utf = read_labelled_texts(&bytes, &ColumnChoice::default())
            .unwrap_err()
            .to_string();
        assert!(
            utf.starts_with("line 3, column “review”: not valid UTF-8"),
            "{utf}"
        );
        bytes = vec![0x89, b'P', b'N', b'G', 0, 0, 1];
        let binary = read_labelled_texts(&bytes, &ColumnChoice::default())
            .unwrap_err()
            .to_string();
        assert!(binary.starts_with("this is not a CSV file"), "{binary}");
        let same = ColumnChoice {
            text: Some("review".into()),
            label: Some("review".into()),
            ..Default::default()
        };
        let e = read_labelled_texts(b"review,sentiment\na,1\n", &same)
            .unwrap_err()
            .to_string();
        assert!(e.contains("both"), "{e}");
    }

    #[test]
    fn semicolons_tabs_utf16_and_lone_cr() {
        let d = read("review;sentiment\ngood, really;positive\nbad;negative\n").unwrap();
        assert_eq!(d.texts, vec!["good, really", "bad"]);
        let d = read("review\tsentiment\ngood\tpositive\nbad\t0\n").unwrap();
        assert_eq!(d.labels, vec![1, 0]);
        let text = "review,sentiment\r\nsehr gut,positive\r\nschlecht,negative\r\n";
        for little in [true, false] {
            let mut bytes = if little {
                vec![0xFF, 0xFE]
            } else {
                vec![0xFE, 0xFF]
            };
            for u in text.encode_utf16() {
                bytes.extend(if little {
                    u.to_le_bytes()
                } else {
                    u.to_be_bytes()
                });
            }
            let d = read_labelled_texts(&bytes, &ColumnChoice::default()).unwrap();
            assert_eq!(d.texts, vec!["sehr gut", "schlecht"]);
            assert_eq!(d.lines, vec![2, 3]);
        }
        // Old Mac line ends: every row on its own line number.
        let d = read("review,sentiment\ra,positive\rb,negative\rc,positive\r").unwrap();
        assert_eq!(d.lines, vec![2, 3, 4]);
        let e = read("review,sentiment\ra,positive\rb,negative,x\r").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("line 3: expected 2 fields, found 3"),
            "{e}"
        );
    }

    #[test]
    fn a_quote_inside_an_unquoted_field_is_a_character() {
        let d = read("review,sentiment\nok,positive\nmy 5\" phone,negative\n").unwrap();
        assert_eq!(d.texts[1], "my 5\" phone");
        let d = read("review,sentiment\n\"say \"\"hi\"\"\",positive\n").unwrap();
        assert_eq!(d.texts[0], "say \"hi\"");
        let e = read("review,sentiment\nok,positive\n\"never closed,negative\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("line 3: a quoted field is never closed"),
            "{e}"
        );
    }

    #[test]
    fn wrong_columns_and_headerless_files_say_so_briefly() {
        let review = "An utterly charming film that I would happily watch again";
        let e = read(&format!("{review},positive\nawful,negative\n")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the first row looks like a review, not a header (“An utterly charming film that I would happily watch again,po…”); \
             add a header row such as “review,sentiment”, or choose the columns to use"
        );
        // A real header with other names is not mistaken for data.
        let e = read("text,score\nhi,5\n").unwrap_err().to_string();
        assert!(e.starts_with("no label column"), "{e}");
        // The label column chosen wrongly: hundreds of distinct "labels", each a review.
        let mut csv = String::from("a,b\n");
        for i in 0..300 {
            csv +=
                &format!("positive,this is review number {i} and it goes on for a while longer\n");
        }
        let choice = ColumnChoice {
            text: Some("a".into()),
            label: Some("b".into()),
            ..Default::default()
        };
        let e = read_labelled_texts(csv.as_bytes(), &choice)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("line 102, column “b”: more than 100 distinct labels (“this is review number 0 and it goes on f…” ×1"), "{e}");
        assert!(e.contains(" … and 297 more)"), "{e}");
        assert!(e.len() < 400, "a short message: {e}");
        let e = read("review,sentiment\n ,positive\n,negative\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "every text in column “review” is empty; is that the column with the reviews? Choose the columns to use"
        );
    }

    /// Any values are labels: trimmed, empty ones skipped and counted, case kept unless folded.
    #[test]
    fn any_label_values_become_classes() {
        let d = read(
            "review,sentiment\na, Neutral \nb,positive\nc,\nd,neutral\ne,mixed\nf,  \ng,positive\n",
        )
        .unwrap();
        assert_eq!(d.values, ["Neutral", "positive", "neutral", "mixed"]);
        assert_eq!(d.value_counts(), [1, 2, 1, 1]);
        assert_eq!(d.value_first_lines(), [2, 3, 5, 6]);
        assert_eq!(d.empty_labels, 2);
        assert_eq!(d.lines, [2, 3, 5, 6, 8]);
        assert_eq!(d.classes, ["mixed", "Neutral", "neutral", "positive"]);
        assert_eq!(d.labels, [1, 3, 2, 0, 3]);
        let mut folded = d.clone();
        folded
            .relabel(&LabelChoice {
                fold_case: true,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(folded.classes, ["mixed", "neutral", "positive"]);
        assert_eq!(folded.labels, [1, 2, 1, 0, 2]);
        let stars = read("text,stars\nok,3\ngreat,5\nbad,1\nfine,3\n").unwrap();
        assert_eq!(stars.classes, ["1", "3", "5"]);
        assert_eq!(stars.labels, [1, 2, 0, 1]);
    }

    #[test]
    fn a_file_without_a_header_row_is_read_from_its_first_row() {
        let review = "An utterly charming film that I would happily watch again";
        let csv = format!("{review},positive\nawful,negative\n\"so, so\",maybe\n");
        let choice = ColumnChoice {
            text: Some(column_name(0)),
            label: Some(column_name(1)),
            no_header: true,
        };
        // Every row is data, so the third row is on line 3, not 4.
        let d = read_labelled_texts(csv.as_bytes(), &choice).unwrap();
        assert_eq!(d.lines, [1, 2, 3]);
        assert_eq!(d.classes, ["maybe", "negative", "positive"]);
        let d =
            read_labelled_texts(csv.rsplit_once("\"so").unwrap().0.as_bytes(), &choice).unwrap();
        assert_eq!(d.texts, [review, "awful"]);
        assert_eq!(d.labels, [1, 0]);
        assert_eq!(d.lines, [1, 2]);
        assert_eq!(d.headers, ["column 1", "column 2"]);
        // A name that is not one of `column N` is a missing column, not a headerless file.
        let wrong = ColumnChoice {
            text: Some("review".into()),
            ..choice
        };
        let e = read_labelled_texts(csv.as_bytes(), &wrong).unwrap_err();
        assert_eq!(e.kind(), "missing-column", "{e}");
    }

    #[test]
    fn a_header_wider_than_a_spreadsheet_is_refused_with_or_without_the_usual_names() {
        let wide = |names: &str| {
            let mut csv: String = (0..200_000).map(|i| format!("c{i},")).collect();
            csv += names;
            csv += "\n";
            csv
        };
        for header in [wide("x"), wide("review,sentiment")] {
            let e = read(&header).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!(
                    "the first row has {} columns, more than the 16,384 a spreadsheet holds; save only the review and label columns",
                    grouped(header.split(',').count())
                )
            );
            assert_eq!(read_headers(header.as_bytes()).unwrap_err(), e);
        }
    }

    #[test]
    fn a_missing_column_names_the_first_twenty_headers_and_counts_the_rest() {
        let header: Vec<String> = (0..1000).map(|i| format!("c{i}")).collect();
        let e = read(&format!("{}\n", header.join(",")))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("“c19” … and 980 more; choose the columns"),
            "{e}"
        );
        assert!(e.len() < 500, "{e}");
    }

    #[test]
    fn a_field_past_its_limit_is_refused_with_its_line() {
        let long = "word ".repeat(MAX_FIELD_BYTES / 5 + 1);
        let e = read(&format!(
            "review,sentiment\nfine,positive\n{long},negative\n"
        ))
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "line 3, column “review”: the field holds {} bytes, more than the 1,000,000 one field may hold; is a quote left open before it?",
                grouped(long.len())
            )
        );
    }

    #[test]
    fn a_file_past_the_text_limit_is_refused_before_it_is_read() {
        let big = vec![0u8; MAX_TEXT_BYTES + 1];
        let e = read_labelled_texts(&big, &ColumnChoice::default()).unwrap_err();
        assert_eq!(e.kind(), "over-limit");
        assert!(
            e.to_string()
                .starts_with("the file holds 1.0 GB, more than the 1.0 GB"),
            "{e}"
        );
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_limit() {
        use flate2::{Compression, write::GzEncoder};
        use std::io::Write;
        let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
        gz.write_all(&vec![b'a'; 100_000]).unwrap();
        let bytes = gz.finish().unwrap();
        assert_eq!(
            gunzip_at_most(&bytes, 50_000).unwrap_err(),
            DataError::TooLarge { limit: 50_000 }
        );
        assert_eq!(gunzip_at_most(&bytes, 100_000).unwrap().len(), 100_000);
    }

    /// The line counts and the last record's quote check, from byte offsets, agree with the
    /// plain per-byte definitions (`line_end` over the file; `from_line`) on every record start
    /// of files with CRLF, lone CR, quotes, embedded newlines and empty fields.
    #[test]
    fn offset_shortcuts_agree_with_the_plain_definitions() {
        let files = [
            "review,sentiment\n\"a, \"\"b\"\"\nc\",1\n,0\n\"open,1\nx,0\n",
            "review,sentiment\r\n\"x\r\ny\",1\r\nplain,0\r\n\"never closed,1\r\n",
            "review,sentiment\rold mac,1\r\"q\rq\",0\r\rtail,1",
            "review;sentiment\n\"é, ü\";1\n;\n\"\"\"\";0\nmy 5\" phone;1",
            "review,sentiment\n\n\n\"\",1\n\r\n\"a\"\"\",\"0\"\n",
        ];
        for file in files {
            let bytes = file.as_bytes();
            let mut counter = LineCounter::default(); // as the reader uses it: offsets rising
            for offset in 0..=bytes.len() {
                let mut end = offset.min(bytes.len());
                if bytes.get(end) == Some(&b'\n') {
                    end += 1;
                }
                let plain = (0..end).filter(|&i| line_end(bytes, i)).count() as u64;
                let line = LineCounter::default().line_at(bytes, offset as u64);
                assert_eq!(line, plain + 1, "{file:?} at {offset}");
                assert_eq!(
                    counter.line_at(bytes, offset as u64),
                    line,
                    "{file:?} at {offset}"
                );
                assert_eq!(
                    unclosed_quote_at(bytes, offset as u64),
                    unclosed_quote(bytes, line),
                    "{file:?} at {offset}"
                );
            }
        }
    }

    /// A damaged gzip file (cut short, or a flipped byte) is refused with what it is, whichever
    /// inflate implementation reads it.
    #[test]
    fn a_damaged_gzip_says_so() {
        use flate2::{Compression, write::GzEncoder};
        use std::io::Write;
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(
            b"review,sentiment\ngood film,positive\nbad film,negative\n"
                .repeat(50)
                .as_slice(),
        )
        .unwrap();
        let bytes = gz.finish().unwrap();
        let cut = &bytes[..bytes.len() / 2];
        let mut flipped = bytes.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0x55;
        for damaged in [cut, &flipped[..]] {
            let e = read_labelled_texts(damaged, &ColumnChoice::default()).unwrap_err();
            assert_eq!(e.kind(), "not-csv", "{e}");
            assert!(
                e.to_string().starts_with(
                    "this is not a CSV file: the file looks gzip-compressed but cannot be unpacked"
                ),
                "{e}"
            );
        }
    }
}
