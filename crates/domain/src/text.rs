//! Vietnamese text: normalisation, accent-insensitive search keys, person
//! names and a collation key that sorts names the Vietnamese way.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::error::{DomainError, ErrorCode};

/// NFC-normalises, trims and collapses inner whitespace to one space.
///
/// Vietnamese arrives both precomposed and decomposed (macOS, some IMEs), so
/// everything we store goes through here to make equal names byte-equal.
pub fn nfc(s: &str) -> String {
    let composed: String = s.nfc().collect();
    let mut out = String::with_capacity(composed.len());
    for word in composed.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Accent- and case-insensitive search key: "ĐẶNG thị ngọc-Hường" →
/// "dang thi ngoc huong". People type searches without diacritics, and "Hoà"
/// vs "Hòa" (old vs new tone placement) must match.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars().flat_map(char::to_lowercase).nfd() {
        if is_combining_mark(c) {
            continue;
        }
        // đ has no decomposition; ð (eth) is a common look-alike typo for it.
        let c = match c {
            'đ' | 'ð' => 'd',
            c => c,
        };
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        } else {
            pending_space = true;
        }
    }
    out
}

/// Folded search tokens, for "every token must match" queries.
pub fn fold_query_tokens(q: &str) -> Vec<String> {
    fold(q)
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A validated person's full name, split the Vietnamese way:
/// family name first, given name last, middle name(s) in between.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName {
    full: String,
    family: String,
    middle: String,
    given: String,
}

impl PersonName {
    const FIELD: &'static str = "full_name";

    /// One word is allowed (some ethnic-minority people have a single name);
    /// it is then the given name.
    pub fn parse(s: &str) -> Result<PersonName, DomainError> {
        let err = |code| DomainError::new(code, Self::FIELD);
        let full = nfc(s);
        if full.is_empty() {
            return Err(err(ErrorCode::Required));
        }
        let len = full.chars().count();
        if !(2..=100).contains(&len) {
            return Err(err(ErrorCode::NameLength));
        }
        let allowed = |c: char| {
            c.is_alphabetic() || is_combining_mark(c) || matches!(c, ' ' | '\'' | '’' | '-' | '.')
        };
        if !full.chars().all(allowed) {
            return Err(err(ErrorCode::NameInvalidChars));
        }
        if !full.chars().any(char::is_alphabetic) {
            return Err(err(ErrorCode::NameNoLetter));
        }
        let words: Vec<&str> = full.split(' ').collect();
        let (family, middle, given) = split_name_words(&words);
        Ok(PersonName {
            family: family.join(" "),
            middle: middle.join(" "),
            given: given.join(" "),
            full,
        })
    }

    pub fn full(&self) -> &str {
        &self.full
    }

    pub fn as_str(&self) -> &str {
        &self.full
    }

    /// Họ.
    pub fn family(&self) -> &str {
        &self.family
    }

    /// Tên đệm; empty when the name has fewer than three words.
    pub fn middle(&self) -> &str {
        &self.middle
    }

    /// Tên.
    pub fn given(&self) -> &str {
        &self.given
    }

    /// See [`name_sort_key`].
    pub fn sort_key(&self) -> String {
        name_sort_key(&self.full)
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full)
    }
}

impl FromStr for PersonName {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PersonName::parse(s)
    }
}

impl TryFrom<String> for PersonName {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        PersonName::parse(&s)
    }
}

impl From<PersonName> for String {
    fn from(n: PersonName) -> String {
        n.full
    }
}

/// (family, middle, given) word slices.
fn split_name_words<'a, 'b>(words: &'b [&'a str]) -> (&'b [&'a str], &'b [&'a str], &'b [&'a str]) {
    match words.len() {
        0 => (&[], &[], &[]),
        1 => (&[], &[], words),
        n => (&words[..1], &words[1..n - 1], &words[n - 1..]),
    }
}

// Sort key alphabet. Bytewise order must be:
// PART_SEP < TONE_SEP < WORD_SEP < tone digits / digit codes < letter codes.
const PART_SEP: char = '!';
const TONE_SEP: char = '#';
const WORD_SEP: char = '+';
/// Ends each word's tone list; below the tone digits '1'..='5' so that a
/// word without a tone sorts first.
const TONE_END: char = '0';
/// Prefix of a fixed-width hex code for characters outside the alphabet;
/// sorts after every letter code.
const OTHER_PREFIX: char = '~';

