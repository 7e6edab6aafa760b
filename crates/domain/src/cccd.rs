//! Căn cước công dân (CCCD): the 12-digit Vietnamese citizen ID number.
//!
//! Layout (Thông tư 07/2016/TT-BCA, kept by Thông tư 59/2021/TT-BCA):
//! `PPP G YY NNNNNN` — province of birth registration, a century-and-sex
//! digit, the last two digits of the birth year, then a random serial.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::error::{DomainError, ErrorCode};
use crate::member::Sex;

/// The 63 province codes used as the first three CCCD digits.
pub const CCCD_PROVINCE_CODES: &[(u16, &str)] = &[
    (1, "Hà Nội"),
    (2, "Hà Giang"),
    (4, "Cao Bằng"),
    (6, "Bắc Kạn"),
    (8, "Tuyên Quang"),
    (10, "Lào Cai"),
    (11, "Điện Biên"),
    (12, "Lai Châu"),
    (14, "Sơn La"),
    (15, "Yên Bái"),
    (17, "Hòa Bình"),
    (19, "Thái Nguyên"),
    (20, "Lạng Sơn"),
    (22, "Quảng Ninh"),
    (24, "Bắc Giang"),
    (25, "Phú Thọ"),
    (26, "Vĩnh Phúc"),
    (27, "Bắc Ninh"),
    (30, "Hải Dương"),
    (31, "Hải Phòng"),
    (33, "Hưng Yên"),
    (34, "Thái Bình"),
    (35, "Hà Nam"),
    (36, "Nam Định"),
    (37, "Ninh Bình"),
    (38, "Thanh Hóa"),
    (40, "Nghệ An"),
    (42, "Hà Tĩnh"),
    (44, "Quảng Bình"),
    (45, "Quảng Trị"),
    (46, "Thừa Thiên Huế"),
    (48, "Đà Nẵng"),
    (49, "Quảng Nam"),
    (51, "Quảng Ngãi"),
    (52, "Bình Định"),
    (54, "Phú Yên"),
    (56, "Khánh Hòa"),
    (58, "Ninh Thuận"),
    (60, "Bình Thuận"),
    (62, "Kon Tum"),
    (64, "Gia Lai"),
    (66, "Đắk Lắk"),
    (67, "Đắk Nông"),
    (68, "Lâm Đồng"),
    (70, "Bình Phước"),
    (72, "Tây Ninh"),
    (74, "Bình Dương"),
    (75, "Đồng Nai"),
    (77, "Bà Rịa - Vũng Tàu"),
    (79, "TP Hồ Chí Minh"),
    (80, "Long An"),
    (82, "Tiền Giang"),
    (83, "Bến Tre"),
    (84, "Trà Vinh"),
    (86, "Vĩnh Long"),
    (87, "Đồng Tháp"),
    (89, "An Giang"),
    (91, "Kiên Giang"),
    (92, "Cần Thơ"),
    (93, "Hậu Giang"),
    (94, "Sóc Trăng"),
    (95, "Bạc Liêu"),
    (96, "Cà Mau"),
];

/// Province name for a CCCD province code (e.g. 79 → "TP Hồ Chí Minh").
pub fn cccd_province_name(code: u16) -> Option<&'static str> {
    CCCD_PROVINCE_CODES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, name)| *name)
}

/// A syntactically valid CCCD number: 12 digits with a real province code.
/// Consistency with birth date and sex is a separate check
/// ([`Cccd::check_against`]) because those fields may be edited separately.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Cccd(String);

impl Cccd {
    const FIELD: &'static str = "cccd";

