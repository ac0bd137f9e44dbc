//! Keras' word split ([`super::tokenizer`]: lower-case, the filter characters and the space
//! separate words) in one pass over the bytes, without a lower-cased copy of each text or a
//! string per word. Fitting, encoding and checking the IMDB file split ~11 million words each;
//! the plain way (`text.to_lowercase()`, then `split`) spent most of its time copying.
//!
//! The words are exactly those of `text.to_lowercase().split(separator)` (the test below holds
//! them to that on tricky and random texts):
//! - an ASCII word without capitals is handed out as a slice of the text itself; one with
//!   capitals is lower-cased into a buffer reused from word to word;
//! - at the first non-ASCII character the rest of the text goes character by character:
//!   `str::to_lowercase` is `char::to_lowercase` of each character, except for 'Σ', whose
//!   lower case (σ or final ς) depends on its neighbours. A text with a 'Σ' past that point is
//!   lower-cased whole, as before, and split from the word in progress on (the ASCII part before
//!   it keeps its length when lower-cased, so the offsets agree).
//! - Lower-casing maps no character to a separator or from one (all separators are ASCII
//!   punctuation), so splitting before or after lower-casing gives the same words.

/// What an ASCII byte is to the splitter: [`SEPARATOR`], or the byte lower-cased.
const SEPARATOR: u8 = 0xFF;

const TABLE: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = (b as u8).to_ascii_lowercase();
        b += 1;
    }
    table[b' ' as usize] = SEPARATOR;
    let filters = super::tokenizer::FILTERS.as_bytes();
    let mut i = 0;
    while i < filters.len() {
        table[filters[i] as usize] = SEPARATOR;
        i += 1;
    }
    table
};

/// Whether `c` separates words: the space or one of Keras' filter characters.
pub(crate) fn is_separator(c: char) -> bool {
    c.is_ascii() && TABLE[c as usize] == SEPARATOR
}

/// Call `f` on every word of `text`, lower-cased, in order.
pub(crate) fn for_each_word(text: &str, mut f: impl FnMut(&str)) {
    let bytes = text.as_bytes();
    let mut lowered = String::new();
    let mut start = 0; // of the word in progress
    let mut capitals = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b >= 0x80 {
            return rest_of(text, start, &mut lowered, f);
        }
        let t = TABLE[b as usize];
        if t == SEPARATOR {
            emit(&text[start..i], capitals, &mut lowered, &mut f);
            start = i + 1;
            capitals = false;
        } else {
            capitals |= t != b;
        }
    }
    emit(&text[start..], capitals, &mut lowered, &mut f);
}

/// Hand out an ASCII word (none when empty), lower-cased if it has capitals.
fn emit(word: &str, capitals: bool, lowered: &mut String, f: &mut impl FnMut(&str)) {
    if word.is_empty() {
        return;
    }
    if capitals {
        lowered.clear();
        lowered.extend(word.bytes().map(|b| char::from(TABLE[b as usize])));
        f(lowered);
    } else {
        f(word);
    }
}

/// From the word that starts at `start` (all of `text` before it is ASCII) to the end: a
/// non-ASCII character is ahead.
fn rest_of(text: &str, start: usize, word: &mut String, mut f: impl FnMut(&str)) {
    if text[start..].contains('Σ') {
        // (The ASCII prefix is as long lower-cased: `start` is the same offset in `lower`.)
        let lower = text.to_lowercase();
        lower[start..]
            .split(is_separator)
            .filter(|w| !w.is_empty())
            .for_each(f);
        return;
    }
    word.clear();
    for c in text[start..].chars() {
        if c.is_ascii() {
            let t = TABLE[c as usize];
            if t == SEPARATOR {
                if !word.is_empty() {
                    f(word);
                    word.clear();
                }
            } else {
                word.push(char::from(t));
            }
        } else {
            word.extend(c.to_lowercase());
        }
    }
    if !word.is_empty() {
        f(word);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// The plain split: the whole text lower-cased, then split (what the tokenizer did before).
    fn plain(text: &str) -> Vec<String> {
        text.to_lowercase()
            .split(is_separator)
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    }

    fn fast(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_each_word(text, |w| out.push(w.to_string()));
        out
    }

    #[test]
    fn tricky_texts_split_as_the_plain_way() {
        let texts = [
            "",
            " ",
            "word",
            "Hello, World!<br /><br />It's GREAT\tfun--really",
            "CRLF line\r\nnext line\r\n",
            "\"quoted \"\"twice\"\"\",,empty,,fields,",
            "café CAFÉ Ünïcödé straße STRASSE",
            "ends in é",
            "ÉCOLE at the start",
            "a–b — c… d’s «quoted»",
            "ΟΔΥΣΣΕΥΣ and ΣΑΣ. ΣΑΣ.Β Σ",
            "ascii first, then ΑΣ: sigma at a word's end",
            "MIXED caseΣ",
            "İstanbul KELVIN \u{212A} \u{212B}ngström",
            "emoji 😀 ZWJ 👩‍👩‍👧 and NUL \0 inside",
            "\u{0}\u{1}\u{7F}DEL and controls",
            "tab\tnewline\nvertical\u{0B}feed\u{0C}",
            "日本語のテキスト、句読点。",
            "ﬁ ligature ＦＵＬＬＷＩＤＴＨ",
        ];
        for text in texts {
            assert_eq!(fast(text), plain(text), "{text:?}");
        }
    }

    #[test]
    fn random_texts_split_as_the_plain_way() {
        // Separators, capitals, accents, final-sigma contexts, multi-char lower cases.
        let soup: Vec<char> = "aZ Σσς.'<>/ -_\t\n\r\"éÉİ\u{212A}ΑΒΓ!?😀日ǅ\u{0345}"
            .chars()
            .collect();
        let mut rng = Rng::stream(7, 0x5011);
        for _ in 0..20_000 {
            let len = rng.below(16) as usize;
            let text: String = (0..len)
                .map(|_| soup[rng.below(soup.len() as u64) as usize])
                .collect();
            assert_eq!(fast(&text), plain(&text), "{text:?}");
        }
    }

    /// Why splitting before lower-casing is safe: no character's lower case is a separator,
    /// and no separator's is anything else.
    #[test]
    fn lower_casing_neither_makes_nor_removes_separators() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let lower: String = c.to_lowercase().collect();
            let separators = lower.chars().filter(|&l| is_separator(l)).count();
            if is_separator(c) {
                assert_eq!(lower, c.to_string(), "{c:?}");
            } else {
                assert_eq!(separators, 0, "{c:?} lower-cases to {lower:?}");
            }
        }
    }
}