/// Vietnamese alphabet (with f j w z in their Latin place), one ASCII code
/// per letter, in increasing byte order.
const LETTERS: [char; 33] = [
    'a', 'ă', 'â', 'b', 'c', 'd', 'đ', 'e', 'ê', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    'ô', 'ơ', 'p', 'q', 'r', 's', 't', 'u', 'ư', 'v', 'w', 'x', 'y', 'z',
];
const LETTER_CODES: &[u8; 33] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg";

const BREVE: char = '\u{0306}';
const CIRCUMFLEX: char = '\u{0302}';
const HORN: char = '\u{031B}';

/// Tone rank in Vietnamese dictionary order: (none), huyền, hỏi, ngã, sắc, nặng.
fn tone_digit(mark: char) -> Option<char> {
    match mark {
        '\u{0300}' => Some('1'), // huyền (grave)
        '\u{0309}' => Some('2'), // hỏi (hook above)
        '\u{0303}' => Some('3'), // ngã (tilde)
        '\u{0301}' => Some('4'), // sắc (acute)
        '\u{0323}' => Some('5'), // nặng (dot below)
        _ => None,
    }
}

fn letter_code(base: char, breve: bool, circumflex: bool, horn: bool) -> Option<u8> {
    let letter = match base {
        'a' if breve => 'ă',
        'a' if circumflex => 'â',
        'e' if circumflex => 'ê',
        'o' if circumflex => 'ô',
        'o' if horn => 'ơ',
        'u' if horn => 'ư',
        'ð' => 'đ',
        c => c,
    };
    LETTERS
        .iter()
        .position(|&l| l == letter)
        .map(|i| LETTER_CODES[i])
}

/// Appends the primary code of `word` to `out` and its tone list to `tones`.
fn encode_word(word: &str, out: &mut String, tones: &mut String) {
    let chars: Vec<char> = word.chars().flat_map(char::to_lowercase).nfd().collect();
    let mut i = 0;
    while i < chars.len() {
        let base = chars[i];
        i += 1;
        if is_combining_mark(base) {
            // A stray mark with no base letter still carries its tone.
            tones.extend(tone_digit(base));
            continue;
        }
        let (mut breve, mut circumflex, mut horn) = (false, false, false);
        while let Some(&m) = chars.get(i).filter(|&&m| is_combining_mark(m)) {
            match m {
                BREVE => breve = true,
                CIRCUMFLEX => circumflex = true,
                HORN => horn = true,
                m => tones.extend(tone_digit(m)),
            }
            i += 1;
        }
        if base.is_ascii_digit() {
            out.push(base);
        } else if let Some(code) = letter_code(base, breve, circumflex, horn) {
            out.push(char::from(code));
        } else if base.is_alphanumeric() {
            out.push(OTHER_PREFIX);
            out.push_str(&format!("{:06X}", u32::from(base)));
        }
        // Apostrophes, hyphens, dots and the like do not take part in sorting.
    }
    tones.push(TONE_END);
}

fn encode_part(words: &[&str], out: &mut String) {
    let mut tones = String::new();
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            out.push(WORD_SEP);
        }
        encode_word(word, out, &mut tones);
    }
    out.push(TONE_SEP);
    out.push_str(&tones);
}

/// ASCII key whose byte order is the Vietnamese order of a title read left to
/// right (unit names, not person names: no given-name-first reordering).
pub fn text_sort_key(s: &str) -> String {
    let norm = nfc(s);
    let words: Vec<&str> = norm.split(' ').filter(|w| !w.is_empty()).collect();
    let mut key = String::with_capacity(norm.len() * 2 + 2);
    encode_part(&words, &mut key);
    key
}

