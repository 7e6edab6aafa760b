//! Legacy 8-bit Vietnamese encodings: TCVN3 (ABC, fonts ".VnTime") and VNI
//! (fonts "VNI-Times").
//!
//! Before Unicode, Vietnamese text was typed in fonts whose glyphs sat on
//! Latin-1 code points. Excel stores the code points, not the glyphs, so
//! such a file read as Unicode shows mojibake: TCVN3 "NguyÔn V¨n §øc",
//! VNI "Nguyeãn Vaên Ñöùc", both meaning "Nguyễn Văn Đức". We see the text
//! as Unicode code points U+0000–U+00FF, or as the Windows-1252 characters
//! for bytes 0x80–0x9F (€ ‚ ƒ …), and map them back.

use std::collections::HashMap;
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

use crate::cell::Cell;

/// Legacy Vietnamese 8-bit encodings seen as Latin-1 mojibake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Legacy {
    Tcvn3,
    Vni,
}

/// Windows-1252 characters for bytes 0x80–0x9F; the five bytes it leaves
/// undefined keep their C1 code point, as Windows does.
pub(crate) const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

/// The byte a mojibake character stands for, if it can stand for one.
fn legacy_byte(c: char) -> Option<u8> {
    let u = u32::from(c);
    if u <= 0xFF {
        return u8::try_from(u).ok();
    }
    CP1252_HIGH
        .iter()
        .position(|&x| x == c)
        .and_then(|i| u8::try_from(0x80 + i).ok())
}

/// TCVN3 (TCVN 5712:1993 VN3, what ABC fonts such as .VnTime implement),
/// bytes 0xA0–0xFF: the lower-case letters and the seven capitals Ă Â Ê Ô
/// Ơ Ư Đ; 0xB0–0xB4 are the standard's combining tone marks. '\0' = not a
/// VN3 code: the byte keeps its Windows-1252 meaning, as UniKey's converter
/// does (the reference table in tests/data/vn-legacy-reference.tsv). In
/// particular bytes 0x80–0x9F stay the quotes, dashes and ellipsis Word
/// typed there, not the VN1 capitals a full TCVN 5712 table puts on them:
/// .VnTime fonts have no such glyphs.
#[rustfmt::skip]
const TCVN_HIGH: [char; 96] = [
    /* 0xA0 */ '\0', 'Ă', 'Â', 'Ê', 'Ô', 'Ơ', 'Ư', 'Đ', 'ă', 'â', 'ê', 'ô', 'ơ', 'ư', 'đ', '\0',
    /* 0xB0 */ '\u{300}', '\u{309}', '\u{303}', '\u{301}', '\u{323}',
               'à', 'ả', 'ã', 'á', 'ạ', '\0', 'ằ', 'ẳ', 'ẵ', 'ắ', '\0',
    /* 0xC0 */ '\0', '\0', '\0', '\0', '\0', '\0', 'ặ', 'ầ', 'ẩ', 'ẫ', 'ấ', 'ậ', 'è', '\0', 'ẻ', 'ẽ',
    /* 0xD0 */ 'é', 'ẹ', 'ề', 'ể', 'ễ', 'ế', 'ệ', 'ì', 'ỉ', '\0', '\0', '\0', 'ĩ', 'í', 'ị', 'ò',
    /* 0xE0 */ '\0', 'ỏ', 'õ', 'ó', 'ọ', 'ồ', 'ổ', 'ỗ', 'ố', 'ộ', 'ờ', 'ở', 'ỡ', 'ớ', 'ợ', 'ù',
    /* 0xF0 */ '\0', 'ủ', 'ũ', 'ú', 'ụ', 'ừ', 'ử', 'ữ', 'ứ', 'ự', 'ỳ', 'ỷ', 'ỹ', 'ý', 'ỵ', '\0',
];

fn tcvn3_char(c: char) -> Option<char> {
    let b = legacy_byte(c)?;
    let mapped = TCVN_HIGH[usize::from(b.checked_sub(0xA0)?)];
    (mapped != '\0').then_some(mapped)
}

