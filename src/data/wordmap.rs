//! A map from words to values for the tokenizer and the data check: millions of look-ups of
//! ~100,000 distinct words, where a `HashMap<String, _>` spent most of its time in `memcmp` and
//! in following each key's pointer (measured: the hash map's work was over half of reading and
//! tokenising the IMDB file natively).
//!
//! A word of at most [`SHORT`] bytes — nearly every English word — is its own key: its bytes
//! and its length packed in a `u128`, hashed in two multiplies and compared in one instruction.
//! Longer words go in a map of strings. The packing is one-to-one (the length is part of it), so
//! the two maps hold exactly the words a map of strings would.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The longest word kept as a packed key: 15 bytes, the 16th holds the length.
const SHORT: usize = 15;

/// FxHash (rustc's): far cheaper than SipHash for millions of short words, and the keys are not
/// adversarial.
#[derive(Default)]
pub(crate) struct FxHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    /// What `write(&[i])` does, without its loop: `str`'s hash ends every word with one.
    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(SEED);
    }

    /// A packed word: its two halves.
    fn write_u128(&mut self, i: u128) {
        self.write_u64(i as u64);
        self.write_u64((i >> 64) as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type Fx = BuildHasherDefault<FxHasher>;

/// A word of at most [`SHORT`] bytes packed: bytes little-endian from the low end, the length in
/// the top byte. Read in overlapping loads rather than copied into a zeroed buffer: the copy's
/// short stores followed by one wide load stalled every look-up (store forwarding fails), a
/// fifth of the map's time in a profile.
#[inline]
fn pack(word: &str) -> Option<u128> {
    let b = word.as_bytes();
    let len = b.len();
    let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap());
    let u32_at = |i: usize| u64::from(u32::from_le_bytes(b[i..i + 4].try_into().unwrap()));
    // The low and high 8 bytes; a byte read twice lands in the same place both times.
    let (lo, hi) = match len {
        0 => (0, 0),
        1..=3 => {
            let byte = |i: usize| u64::from(b[i]) << (8 * i);
            (byte(0) | byte(len / 2) | byte(len - 1), 0)
        }
        4..=8 => (u32_at(0) | u32_at(len - 4) << (8 * (len - 4)), 0),
        9..=SHORT => (u64_at(0), u64_at(len - 8) >> (8 * (16 - len))),
        _ => return None,
    };
    Some(u128::from(lo) | u128::from(hi) << 64 | (len as u128) << 120)
}

fn unpack(packed: u128) -> String {
    let bytes = packed.to_le_bytes();
    let len = bytes[15] as usize;
    // Packed from a `str` by `pack`, so valid UTF-8.
    String::from_utf8_lossy(&bytes[..len]).into_owned()
}

/// Words to values.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct WordMap<V> {
    short: HashMap<u128, V, Fx>,
    long: HashMap<String, V, Fx>,
}

impl<V> Default for WordMap<V> {
    fn default() -> Self {
        Self {
            short: HashMap::default(),
            long: HashMap::default(),
        }
    }
}

impl<V> WordMap<V> {
    pub fn get(&self, word: &str) -> Option<&V> {
        match pack(word) {
            Some(key) => self.short.get(&key),
            None => self.long.get(word),
        }
    }

    #[cfg(any(test, feature = "data"))] // counting words; the first view only looks up
    pub fn get_mut(&mut self, word: &str) -> Option<&mut V> {
        match pack(word) {
            Some(key) => self.short.get_mut(&key),
            None => self.long.get_mut(word),
        }
    }

    /// Set `word`'s value (replacing any it had).
    pub fn insert(&mut self, word: &str, value: V) {
        match pack(word) {
            Some(key) => self.short.insert(key, value),
            None => self.long.insert(word.to_string(), value),
        };
    }

    #[cfg(any(test, feature = "data"))] // counting words; the first view only looks up
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.short.values().chain(self.long.values())
    }
}

type Unpacked<V> = fn((u128, V)) -> (String, V);

impl<V> IntoIterator for WordMap<V> {
    type Item = (String, V);
    type IntoIter = std::iter::Chain<
        std::iter::Map<std::collections::hash_map::IntoIter<u128, V>, Unpacked<V>>,
        std::collections::hash_map::IntoIter<String, V>,
    >;

    /// Every word and its value, in no particular order.
    fn into_iter(self) -> Self::IntoIter {
        let unpacked: Unpacked<V> = |(k, v)| (unpack(k), v);
        self.short.into_iter().map(unpacked).chain(self.long)
    }
}

impl<V> FromIterator<(String, V)> for WordMap<V> {
    fn from_iter<I: IntoIterator<Item = (String, V)>>(iter: I) -> Self {
        let mut map = Self::default();
        for (word, value) in iter {
            map.insert(&word, value);
        }
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_what_a_map_of_strings_holds() {
        let words = [
            "",
            "a",
            "a\0",
            "\0",
            "it's",
            "fifteen_bytes!!",
            "sixteen_bytes!!!",
            "é",
            "ünïcödé wörd",
            "a much longer word than fifteen bytes",
        ];
        let mut map = WordMap::default();
        let mut plain = HashMap::new();
        for (i, w) in words.iter().enumerate() {
            map.insert(w, i);
            plain.insert(w.to_string(), i);
        }
        for w in words {
            assert_eq!(map.get(w), plain.get(w), "{w:?}");
        }
        assert_eq!(map.get("b"), None);
        assert_eq!(map.get("a\0\0"), None);
        *map.get_mut("it's").unwrap() += 100;
        map.insert("é", 7);
        let mut back: Vec<(String, usize)> = map.into_iter().collect();
        back.sort();
        let mut want: Vec<(String, usize)> = plain.into_iter().collect();
        for (w, v) in &mut want {
            *v = match w.as_str() {
                "it's" => *v + 100,
                "é" => 7,
                _ => *v,
            };
        }
        want.sort();
        assert_eq!(back, want);
    }

    #[test]
    fn packs_as_the_bytes_in_a_zeroed_buffer() {
        let text = "abcdefghijklmnopqrstuvwxyz0123456789";
        for start in 0..4 {
            for len in 0..=20 {
                let word = &text[start..start + len];
                let plain = (len <= SHORT).then(|| {
                    let mut packed = [0u8; 16];
                    packed[..len].copy_from_slice(word.as_bytes());
                    packed[15] = len as u8;
                    u128::from_le_bytes(packed)
                });
                assert_eq!(pack(word), plain, "{word:?}");
                if let Some(p) = plain {
                    assert_eq!(unpack(p), word);
                }
            }
        }
    }

    #[test]
    fn the_one_byte_hash_is_the_loops() {
        for i in [0u8, 1, b'a', 0x7F, 0xFF] {
            let (mut short, mut looped) = (FxHasher(0x1234_5678), FxHasher(0x1234_5678));
            short.write_u8(i);
            looped.write(&[i]);
            assert_eq!(short.finish(), looped.finish(), "{i}");
        }
    }
}