/// ASCII key whose plain byte order is Vietnamese name order, so the
/// database can `ORDER BY sort_key` under the C collation (SQLite and
/// PostgreSQL alike) without an ICU collation.
///
/// Order: given name, then family name, then middle name. Each part compares
/// first by base letters in the Vietnamese alphabet (a ă â b c d đ e ê …,
/// case-insensitive), then by tones (none, huyền, hỏi, ngã, sắc, nặng). The
/// tone of a word does not depend on which vowel carries it, so "Hoà" and
/// "Hòa" get the same key.
///
/// Layout: for each part `letters # tones`, parts joined by `!`, words
/// within a part joined by `+`; every letter is one byte, tones are one digit
/// per tone mark plus `0` closing each word.
pub fn name_sort_key(full: &str) -> String {
    let norm = nfc(full);
    let words: Vec<&str> = norm.split(' ').filter(|w| !w.is_empty()).collect();
    let (family, middle, given) = split_name_words(&words);
    let mut key = String::with_capacity(norm.len() * 2 + 8);
    for (i, part) in [given, family, middle].into_iter().enumerate() {
        if i > 0 {
            key.push(PART_SEP);
        }
        encode_part(part, &mut key);
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn nfd(s: &str) -> String {
        s.nfd().collect()
    }

    #[test]
    fn nfc_normalises_and_collapses() {
        let decomposed = "Nguye\u{0302}\u{0303}n";
        assert_eq!(nfc(decomposed), "Nguyễn");
        assert_eq!(nfc("  Trần \t Thị\u{00A0}\u{00A0}Bích  "), "Trần Thị Bích");
        assert_eq!(nfc("   "), "");
    }

    #[test]
    fn fold_examples() {
        assert_eq!(fold("Nguyễn Văn Đức"), "nguyen van duc");
        assert_eq!(fold("Hoà"), "hoa");
        assert_eq!(fold("Hòa"), "hoa");
        assert_eq!(fold(&nfd("Nguyễn Văn Đức")), "nguyen van duc");
        assert_eq!(fold("ĐẶNG thị  ngọc-Hường"), "dang thi ngoc huong");
        assert_eq!(fold("  ...Ưu, Ơn! "), "uu on");
        assert_eq!(fold("Phòng 204"), "phong 204");
        assert_eq!(fold("ÐINH"), "dinh");
        assert_eq!(fold(""), "");
    }

    #[test]
    fn query_tokens() {
        assert_eq!(
            fold_query_tokens("  nguyễn   VĂN-đức "),
            vec!["nguyen", "van", "duc"]
        );
        assert!(fold_query_tokens(" - , ").is_empty());
    }

    #[test]
    fn person_name_parts() {
        let n = PersonName::parse("  nguyễn   Văn  An ").unwrap();
        assert_eq!(n.as_str(), "nguyễn Văn An");
        assert_eq!(n.family(), "nguyễn");
        assert_eq!(n.middle(), "Văn");
        assert_eq!(n.given(), "An");

        let n = PersonName::parse("Tôn Nữ Thị Ngọc Lan").unwrap();
        assert_eq!(
            (n.family(), n.middle(), n.given()),
            ("Tôn", "Nữ Thị Ngọc", "Lan")
        );

        let n = PersonName::parse("Lý Hoa").unwrap();
        assert_eq!((n.family(), n.middle(), n.given()), ("Lý", "", "Hoa"));

        let n = PersonName::parse("H'Hen").unwrap();
        assert_eq!((n.family(), n.middle(), n.given()), ("", "", "H'Hen"));
        assert_eq!(n.to_string(), "H'Hen");
        assert_eq!(n.full(), "H'Hen");
    }

    #[test]
    fn person_name_is_nfc() {
        let n = PersonName::parse(&nfd("Đặng Thị Hường")).unwrap();
        assert_eq!(n.as_str(), "Đặng Thị Hường");
        assert_eq!(n.as_str().len(), "Đặng Thị Hường".len());
    }

    #[test]
    fn person_name_errors() {
        let code = |s: &str| PersonName::parse(s).unwrap_err().code;
        assert_eq!(code("   "), ErrorCode::Required);
        assert_eq!(code("A"), ErrorCode::NameLength);
        assert_eq!(code(&"a".repeat(101)), ErrorCode::NameLength);
        assert!(PersonName::parse(&"a".repeat(100)).is_ok());
        assert_eq!(code("Nguyễn Văn 3"), ErrorCode::NameInvalidChars);
        assert_eq!(code("An@b"), ErrorCode::NameInvalidChars);
        assert_eq!(code("- ."), ErrorCode::NameNoLetter);
        assert_eq!(PersonName::parse("A").unwrap_err().field, "full_name");
        assert!(PersonName::parse("Nguyễn Thị Ngọc-Ánh Jr.").is_ok());
    }

    #[test]
    fn person_name_serde_validates() {
        let n: PersonName = "Lê Văn An".parse().unwrap();
        let s = String::from(n.clone());
        assert_eq!(s, "Lê Văn An");
        assert_eq!(PersonName::try_from(s).unwrap(), n);
        assert!(PersonName::try_from("1".to_string()).is_err());
    }

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut v: Vec<&str> = names.to_vec();
        v.sort_by_key(|n| name_sort_key(n));
        v.into_iter().map(str::to_owned).collect()
    }

    #[test]
    fn sort_example_list() {
        let got = sorted(&[
            "Nguyễn Văn Bình",
            "Trần Thị An",
            "Lê Văn An",
            "Đỗ Thị Ánh",
            "Phạm Đức Anh",
        ]);
        assert_eq!(
            got,
            vec![
                "Lê Văn An",
                "Trần Thị An",
                "Phạm Đức Anh",
                "Đỗ Thị Ánh",
                "Nguyễn Văn Bình",
            ]
        );
    }

    #[test]
    fn sort_letter_order() {
        assert!(name_sort_key("Lê Văn Dung") < name_sort_key("Lê Văn Đức"));
        assert!(name_sort_key("Lê Văn Đức") < name_sort_key("Lê Văn Em"));
        assert!(name_sort_key("Lê A") < name_sort_key("Lê Ă"));
        assert!(name_sort_key("Lê Ă") < name_sort_key("Lê Â"));
        assert!(name_sort_key("Lê Â") < name_sort_key("Lê B"));
        assert!(name_sort_key("O") < name_sort_key("Ô"));
        assert!(name_sort_key("Ô") < name_sort_key("Ơ"));
        assert!(name_sort_key("Ơ") < name_sort_key("P"));
        assert!(name_sort_key("U") < name_sort_key("Ư"));
        assert!(name_sort_key("Ư") < name_sort_key("V"));
        // Base letters beat tones: "Ánh" < "Ba" although á has a tone.
        assert!(name_sort_key("Ánh") < name_sort_key("Ba"));
        // Byte order would put 'Z' before 'a'; case must not matter.
        assert!(name_sort_key("an") < name_sort_key("Bình"));
        assert_eq!(
            name_sort_key("NGUYỄN VĂN AN"),
            name_sort_key("nguyễn văn an")
        );
    }

    #[test]
    fn sort_tone_order() {
        let tones = ["Ma", "Mà", "Mả", "Mã", "Má", "Mạ"];
        let mut shuffled = vec!["Mạ", "Má", "Ma", "Mã", "Mả", "Mà"];
        shuffled.sort_by_key(|n| name_sort_key(n));
        assert_eq!(shuffled, tones);
    }

    #[test]
    fn sort_given_then_family_then_middle() {
        // Given decides first.
        assert!(name_sort_key("Trần Văn An") < name_sort_key("An Văn Bình"));
        // Same given: family decides before middle.
        assert!(name_sort_key("Lê Văn Xuân Hoa") < name_sort_key("Mai An Hoa"));
        // Same given and family: middle decides; no middle sorts first.
        assert!(name_sort_key("Lê Hoa") < name_sort_key("Lê Anh Hoa"));
        assert!(name_sort_key("Lê Anh Hoa") < name_sort_key("Lê Bảo Hoa"));
        assert!(name_sort_key("Lê Thị Hoa") < name_sort_key("Lê Thị Ngọc Hoa"));
        // A single word is a given name and sorts before longer names with it.
        assert!(name_sort_key("Hoa") < name_sort_key("Lê Hoa"));
        // Prefix given names.
        assert!(name_sort_key("Trần An") < name_sort_key("Lê Anh"));
    }

    #[test]
    fn sort_tone_placement_and_normalisation_do_not_matter() {
        assert_eq!(
            name_sort_key("Nguyễn Thị Hòa"),
            name_sort_key("Nguyễn Thị Hoà")
        );
        assert_eq!(name_sort_key("Thủy"), name_sort_key("Thuỷ"));
        assert_eq!(
            name_sort_key(&nfd("Đặng Thị Hường")),
            name_sort_key("Đặng Thị Hường")
        );
        assert_eq!(
            name_sort_key("  Đặng   Thị Hường "),
            name_sort_key("Đặng Thị Hường")
        );
        assert_ne!(name_sort_key("Hoà"), name_sort_key("Hoa"));
    }

    #[test]
    fn sort_key_is_ascii_for_foreign_letters() {
        let k = name_sort_key("Müller Straße 李");
        assert!(k.is_ascii(), "{k}");
        assert!(name_sort_key("Zed") < name_sort_key("李"));
        assert_eq!(name_sort_key(""), "#!#!#");
    }

    /// Reference comparator: rank of each Vietnamese letter.
    fn rank_vec(word: &str) -> Vec<usize> {
        word.chars()
            .map(|c| LETTERS.iter().position(|&l| l == c).unwrap())
            .collect()
    }

    const TONED: &[&str] = &[
        "a", "à", "ả", "ã", "á", "ạ", "ă", "ằ", "ẳ", "ẵ", "ắ", "ặ", "â", "ầ", "ẩ", "ẫ", "ấ", "ậ",
        "b", "c", "d", "đ", "e", "è", "é", "ê", "ề", "ế", "ệ", "g", "h", "i", "ì", "í", "ị", "k",
        "l", "m", "n", "o", "ò", "ó", "ô", "ồ", "ố", "ộ", "ơ", "ờ", "ở", "ỡ", "ớ", "ợ", "p", "q",
        "r", "s", "t", "u", "ù", "ú", "ư", "ừ", "ứ", "ự", "v", "x", "y", "ỳ", "ý", "ỵ",
    ];

    fn vi_word() -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(TONED), 1..6).prop_map(|v| v.concat())
    }

    fn vi_plain_word() -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(&LETTERS[..]), 1..6)
            .prop_map(|v| v.into_iter().collect())
    }

    fn vi_name() -> impl Strategy<Value = String> {
        proptest::collection::vec(vi_word(), 1..5).prop_map(|v| v.join(" "))
    }

    proptest! {
        #[test]
        fn fold_is_idempotent(s in "\\PC{0,40}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once);
        }

        #[test]
        fn fold_ignores_normalisation(s in "\\PC{0,40}") {
            prop_assert_eq!(fold(&nfd(&s)), fold(&nfc(&s)));
        }

        #[test]
        fn fold_ignores_normalisation_vi(s in vi_name()) {
            prop_assert_eq!(fold(&nfd(&s)), fold(&nfc(&s)));
            prop_assert!(fold(&s).is_ascii());
        }

        #[test]
        fn sort_key_ascii_and_stable(s in vi_name()) {
            let k = name_sort_key(&s);
            prop_assert!(k.is_ascii());
            prop_assert_eq!(&k, &name_sort_key(&nfd(&s)));
            prop_assert_eq!(&k, &name_sort_key(&s.to_uppercase()));
        }

        #[test]
        fn sort_key_any_input_is_ascii(s in "\\PC{0,40}") {
            prop_assert!(name_sort_key(&s).is_ascii());
        }

        #[test]
        fn sort_key_matches_alphabet_order(a in vi_plain_word(), b in vi_plain_word()) {
            let expected = rank_vec(&a).cmp(&rank_vec(&b));
            prop_assert_eq!(name_sort_key(&a).cmp(&name_sort_key(&b)), expected);
        }

        #[test]
        fn sort_key_given_name_dominates(f1 in vi_word(), g1 in vi_plain_word(),
                                         f2 in vi_word(), g2 in vi_plain_word()) {
            prop_assume!(g1 != g2);
            let expected = rank_vec(&g1).cmp(&rank_vec(&g2));
            let k1 = name_sort_key(&format!("{f1} {g1}"));
            let k2 = name_sort_key(&format!("{f2} {g2}"));
            prop_assert_eq!(k1.cmp(&k2), expected);
        }
    }
}