/// VNI for Windows, lower case: a base letter followed by at most one
/// modifier byte; i, y-with-dot, ơ, ư and đ have single-byte forms.
/// Upper case is the same table upper-cased ("AÙ" = "Á").
const VNI_LOWER: &[(&str, char)] = &[
    ("aù", 'á'),
    ("aø", 'à'),
    ("aû", 'ả'),
    ("aõ", 'ã'),
    ("aï", 'ạ'),
    ("aâ", 'â'),
    ("aá", 'ấ'),
    ("aà", 'ầ'),
    ("aå", 'ẩ'),
    ("aã", 'ẫ'),
    ("aä", 'ậ'),
    ("aê", 'ă'),
    ("aé", 'ắ'),
    ("aè", 'ằ'),
    ("aú", 'ẳ'),
    ("aü", 'ẵ'),
    ("aë", 'ặ'),
    ("eù", 'é'),
    ("eø", 'è'),
    ("eû", 'ẻ'),
    ("eõ", 'ẽ'),
    ("eï", 'ẹ'),
    ("eâ", 'ê'),
    ("eá", 'ế'),
    ("eà", 'ề'),
    ("eå", 'ể'),
    ("eã", 'ễ'),
    ("eä", 'ệ'),
    ("où", 'ó'),
    ("oø", 'ò'),
    ("oû", 'ỏ'),
    ("oõ", 'õ'),
    ("oï", 'ọ'),
    ("oâ", 'ô'),
    ("oá", 'ố'),
    ("oà", 'ồ'),
    ("oå", 'ổ'),
    ("oã", 'ỗ'),
    ("oä", 'ộ'),
    ("ô", 'ơ'),
    ("ôù", 'ớ'),
    ("ôø", 'ờ'),
    ("ôû", 'ở'),
    ("ôõ", 'ỡ'),
    ("ôï", 'ợ'),
    ("uù", 'ú'),
    ("uø", 'ù'),
    ("uû", 'ủ'),
    ("uõ", 'ũ'),
    ("uï", 'ụ'),
    ("ö", 'ư'),
    ("öù", 'ứ'),
    ("öø", 'ừ'),
    ("öû", 'ử'),
    ("öõ", 'ữ'),
    ("öï", 'ự'),
    ("í", 'í'),
    ("ì", 'ì'),
    ("æ", 'ỉ'),
    ("ó", 'ĩ'),
    ("ò", 'ị'),
    ("yù", 'ý'),
    ("yø", 'ỳ'),
    ("yû", 'ỷ'),
    ("yõ", 'ỹ'),
    ("î", 'ỵ'),
    ("ñ", 'đ'),
];

/// VNI sequences keyed by lower-cased characters; the case of the result
/// follows the base letter, so "Aù" (capital letter, small-font modifier,
/// as some files have) still reads "Á".
fn vni_map() -> &'static HashMap<(char, Option<char>), char> {
    static MAP: OnceLock<HashMap<(char, Option<char>), char>> = OnceLock::new();
    MAP.get_or_init(|| {
        VNI_LOWER
            .iter()
            .map(|(seq, out)| {
                let mut it = seq.chars();
                let base = it.next().unwrap_or(' ');
                ((base, it.next()), *out)
            })
            .collect()
    })
}

fn lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

fn with_case_of(src: char, out: char) -> char {
    if src.is_uppercase() {
        out.to_uppercase().next().unwrap_or(out)
    } else {
        out
    }
}

/// True when `s` has a character no 8-bit font could have produced: the
/// text is real Unicode (perhaps typed into a legacy file later), and
/// decoding it would garble it.
fn has_unicode_only_chars(s: &str) -> bool {
    s.chars().any(|c| legacy_byte(c).is_none())
}