    /// Accepts the number as people copy it from the card: spaces and dots
    /// between digit groups are ignored.
    pub fn parse(s: &str) -> Result<Cccd, DomainError> {
        let err = |code| DomainError::new(code, Self::FIELD);
        let digits: String = s
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '.')
            .collect();
        if digits.is_empty() {
            return Err(err(ErrorCode::Required));
        }
        if digits.len() != 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err(ErrorCode::CccdFormat));
        }
        let prefix = digits_value(&digits[..3]);
        if cccd_province_name(prefix).is_none() {
            return Err(err(ErrorCode::CccdProvince { prefix }));
        }
        Ok(Cccd(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Province code (first three digits).
    pub fn province_code(&self) -> u16 {
        digits_value(&self.0[..3])
    }

    pub fn province_name(&self) -> Option<&'static str> {
        cccd_province_name(self.province_code())
    }

    /// For lists and logs, where the full number is personal data that
    /// should not be shown: "001******123".
    pub fn masked(&self) -> String {
        format!("{}******{}", &self.0[..3], &self.0[9..])
    }

    /// Checks the century/sex digit and the year digits against the member's
    /// birth date and sex, catching the common typing mistakes.
    pub fn check_against(&self, birth: Date, sex: Sex) -> Result<(), DomainError> {
        let err = |code| Err(DomainError::new(code, Self::FIELD));
        let g = digits_value(&self.0[3..4]);
        let coded_sex = if g.is_multiple_of(2) {
            Sex::Male
        } else {
            Sex::Female
        };
        if coded_sex != sex {
            return err(ErrorCode::CccdSexMismatch);
        }
        let coded_century = 19 + i32::from(g / 2);
        if birth.year().div_euclid(100) != coded_century {
            return err(ErrorCode::CccdCenturyMismatch);
        }
        let yy = i32::from(digits_value(&self.0[4..6]));
        if birth.year().rem_euclid(100) != yy {
            return err(ErrorCode::CccdYearMismatch);
        }
        Ok(())
    }
}

/// Builds a CCCD for synthetic data. `province` should come from
/// [`CCCD_PROVINCE_CODES`]; an unknown code is replaced by 001 so the result
/// is always a valid `Cccd`. Birth years outside 1900–2399 wrap around the
/// five centuries the format can express; `serial` is taken modulo 10⁶.
pub fn make_cccd(province: u16, birth_year: i32, sex: Sex, serial: u32) -> Cccd {
    let province = if cccd_province_name(province).is_some() {
        province
    } else {
        1
    };
    let century = (birth_year.div_euclid(100) - 19).rem_euclid(5);
    let sex_bit = match sex {
        Sex::Male => 0,
        Sex::Female => 1,
    };
    Cccd(format!(
        "{province:03}{}{:02}{:06}",
        century * 2 + sex_bit,
        birth_year.rem_euclid(100),
        serial % 1_000_000
    ))
}

/// Value of a short ASCII digit string already checked to be all digits.
fn digits_value(s: &str) -> u16 {
    s.bytes()
        .fold(0u16, |acc, b| acc * 10 + u16::from(b.wrapping_sub(b'0')))
}

impl fmt::Display for Cccd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Cccd {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cccd::parse(s)
    }
}

impl TryFrom<String> for Cccd {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Cccd::parse(&s)
    }
}

impl From<Cccd> for String {
    fn from(c: Cccd) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn code(s: &str) -> ErrorCode {
        Cccd::parse(s).unwrap_err().code
    }

