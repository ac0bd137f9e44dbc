//! Reading a reviews CSV: RFC 4180 quoting, embedded newlines, CRLF, a UTF-8 byte-order mark,
//! gzip. Columns are found by header name (case-insensitive, any order, extra columns ignored)
//! or chosen by the user. Every problem is reported with the line (and column) it is on.

use super::DataError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Read;

/// Which header names hold the text and the label. `None`: look for `review` / `sentiment`
/// (and a few common alternatives).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ColumnChoice {
    pub text: Option<String>,
    pub label: Option<String>,
}

const TEXT_NAMES: [&str; 4] = ["review", "text", "sentence", "content"];
const LABEL_NAMES: [&str; 4] = ["sentiment", "label", "target", "class"];

/// Labelled texts as read from the file, in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelledTexts {
    pub headers: Vec<String>,
    pub text_column: String,
    pub label_column: String,
    pub texts: Vec<String>,
    /// 1 = positive, 0 = negative.
    pub labels: Vec<u8>,
    /// The line each row starts on (1-based, the header is line 1).
    pub lines: Vec<u64>,
}

impl LabelledTexts {
    pub fn count(&self, label: u8) -> usize {
        self.labels.iter().filter(|&&l| l == label).count()
    }
}

/// `positive`/`negative` in any case (also `pos`/`neg`), or `1`/`0`.
pub fn parse_label(value: &str) -> Option<u8> {
    match value.trim().to_ascii_lowercase().as_str() {
        "positive" | "pos" | "1" => Some(1),
        "negative" | "neg" | "0" => Some(0),
        _ => None,
    }
}

/// Undo gzip if the bytes start with its magic number.
pub fn maybe_gunzip(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, DataError> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(bytes.len() * 3);
        flate2::read::MultiGzDecoder::new(bytes)
            .read_to_end(&mut out)
            .map_err(|e| {
                DataError::NotCsv(format!(
                    "the file looks gzip-compressed but cannot be unpacked: {e}"
                ))
            })?;
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
    let mut text = maybe_gunzip(bytes)?;
    if text.starts_with(b"\xEF\xBB\xBF") {
        text = text[3..].to_vec().into();
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

fn reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes)
}

fn header_names(reader: &mut csv::Reader<&[u8]>, bytes: &[u8]) -> Result<Vec<String>, DataError> {
    let record = reader
        .byte_headers()
        .map_err(|e| csv_error(e, 1, bytes))?
        .clone();
    record
        .iter()
        .enumerate()
        .map(|(i, h)| utf8(h, 1, &format!("#{}", i + 1)))
        .collect()
}

/// Only the header row, so the user can pick columns when the usual names are missing.
pub fn read_headers(bytes: &[u8]) -> Result<Vec<String>, DataError> {
    let text = text_bytes(bytes)?;
    header_names(&mut reader(&text), &text)
}

/// Parse a whole file (plain or gzip).
pub fn read_labelled_texts(
    bytes: &[u8],
    choice: &ColumnChoice,
) -> Result<LabelledTexts, DataError> {
    let text = text_bytes(bytes)?;
    let bytes: &[u8] = &text;
    let mut reader = reader(bytes);
    let headers = header_names(&mut reader, bytes)?;
    let text_index = find_column(&headers, &choice.text, &TEXT_NAMES, "text")?;
    let label_index = find_column(&headers, &choice.label, &LABEL_NAMES, "label")?;
    if text_index == label_index {
        return Err(DataError::SameColumn(headers[text_index].clone()));
    }
    let (text_name, label_name) = (headers[text_index].clone(), headers[label_index].clone());

    let mut out = LabelledTexts {
        headers: headers.clone(),
        text_column: text_name.clone(),
        label_column: label_name.clone(),
        texts: Vec::new(),
        labels: Vec::new(),
        lines: Vec::new(),
    };
    let mut unknown: BTreeMap<String, (usize, u64)> = BTreeMap::new();
    let mut record = csv::ByteRecord::new();
    let mut lines = LineCounter::default();
    let mut last_line = 1;
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
        let text = utf8(&record[text_index], line, &text_name)?;
        let label_text = utf8(&record[label_index], line, &label_name)?;
        match parse_label(&label_text) {
            Some(label) => {
                out.texts.push(text);
                out.labels.push(label);
                out.lines.push(line);
            }
            None => {
                let entry = unknown
                    .entry(label_text.trim().to_string())
                    .or_insert((0, line));
                entry.0 += 1;
            }
        }
    }
    if !unknown.is_empty() {
        let (first_value, (_, first_line)) = unknown
            .iter()
            .min_by_key(|(_, (_, line))| *line)
            .map(|(v, c)| (v.clone(), *c))
            .expect("not empty");
        let summary = unknown
            .iter()
            .map(|(v, (n, _))| format!("“{v}” ×{n}"))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(DataError::UnknownLabel {
            line: first_line,
            column: label_name,
            value: first_value,
            summary,
        });
    }
    if out.texts.is_empty() {
        return Err(DataError::HeaderOnly);
    }
    // csv reads an unclosed quote to the end of the file as one field; an odd number of quote
    // characters in the last record is the tell.
    if let Some(&line) = out.lines.last()
        && unclosed_quote(bytes, line)
    {
        return Err(DataError::UnterminatedQuote {
            line,
            preview: preview_line(bytes, line),
        });
    }
    Ok(out)
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
        self.newlines += bytes[self.offset.min(offset)..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
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
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            current += 1;
            if current == line {
                return Some(&bytes[i + 1..]);
            }
        }
    }
    None
}

/// Whether the record starting on `line` opens a quote it never closes: from there to the end
/// of the file the quote characters do not pair up (escaped quotes come in pairs).
fn unclosed_quote(bytes: &[u8], line: u64) -> bool {
    from_line(bytes, line).is_some_and(|rest| rest.iter().filter(|&&b| b == b'"').count() % 2 == 1)
}

fn preview_line(bytes: &[u8], line: u64) -> String {
    let rest = from_line(bytes, line).unwrap_or_default();
    let end = rest
        .iter()
        .position(|&b| b == b'\n')
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
            msg("text,stars\nhi,5\n").contains("no label column"),
            "{}",
            msg("text,stars\nhi,5\n")
        );
        assert!(msg("text,stars\nhi,5\n").contains("“text”, “stars”"));
        let unknown = msg("review,sentiment\na,positive\nb,neutral\nc,mixed\nd,neutral\n");
        assert!(
            unknown.starts_with("line 3, column “sentiment”: unknown label “neutral”"),
            "{unknown}"
        );
        assert!(unknown.contains("“mixed” ×1, “neutral” ×2"), "{unknown}");
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
        };
        let e = read_labelled_texts(b"review,sentiment\na,1\n", &same)
            .unwrap_err()
            .to_string();
        assert!(e.contains("both"), "{e}");
    }
}