impl Legacy {
    /// Decides from sample texts (cells of the first rows) whether they are
    /// TCVN3, VNI or plain Unicode (None).
    ///
    /// Each word with non-ASCII letters is checked as a Vietnamese syllable
    /// as is, and decoded each way. An encoding is chosen only when clearly
    /// more words make sense decoded than as they are, so ordinary Unicode
    /// Vietnamese (whose words already make sense), English and numbers
    /// never trigger a conversion.
    pub fn detect<'a>(samples: impl IntoIterator<Item = &'a str>) -> Option<Legacy> {
        const MAX_WORDS: usize = 20_000;
        let mut considered = 0usize;
        // [tcvn3, vni]: words valid only decoded / valid only as they are.
        let mut gain = [0usize; 2];
        let mut loss = [0usize; 2];
        'outer: for s in samples {
            if s.is_ascii() {
                continue;
            }
            // Real Unicode text counts as evidence against a conversion.
            let unicode = has_unicode_only_chars(s);
            for word in s.split_whitespace() {
                let word = word.trim_matches(|c: char| c.is_ascii_punctuation());
                if word.is_ascii()
                    || word.chars().count() < 2
                    || word.chars().any(|c| c.is_ascii_digit())
                {
                    continue;
                }
                considered += 1;
                if considered > MAX_WORDS {
                    break 'outer;
                }
                if unicode {
                    continue;
                }
                let plain = is_vi_syllable(word);
                for (i, enc) in [Legacy::Tcvn3, Legacy::Vni].into_iter().enumerate() {
                    let decoded = is_vi_syllable(&enc.decode_word(word));
                    if decoded && !plain {
                        gain[i] += 1;
                    } else if plain && !decoded {
                        loss[i] += 1;
                    }
                }
            }
        }
        let score = |i: usize| -> Option<usize> {
            let (g, l) = (gain[i], loss[i]);
            let clear = g > 3 * l && (g >= 2 || considered <= 2) && g * 10 >= considered;
            (g > 0 && clear).then(|| g - l)
        };
        match (score(0), score(1)) {
            (Some(t), Some(v)) if t > v => Some(Legacy::Tcvn3),
            (Some(t), Some(v)) if v > t => Some(Legacy::Vni),
            (Some(_), Some(_)) => None,
            (Some(_), None) => Some(Legacy::Tcvn3),
            (None, Some(_)) => Some(Legacy::Vni),
            (None, None) => None,
        }
    }

    /// [`Legacy::detect`] over the text cells of rows as read.
    pub fn detect_rows(rows: &[Vec<Cell>]) -> Option<Legacy> {
        Legacy::detect(rows.iter().flatten().filter_map(|c| match c {
            Cell::Text(s) => Some(s.as_str()),
            _ => None,
        }))
    }

    /// Converts one text to Unicode NFC. Text holding characters that no
    /// 8-bit font produces is already Unicode and is returned unchanged
    /// (NFC), so a legacy file with a few cells retyped in Unicode survives.
    pub fn decode(self, s: &str) -> String {
        if s.is_ascii() {
            return s.to_owned();
        }
        if has_unicode_only_chars(s) {
            return s.nfc().collect();
        }
        let out = match self {
            Legacy::Tcvn3 => decode_tcvn3(s),
            Legacy::Vni => map_words(s, decode_vni_word),
        };
        out.nfc().collect()
    }

    /// One whitespace-free word.
    fn decode_word(self, word: &str) -> String {
        match self {
            Legacy::Tcvn3 => {
                let (out, case) = decode_tcvn3_word(word);
                if case == WordCase::Caps {
                    out.to_uppercase()
                } else {
                    out
                }
            }
            Legacy::Vni => decode_vni_word(word),
        }
    }

    /// Stable code for forms and logs.
    pub fn code(self) -> &'static str {
        match self {
            Legacy::Tcvn3 => "tcvn3",
            Legacy::Vni => "vni",
        }
    }

    /// Name users know the encoding by (Unikey's names).
    pub fn label(self) -> &'static str {
        match self {
            Legacy::Tcvn3 => "TCVN3 (ABC)",
            Legacy::Vni => "VNI Windows",
        }
    }
}

/// Applies `f` to each whitespace-free word of `s`, keeping the whitespace.
fn map_words(s: &str, mut f: impl FnMut(&str) -> String) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut word = String::new();
    for c in s.chars() {
        if c.is_whitespace() {
            out.push_str(&f(&word));
            word.clear();
            out.push(c);
        } else {
            word.push(c);
        }
    }
    out.push_str(&f(&word));
    out
}

/// What a TCVN3 word tells of its case. TCVN3 has codes for only seven
/// capitals (Ă Â Ê Ô Ơ Ư Đ): all-capital text was typed with the lower-case
/// codes in the capitals-only fonts (.VnTimeH), so "NGUYÔN" means
/// "NGUYỄN" while "Vò" means "Vũ". Only the other letters can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WordCase {
    /// At least two capitals and no ASCII small letter: "NGUYÔN", "THUû".
    Caps,
    /// An ASCII small letter: "NguyÔn", "Thuû".
    Lower,
    /// Cannot tell: "Vò", "Lª" (one capital), "û".
    Unknown,
}

/// One TCVN3 word decoded as written (codes as lower case), and its case.
fn decode_tcvn3_word(word: &str) -> (String, WordCase) {
    let mut out = String::with_capacity(word.len() + 4);
    let mut upper = 0usize;
    let mut ascii_lower = false;
    for c in word.chars() {
        let d = tcvn3_char(c).unwrap_or(c);
        ascii_lower |= c.is_ascii_lowercase();
        upper += usize::from(d.is_uppercase());
        out.push(d);
    }
    let case = if ascii_lower {
        WordCase::Lower
    } else if upper >= 2 {
        WordCase::Caps
    } else {
        WordCase::Unknown
    };
    (out, case)
}