    #[test]
    fn province_table() {
        assert_eq!(CCCD_PROVINCE_CODES.len(), 63);
        let mut codes: Vec<u16> = CCCD_PROVINCE_CODES.iter().map(|(c, _)| *c).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 63);
        assert_eq!(cccd_province_name(1), Some("Hà Nội"));
        assert_eq!(cccd_province_name(79), Some("TP Hồ Chí Minh"));
        assert_eq!(cccd_province_name(96), Some("Cà Mau"));
        assert_eq!(cccd_province_name(3), None);
        assert_eq!(cccd_province_name(97), None);
        assert_eq!(cccd_province_name(0), None);
    }

    #[test]
    fn parse_accepts_grouped_input() {
        let c = Cccd::parse(" 001 099 012 345 ").unwrap();
        assert_eq!(c.as_str(), "001099012345");
        let c = Cccd::parse("079.185.000.123").unwrap();
        assert_eq!(c.as_str(), "079185000123");
        assert_eq!(c.province_code(), 79);
        assert_eq!(c.province_name(), Some("TP Hồ Chí Minh"));
        assert_eq!(c.to_string(), "079185000123");
    }

    #[test]
    fn parse_errors() {
        assert_eq!(code(""), ErrorCode::Required);
        assert_eq!(code(" . "), ErrorCode::Required);
        assert_eq!(code("00109901234"), ErrorCode::CccdFormat);
        assert_eq!(code("0010990123456"), ErrorCode::CccdFormat);
        assert_eq!(code("00109901234a"), ErrorCode::CccdFormat);
        assert_eq!(code("001-099-012-345"), ErrorCode::CccdFormat);
        // Full-width digits are not ASCII digits.
        assert_eq!(code("００１０９９０１２３４５"), ErrorCode::CccdFormat);
        assert_eq!(code("003099012345"), ErrorCode::CccdProvince { prefix: 3 });
        assert_eq!(
            code("999099012345"),
            ErrorCode::CccdProvince { prefix: 999 }
        );
        assert_eq!(Cccd::parse("1").unwrap_err().field, "cccd");
    }

    #[test]
    fn masking() {
        let c = Cccd::parse("001099012123").unwrap();
        assert_eq!(c.masked(), "001******123");
    }

    #[test]
    fn check_against_birth_and_sex() {
        // 0 = male 19xx, year 99.
        let c = Cccd::parse("001099012345").unwrap();
        assert_eq!(c.check_against(date!(1999 - 03 - 02), Sex::Male), Ok(()));
        assert_eq!(
            c.check_against(date!(1999 - 03 - 02), Sex::Female)
                .unwrap_err()
                .code,
            ErrorCode::CccdSexMismatch
        );
        assert_eq!(
            c.check_against(date!(2099 - 03 - 02), Sex::Male)
                .unwrap_err()
                .code,
            ErrorCode::CccdCenturyMismatch
        );
        assert_eq!(
            c.check_against(date!(1998 - 03 - 02), Sex::Male)
                .unwrap_err()
                .code,
            ErrorCode::CccdYearMismatch
        );

        // 3 = female 20xx.
        let c = Cccd::parse("079305000001").unwrap();
        assert_eq!(c.check_against(date!(2005 - 12 - 31), Sex::Female), Ok(()));
        assert_eq!(
            c.check_against(date!(1905 - 12 - 31), Sex::Female)
                .unwrap_err()
                .code,
            ErrorCode::CccdCenturyMismatch
        );
        assert_eq!(
            c.check_against(date!(2005 - 12 - 31), Sex::Male)
                .unwrap_err()
                .code,
            ErrorCode::CccdSexMismatch
        );

        // 1 = female 19xx.
        let c = Cccd::parse("040185000001").unwrap();
        assert_eq!(c.check_against(date!(1985 - 01 - 01), Sex::Female), Ok(()));
    }

    #[test]
    fn make_cccd_examples() {
        let c = make_cccd(1, 1985, Sex::Female, 42);
        assert_eq!(c.as_str(), "001185000042");
        let c = make_cccd(79, 2003, Sex::Male, 1_234_567);
        assert_eq!(c.as_str(), "079203234567");
        // Unknown province falls back to Hà Nội.
        assert_eq!(make_cccd(3, 1990, Sex::Male, 1).province_code(), 1);
    }

    #[test]
    fn serde_round_trip_validates() {
        let c = Cccd::parse("001099012345").unwrap();
        assert_eq!(String::from(c.clone()), "001099012345");
        assert_eq!(Cccd::try_from("001099012345".to_string()).unwrap(), c);
        assert!(Cccd::try_from("123".to_string()).is_err());
        assert_eq!("001099012345".parse::<Cccd>().unwrap(), c);
    }

    proptest! {
        #[test]
        fn generated_cccd_is_consistent(
            idx in 0usize..63,
            year in 1900i32..2400,
            female in any::<bool>(),
            serial in any::<u32>(),
            ordinal in 1u16..=365,
        ) {
            let sex = if female { Sex::Female } else { Sex::Male };
            let province = CCCD_PROVINCE_CODES[idx].0;
            let c = make_cccd(province, year, sex, serial);
            let reparsed = Cccd::parse(c.as_str()).unwrap();
            prop_assert_eq!(&reparsed, &c);
            prop_assert_eq!(c.province_code(), province);
            let birth = Date::from_ordinal_date(year, ordinal).unwrap();
            prop_assert_eq!(c.check_against(birth, sex), Ok(()));
            let other = if female { Sex::Male } else { Sex::Female };
            prop_assert_eq!(
                c.check_against(birth, other).unwrap_err().code,
                ErrorCode::CccdSexMismatch
            );
        }
    }
}
