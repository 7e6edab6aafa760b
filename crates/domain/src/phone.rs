//! Vietnamese phone numbers, stored in national format ("0912345678").
//!
//! Since the 2018 renumbering, mobile numbers have 10 digits and start with
//! 03, 05, 07, 08 or 09; landlines have 11 digits and start with 02.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, ErrorCode};

/// A valid Vietnamese phone number in national format (leading 0).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneVn(String);

impl PhoneVn {
    const FIELD: &'static str = "phone";

    /// Accepts the usual ways people write numbers: "0912 345 678",
    /// "(028) 3822-1234", "+84 912.345.678", "84912345678", "0084…".
    pub fn parse(s: &str) -> Result<PhoneVn, DomainError> {
        let err = |code| Err(DomainError::new(code, Self::FIELD));
        let s = s.trim();
        if s.is_empty() {
            return err(ErrorCode::Required);
        }
        let (plus, rest) = match s.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let mut digits = String::with_capacity(rest.len());
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '.' | '-' | '(' | ')' => {}
                _ => return err(ErrorCode::PhoneInvalidChars),
            }
        }
        if digits.is_empty() {
            return err(ErrorCode::PhoneInvalidChars);
        }
        // A national number always starts with 0, so a leading 84 can only
        // be the country code.
        let national = if plus {
            match digits.strip_prefix("84") {
                Some(n) => format!("0{n}"),
                None => return err(ErrorCode::PhonePrefix),
            }
        } else if let Some(n) = digits.strip_prefix("0084") {
            format!("0{n}")
        } else if let Some(n) = digits.strip_prefix("84") {
            format!("0{n}")
        } else {
            digits
        };
        let expected_len = match national.as_bytes() {
            [b'0', b'2', ..] => 11,
            [b'0', b'3' | b'5' | b'7' | b'8' | b'9', ..] => 10,
            _ => return err(ErrorCode::PhonePrefix),
        };
        if national.len() != expected_len {
            return err(ErrorCode::PhoneLength);
        }
        Ok(PhoneVn(national))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Landline numbers start with 02.
    pub fn is_mobile(&self) -> bool {
        !self.0.starts_with("02")
    }

    /// For lists visible to many officers: "0912***678".
    pub fn masked(&self) -> String {
        let n = self.0.len();
        format!("{}{}{}", &self.0[..4], "*".repeat(n - 7), &self.0[n - 3..])
    }

    /// International format for tel: links and SMS gateways: "+84912345678".
    pub fn international(&self) -> String {
        format!("+84{}", &self.0[1..])
    }
}

impl fmt::Display for PhoneVn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for PhoneVn {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PhoneVn::parse(s)
    }
}

impl TryFrom<String> for PhoneVn {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        PhoneVn::parse(&s)
    }
}

impl From<PhoneVn> for String {
    fn from(p: PhoneVn) -> String {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        PhoneVn::parse(s).unwrap().as_str().to_owned()
    }

    fn code(s: &str) -> ErrorCode {
        PhoneVn::parse(s).unwrap_err().code
    }

    #[test]
    fn accepts_common_formats() {
        assert_eq!(ok("0912345678"), "0912345678");
        assert_eq!(ok(" 0912 345 678 "), "0912345678");
        assert_eq!(ok("0912.345.678"), "0912345678");
        assert_eq!(ok("0912-345-678"), "0912345678");
        assert_eq!(ok("+84 912 345 678"), "0912345678");
        assert_eq!(ok("+84912345678"), "0912345678");
        assert_eq!(ok("84912345678"), "0912345678");
        assert_eq!(ok("0084 912 345 678"), "0912345678");
        assert_eq!(ok("(028) 3822 1234"), "02838221234");
        assert_eq!(ok("+84 (28) 3822-1234"), "02838221234");
        for p in [
            "0321234567",
            "0561234567",
            "0761234567",
            "0861234567",
            "0961234567",
        ] {
            assert_eq!(ok(p), p);
        }
    }

    #[test]
    fn rejects_bad_numbers() {
        assert_eq!(code(""), ErrorCode::Required);
        assert_eq!(code("   "), ErrorCode::Required);
        assert_eq!(code("0912 abc 678"), ErrorCode::PhoneInvalidChars);
        assert_eq!(code("0912/345/678"), ErrorCode::PhoneInvalidChars);
        assert_eq!(code("++84912345678"), ErrorCode::PhoneInvalidChars);
        assert_eq!(code("091234567+8"), ErrorCode::PhoneInvalidChars);
        assert_eq!(code("+"), ErrorCode::PhoneInvalidChars);
        assert_eq!(code("091234567"), ErrorCode::PhoneLength);
        assert_eq!(code("09123456789"), ErrorCode::PhoneLength);
        assert_eq!(code("0283822123"), ErrorCode::PhoneLength);
        assert_eq!(code("028382212345"), ErrorCode::PhoneLength);
        // Old 11-digit 01x mobile numbers no longer exist.
        assert_eq!(code("01234567890"), ErrorCode::PhonePrefix);
        assert_eq!(code("0412345678"), ErrorCode::PhonePrefix);
        assert_eq!(code("0612345678"), ErrorCode::PhonePrefix);
        assert_eq!(code("912345678"), ErrorCode::PhonePrefix);
        assert_eq!(code("+1 212 555 0100"), ErrorCode::PhonePrefix);
        assert_eq!(PhoneVn::parse("1").unwrap_err().field, "phone");
    }

    #[test]
    fn masking_and_formats() {
        let p = PhoneVn::parse("0912345678").unwrap();
        assert_eq!(p.masked(), "0912***678");
        assert!(p.is_mobile());
        assert_eq!(p.international(), "+84912345678");
        let l = PhoneVn::parse("02838221234").unwrap();
        assert_eq!(l.masked(), "0283****234");
        assert!(!l.is_mobile());
        assert_eq!(l.to_string(), "02838221234");
    }

    #[test]
    fn serde_conversions_validate() {
        assert!(PhoneVn::try_from("0912345678".to_string()).is_ok());
        assert!(PhoneVn::try_from("12".to_string()).is_err());
        let p: PhoneVn = "+84912345678".parse().unwrap();
        assert_eq!(String::from(p), "0912345678");
    }
}