/// A TCVN3 text: words in capitals are upper-cased, and so are the words
/// that cannot tell when the text has capital words and no small ones
/// ("TRÇN THÞ Lª" = "TRẦN THỊ LÊ", while "Lª Hµ" stays "Lê Hà").
fn decode_tcvn3(s: &str) -> String {
    let (mut caps, mut lower) = (false, false);
    for w in s.split_whitespace() {
        match decode_tcvn3_word(w).1 {
            WordCase::Caps => caps = true,
            WordCase::Lower => lower = true,
            WordCase::Unknown => {}
        }
    }
    let all_caps = caps && !lower;
    map_words(s, |w| {
        let (out, case) = decode_tcvn3_word(w);
        if case == WordCase::Caps || (all_caps && case == WordCase::Unknown) {
            out.to_uppercase()
        } else {
            out
        }
    })
}

fn decode_vni_word(word: &str) -> String {
    let map = vni_map();
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::with_capacity(word.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let key = lower(c);
        if let Some(&next) = chars.get(i + 1)
            && let Some(&u) = map.get(&(key, Some(lower(next))))
        {
            out.push(with_case_of(c, u));
            i += 2;
            continue;
        }
        match map.get(&(key, None)) {
            Some(&u) => out.push(with_case_of(c, u)),
            None => out.push(c),
        }
        i += 1;
    }
    out
}

const TONES: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

/// Vowel groups a Vietnamese syllable can have between its initial and
/// final consonants (tone marks removed; "qu" and "gi" count as initials).
const NUCLEI: &[&str] = &[
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ai", "ao", "au", "ay", "âu", "ây",
    "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe", "oi", "oo", "ôi", "ơi", "ua", "uâ", "uê", "ui",
    "uô", "uơ", "uy", "ưa", "ưi", "ưu", "ươ", "yê", "iêu", "oai", "oao", "oay", "oeo", "uây",
    "uôi", "uya", "uyê", "uyu", "ươi", "ươu", "yêu",
];

const INITIALS: &[&str] = &[
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "đ", "g",
    "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
];

const FINALS: &[&str] = &["ng", "nh", "ch", "c", "m", "n", "p", "t"];

/// Whether `word` is a well-formed Vietnamese syllable: an initial
/// consonant, a vowel group from [`NUCLEI`], a final consonant, and at most
/// one tone mark. Used only to judge which reading of mojibake makes sense.
pub(crate) fn is_vi_syllable(word: &str) -> bool {
    let lower: String = word.chars().flat_map(char::to_lowercase).collect();
    let mut tones = 0;
    let base: String = lower
        .nfd()
        .filter(|c| {
            let t = TONES.contains(c);
            tones += usize::from(t);
            !t
        })
        .nfc()
        .collect();
    if tones > 1 || base.is_empty() {
        return false;
    }
    let vowel = |c: char| "aăâeêioôơuưy".contains(c);
    if !base
        .chars()
        .all(|c| c.is_ascii_lowercase() || "ăâêôơưđ".contains(c))
    {
        return false;
    }
    let mut rest = base.as_str();
    if let Some(init) = INITIALS.iter().find(|i| rest.starts_with(**i)) {
        let after = &rest[init.len()..];
        // "gì": the i of "gi" is the vowel when nothing else follows.
        if *init == "gi" && !after.starts_with(vowel) {
            rest = &rest[1..];
        } else {
            rest = after;
        }
    }
    let nucleus_end = rest.find(|c: char| !vowel(c)).unwrap_or(rest.len());
    let (nucleus, coda) = rest.split_at(nucleus_end);
    NUCLEI.contains(&nucleus) && (coda.is_empty() || FINALS.contains(&coda))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Vowels with their Unicode tone marks, built from Unicode itself:
    /// base + combining tone, composed.
    const VOWELS: [&str; 12] = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"];

    fn with_tone(base: &str, tone: Option<char>) -> char {
        let s: String = base.chars().chain(tone).collect::<String>().nfc().collect();
        let mut it = s.chars();
        let c = it.next().unwrap();
        assert!(it.next().is_none(), "{base} + {tone:?} does not compose");
        c
    }

    /// Independent VNI encoder from the published rules: modifier bytes by
    /// (vowel, tone), not from the decoding table.
    fn vni_encode_lower(base: &str, tone: usize) -> String {
        // tone index: 0 none, 1 acute, 2 grave, 3 hook, 4 tilde, 5 dot.
        let plain = ["", "ù", "ø", "û", "õ", "ï"];
        let circ = ["â", "á", "à", "å", "ã", "ä"];
        let breve = ["ê", "é", "è", "ú", "ü", "ë"];
        match base {
            "a" | "e" | "o" | "u" | "y" => format!("{base}{}", plain[tone]),
            "â" => format!("a{}", circ[tone]),
            "ê" => format!("e{}", circ[tone]),
            "ô" => format!("o{}", circ[tone]),
            "ă" => format!("a{}", breve[tone]),
            "ơ" => format!("ô{}", plain[tone]),
            "ư" => format!("ö{}", plain[tone]),
            "i" => ["i", "í", "ì", "æ", "ó", "ò"][tone].to_owned(),
            _ => unreachable!(),
        }
    }

    const TONE_MARKS: [Option<char>; 6] = [
        None,
        Some('\u{301}'),
        Some('\u{300}'),
        Some('\u{309}'),
        Some('\u{303}'),
        Some('\u{323}'),
    ];

    #[test]
    fn vni_every_letter_both_cases() {
        let mut checked = 0;
        for base in VOWELS {
            for (t, mark) in TONE_MARKS.iter().enumerate() {
                let uni = with_tone(base, *mark);
                let mut enc = vni_encode_lower(base, t);
                if base == "y" && t == 5 {
                    enc = "î".into(); // ỵ has its own byte
                }
                assert_eq!(Legacy::Vni.decode(&enc), uni.to_string(), "{enc}");
                let up_enc = enc.to_uppercase();
                let up = uni.to_uppercase().to_string();
                assert_eq!(Legacy::Vni.decode(&up_enc), up, "{up_enc}");
                // Inside a word, between consonants.
                assert_eq!(
                    Legacy::Vni.decode(&format!("Ng{enc}n")),
                    format!("Ng{uni}n")
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 72);
        assert_eq!(Legacy::Vni.decode("ñ"), "đ");
        assert_eq!(Legacy::Vni.decode("Ñ"), "Đ");
    }

    #[test]
    fn tcvn3_every_letter_both_cases() {
        // TCVN 5712 VN3 bytes per vowel, written down from the standard
        // (not derived from the decoding table): the base letter, then
        // grave, hook, tilde, acute, dot below.
        const BYTES: [(&str, [u8; 6]); 12] = [
            ("a", [b'a', 0xB5, 0xB6, 0xB7, 0xB8, 0xB9]),
            ("ă", [0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6]),
            ("â", [0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB]),
            ("e", [b'e', 0xCC, 0xCE, 0xCF, 0xD0, 0xD1]),
            ("ê", [0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6]),
            ("i", [b'i', 0xD7, 0xD8, 0xDC, 0xDD, 0xDE]),
            ("o", [b'o', 0xDF, 0xE1, 0xE2, 0xE3, 0xE4]),
            ("ô", [0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9]),
            ("ơ", [0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE]),
            ("u", [b'u', 0xEF, 0xF1, 0xF2, 0xF3, 0xF4]),
            ("ư", [0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9]),
            ("y", [b'y', 0xFA, 0xFB, 0xFC, 0xFD, 0xFE]),
        ];
        // Unicode side: base + combining tone, composed.
        let marks = [
            None,
            Some('\u{300}'),
            Some('\u{309}'),
            Some('\u{303}'),
            Some('\u{301}'),
            Some('\u{323}'),
        ];
        let mut checked = 0;
        for (base, bytes) in BYTES {
            for (mark, byte) in marks.iter().zip(bytes) {
                let uni = with_tone(base, *mark);
                // Latin-1 code point = the byte, as Excel shows it.
                let enc = char::from(byte).to_string();
                assert_eq!(Legacy::Tcvn3.decode(&enc), uni.to_string(), "{byte:#X}");
                assert_eq!(
                    Legacy::Tcvn3.decode(&format!("ng{enc}n")),
                    format!("ng{uni}n")
                );
                checked += 1;
                if uni.is_ascii() {
                    continue;
                }
                // Capitals: typed with the lower-case code in an all-caps
                // word (.VnTimeH), read back upper case.
                let up = uni.to_uppercase().to_string();
                assert_eq!(
                    Legacy::Tcvn3.decode(&format!("NG{enc}N")),
                    format!("NG{up}N"),
                    "{byte:#X}"
                );
            }
        }
        assert_eq!(checked, 72);
        assert_eq!(Legacy::Tcvn3.decode("\u{AE}"), "đ");
        assert_eq!(Legacy::Tcvn3.decode("\u{AE}\u{A7}"), "đĐ");
        // The capital-only codes.
        let caps = "\u{A1}\u{A2}\u{A3}\u{A4}\u{A5}\u{A6}\u{A7}";
        assert_eq!(Legacy::Tcvn3.decode(caps), "ĂÂÊÔƠƯĐ");
        // Codes VN3 does not use keep their meaning (UniKey does the
        // same): no VN1 capitals on 0x80–0x9F, where Word put its quotes
        // and dashes, nor on Latin-1 letters.
        assert_eq!(Legacy::Tcvn3.decode("\u{C4}"), "\u{C4}");
        assert_eq!(Legacy::Tcvn3.decode("€"), "€");
        assert_eq!(
            Legacy::Tcvn3.decode("“Tæ V¨n phßng” – 1…"),
            "“Tổ Văn phòng” – 1…"
        );
    }

    #[test]
    fn decodes_the_classic_examples() {
        assert_eq!(Legacy::Tcvn3.decode("NguyÔn V¨n §øc"), "Nguyễn Văn Đức");
        assert_eq!(Legacy::Vni.decode("Nguyeãn Vaên Ñöùc"), "Nguyễn Văn Đức");
        assert_eq!(Legacy::Tcvn3.decode("Hä vµ tªn"), "Họ và tên");
        assert_eq!(Legacy::Vni.decode("Hoï vaø teân"), "Họ và tên");
        assert_eq!(Legacy::Tcvn3.decode("NGUYÔN V¡N §øC"), "NGUYỄN VĂN ĐỨC");
        assert_eq!(Legacy::Tcvn3.decode("Vò ThÞ Hµ"), "Vũ Thị Hà");
        assert_eq!(Legacy::Vni.decode("NGUYEÃN VAÊN ÑÖÙC"), "NGUYỄN VĂN ĐỨC");
        assert_eq!(
            Legacy::Vni.decode("Tröông Thò Ngoïc Aùnh"),
            "Trương Thị Ngọc Ánh"
        );
        // Already Unicode: left alone.
        assert_eq!(Legacy::Tcvn3.decode("Nguyễn Văn Đức"), "Nguyễn Văn Đức");
        assert_eq!(Legacy::Vni.decode("Trần Thị Hà"), "Trần Thị Hà");
        assert_eq!(Legacy::Vni.decode("0912345678"), "0912345678");
    }

    #[test]
    fn syllables() {
        for w in [
            "nguyễn",
            "văn",
            "đức",
            "thị",
            "hà",
            "gì",
            "giang",
            "quốc",
            "khuyến",
            "trường",
            "ngoằn",
            "NGHIÊNG",
            "yến",
            "oanh",
            "Hoà",
            "hòa",
            "thuở",
            "a",
        ] {
            assert!(is_vi_syllable(w), "{w}");
        }
        for w in [
            "nguyôn", "v¨n", "§øc", "café", "müller", "nguyeãn", "vaên", "ñöùc", "street", "hóá",
            "thÞ",
        ] {
            assert!(!is_vi_syllable(w), "{w}");
        }
    }

    #[test]
    fn detects_tcvn3_and_vni() {
        let tcvn = ["Hä vµ tªn", "NguyÔn V¨n §øc", "TrÇn ThÞ Hoa", "Nam", "N÷"];
        assert_eq!(Legacy::detect(tcvn), Some(Legacy::Tcvn3));
        let vni = ["Hoï vaø teân", "Nguyeãn Vaên Ñöùc", "Traàn Thò Hoa", "Nöõ"];
        assert_eq!(Legacy::detect(vni), Some(Legacy::Vni));
        // A single short name is enough when it is all there is.
        assert_eq!(Legacy::detect(["Ng« ThÞ Lan"]), Some(Legacy::Tcvn3));
    }

    #[test]
    fn detect_does_not_misfire() {
        let unicode = [
            "Họ và tên",
            "Nguyễn Văn Đức",
            "Lê Bá Hà",
            "Tô Ánh",
            "Hòa",
            "Bé",
            "Hà Nội, Việt Nam",
            "Nữ",
        ];
        assert_eq!(Legacy::detect(unicode), None);
        // Unicode text made only of Latin-1 letters.
        assert_eq!(
            Legacy::detect(["Lê Bá Hà", "Tô Ánh", "Hòa", "Bé", "Trà"]),
            None
        );
        let english = ["Full name", "Café Müller", "José", "Straße", "naïve résumé"];
        assert_eq!(Legacy::detect(english), None);
        assert_eq!(
            Legacy::detect(["1985", "12/03/1990", "0912345678", "€ 12,50"]),
            None
        );
        assert_eq!(Legacy::detect(std::iter::empty()), None);
    }

    #[test]
    fn mixed_file_keeps_unicode_cells() {
        assert_eq!(Legacy::Tcvn3.decode("Đặng Thị Hường"), "Đặng Thị Hường");
        assert_eq!(
            Legacy::Tcvn3.decode("Nguye\u{302}\u{303}n"),
            "Nguyễn",
            "NFD Unicode is Unicode"
        );
    }

    /// UniKey's TCVN3 and VNI-WIN tables, read out of the compiled
    /// converter (see tests/data/README.md): not written from memory.
    const REFERENCE: &str = include_str!("../tests/data/vn-legacy-reference.tsv");

    struct Ref {
        kind: &'static str,
        ch: char,
        tcvn3: Vec<u8>,
        vni: Vec<u8>,
    }

    fn reference() -> Vec<Ref> {
        let hex = |h: &str| -> Vec<u8> {
            (0..h.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
                .collect()
        };
        REFERENCE
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(|l| {
                let f: Vec<&'static str> = l.split('\t').collect();
                assert_eq!(f.len(), 6, "{l}");
                let mut chars = f[1].chars();
                let ch = chars.next().unwrap();
                assert!(chars.next().is_none(), "{l}");
                assert_eq!(f[2], format!("U+{:04X}", u32::from(ch)), "{l}");
                Ref {
                    kind: f[0],
                    ch,
                    tcvn3: hex(f[4]),
                    vni: hex(f[5]),
                }
            })
            .collect()
    }

    /// Legacy bytes as our readers hand them over: a CSV's bytes decoded as
    /// Windows-1252 (read.rs), as an xlsx holds them after Excel did the
    /// same, or as Latin-1 code points (old .xls 8-bit strings).
    fn as_read(bytes: &[u8], cp1252: bool) -> String {
        bytes
            .iter()
            .map(|&b| {
                if cp1252 && (0x80..0xA0).contains(&b) {
                    CP1252_HIGH[usize::from(b - 0x80)]
                } else {
                    char::from(b)
                }
            })
            .collect()
    }

    fn letters() -> Vec<Ref> {
        reference()
            .into_iter()
            .filter(|r| r.kind == "letter")
            .collect()
    }

    /// Encodes Unicode text with the reference table (ASCII as is).
    fn encode(text: &str, enc: Legacy) -> Vec<u8> {
        let table = letters();
        let mut out = Vec::new();
        for c in text.nfc() {
            if c.is_ascii() {
                out.push(u8::try_from(c).unwrap());
                continue;
            }
            let r = table.iter().find(|r| r.ch == c).expect("a letter");
            out.extend(match enc {
                Legacy::Tcvn3 => &r.tcvn3,
                Legacy::Vni => &r.vni,
            });
        }
        out
    }

    #[test]
    fn reference_covers_every_vietnamese_letter() {
        let table = letters();
        let mut want: Vec<char> = vec!['Đ', 'đ'];
        for base in VOWELS {
            for mark in TONE_MARKS {
                let lower = with_tone(base, mark);
                for c in [lower.to_uppercase().next().unwrap(), lower] {
                    if !c.is_ascii() {
                        want.push(c);
                    }
                }
            }
        }
        let mut have: Vec<char> = table.iter().map(|r| r.ch).collect();
        want.sort_unstable();
        have.sort_unstable();
        assert_eq!(have, want);
        assert_eq!(have.len(), 134);
    }

    #[test]
    fn every_letter_decodes_as_unikey_says() {
        let table = letters();
        let mut wrong = Vec::new();
        for cp1252 in [true, false] {
            for r in &table {
                let up = r.ch.is_uppercase();
                let (pre, post) = if up { ("NG", "N") } else { ("ng", "n") };
                let want = r.ch.to_string();
                let framed = format!("{pre}{}{post}", r.ch);
                // VNI has its own codes for every capital.
                let vni = as_read(&r.vni, cp1252);
                let got = Legacy::Vni.decode(&vni);
                if got != want {
                    wrong.push(format!("VNI {vni:?} = {got}, not {want}"));
                }
                let got = Legacy::Vni.decode(&format!("{pre}{vni}{post}"));
                if got != framed {
                    wrong.push(format!("VNI {pre}{vni}{post} = {got}, not {framed}"));
                }
                // TCVN3 shares the lower-case code with most capitals: a lone
                // code reads lower case, in a word of capitals upper case.
                let tcvn = as_read(&r.tcvn3, cp1252);
                let lower_code = table
                    .iter()
                    .find(|l| Some(l.ch) == r.ch.to_lowercase().next())
                    .map(|l| &l.tcvn3);
                let own_code = !up || lower_code != Some(&r.tcvn3);
                let got = Legacy::Tcvn3.decode(&tcvn);
                let alone = if own_code {
                    want.clone()
                } else {
                    r.ch.to_lowercase().to_string()
                };
                if got != alone {
                    wrong.push(format!("TCVN3 {tcvn:?} = {got}, not {alone}"));
                }
                let got = Legacy::Tcvn3.decode(&format!("{pre}{tcvn}{post}"));
                if got != framed {
                    wrong.push(format!("TCVN3 {pre}{tcvn}{post} = {got}, not {framed}"));
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        // Of the capitals, exactly Ă Â Ê Ô Ơ Ư Đ have their own TCVN3 code.
        let own: String = table
            .iter()
            .filter(|r| {
                r.ch.is_uppercase()
                    && !table
                        .iter()
                        .any(|l| l.ch.is_lowercase() && l.tcvn3 == r.tcvn3)
            })
            .map(|r| r.ch)
            .collect();
        assert_eq!(own, "ÂĂĐÊÔƠƯ");
    }

    /// The Windows-1252 symbols on 0x80–0x9F are not letters in either
    /// encoding; UniKey keeps them (its table names U+20A1 for 0x82, a slip
    /// for the ‚ that Windows-1252 has there).
    #[test]
    fn windows_1252_symbols_are_kept() {
        let symbols: Vec<Ref> = reference()
            .into_iter()
            .filter(|r| r.kind == "symbol")
            .collect();
        assert_eq!(symbols.len(), 27);
        for r in symbols {
            assert_eq!(r.tcvn3, r.vni);
            let text = as_read(&r.tcvn3, true);
            if r.tcvn3 != [0x82] {
                assert_eq!(text, r.ch.to_string());
            }
            for enc in [Legacy::Tcvn3, Legacy::Vni] {
                assert_eq!(enc.decode(&text), text, "{enc:?} {:X?}", r.tcvn3);
                let word = format!("Ng{text}n");
                assert_eq!(enc.decode(&word), word, "{enc:?} {:X?}", r.tcvn3);
            }
        }
    }

    #[test]
    fn whole_names_in_both_cases() {
        let names = [
            "Thuỷ",
            "Nguyễn Thị Thuỷ",
            "Huỳnh",
            "Nguyễn",
            "Trường",
            "Đặng",
            "Lưu Hữu Phước",
            "Huỳnh Thị Thuý Kiều",
            "Đặng Văn Ước",
        ];
        for name in names {
            for text in [name.to_owned(), name.to_uppercase()] {
                for enc in [Legacy::Tcvn3, Legacy::Vni] {
                    let bytes = encode(&text, enc);
                    for cp1252 in [true, false] {
                        let read = as_read(&bytes, cp1252);
                        assert_eq!(enc.decode(&read), text, "{enc:?} {read:?}");
                    }
                }
            }
        }
        assert_eq!(Legacy::Vni.decode("Thuyû"), "Thuỷ");
        assert_eq!(Legacy::Vni.decode("THUYÛ"), "THUỶ");
        assert_eq!(Legacy::Tcvn3.decode("Thuû"), "Thuỷ");
        assert_eq!(Legacy::Tcvn3.decode("THUû"), "THUỶ");
        // All-capital text typed in .VnTimeH: a word with one capital
        // follows the others.
        assert_eq!(Legacy::Tcvn3.decode("TRÇN THÞ Lª"), "TRẦN THỊ LÊ");
        assert_eq!(Legacy::Tcvn3.decode("Lª Hµ"), "Lê Hà");
        assert_eq!(Legacy::Tcvn3.decode("Lª ThÞ Hµ"), "Lê Thị Hà");
    }
}
