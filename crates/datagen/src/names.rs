//! Synthetic Vietnamese names. Frequencies follow the usual published
//! surname shares (Nguyễn ≈ 38 %, Trần 11 %, Lê 9.5 %, …); middle and given
//! names are gendered. Every combination is generated, none is copied from a
//! real person.

use congdoan_domain::member::Sex;

use crate::geo::Region;
use crate::rng::Rng;

/// Surname weights, per 10,000.
const SURNAMES: &[(&str, u32)] = &[
    ("Nguyễn", 3800),
    ("Trần", 1100),
    ("Lê", 950),
    ("Phạm", 700),
    ("Phan", 450),
    ("Hoàng", 300),
    ("Đặng", 210),
    ("Huỳnh", 200),
    ("Vũ", 200),
    ("Võ", 200),
    ("Bùi", 200),
    ("Đỗ", 140),
    ("Hồ", 130),
    ("Ngô", 130),
    ("Dương", 100),
    ("Lý", 50),
    // The rest, spread.
    ("Đinh", 90),
    ("Trương", 80),
    ("Đào", 70),
    ("Mai", 60),
    ("Đoàn", 60),
    ("Lâm", 55),
    ("Lương", 50),
    ("Cao", 50),
    ("Hà", 50),
    ("Lưu", 40),
    ("Châu", 35),
    ("Tạ", 35),
    ("Chu", 30),
    ("Tô", 30),
    ("Thái", 30),
    ("Nghiêm", 20),
    ("Kiều", 20),
    ("Triệu", 20),
    ("Quách", 20),
    ("Tăng", 15),
    ("Từ", 15),
    ("La", 15),
    ("Giang", 15),
    ("Khổng", 10),
];

const MIDDLE_MALE: &[(&str, u32)] = &[
    ("Văn", 380),
    ("Minh", 80),
    ("Đức", 60),
    ("Thanh", 60),
    ("Quốc", 55),
    ("Hữu", 55),
    ("Công", 45),
    ("Ngọc", 40),
    ("Tấn", 35),
    ("Quang", 35),
    ("Đình", 30),
    ("Xuân", 25),
    ("Trọng", 25),
    ("Duy", 25),
    ("Thành", 20),
    ("Anh", 20),
    ("Chí", 15),
    ("Bá", 15),
    ("Phước", 15),
    ("Hoàng", 10),
];

const MIDDLE_FEMALE: &[(&str, u32)] = &[
    ("Thị", 520),
    ("Ngọc", 70),
    ("Thanh", 50),
    ("Thu", 45),
    ("Kim", 45),
    ("Hồng", 35),
    ("Mỹ", 30),
    ("Mai", 25),
    ("Bích", 25),
    ("Phương", 25),
    ("Thùy", 25),
    ("Minh", 20),
    ("Diễm", 15),
    ("Quỳnh", 15),
    ("Tuyết", 15),
    ("Cẩm", 15),
    ("Hoài", 10),
];

const GIVEN_MALE: &[(&str, u32)] = &[
    ("Anh", 30),
    ("Bình", 25),
    ("Cường", 25),
    ("Dũng", 30),
    ("Đức", 25),
    ("Hùng", 30),
    ("Hải", 30),
    ("Khánh", 20),
    ("Long", 25),
    ("Minh", 30),
    ("Nam", 30),
    ("Phúc", 20),
    ("Quân", 20),
    ("Sơn", 25),
    ("Tài", 20),
    ("Thắng", 25),
    ("Tuấn", 35),
    ("Việt", 20),
    ("Hòa", 15),
    ("Hiếu", 20),
    ("Huy", 25),
    ("Khoa", 15),
    ("Lâm", 10),
    ("Lộc", 15),
    ("Nghĩa", 15),
    ("Nhân", 15),
    ("Phong", 20),
    ("Quang", 20),
    ("Tâm", 15),
    ("Thành", 25),
    ("Thịnh", 15),
    ("Toàn", 15),
    ("Trung", 20),
    ("Trí", 15),
    ("Vinh", 20),
    ("Bảo", 15),
    ("Đạt", 20),
    ("Hậu", 10),
    ("Kiên", 10),
    ("Lợi", 10),
    ("Phát", 10),
    ("Tín", 10),
    ("Thuận", 10),
    ("Sang", 10),
    ("Hưng", 15),
    ("Hoàng", 10),
];

const GIVEN_FEMALE: &[(&str, u32)] = &[
    ("Anh", 30),
    ("Chi", 20),
    ("Dung", 20),
    ("Hà", 25),
    ("Hạnh", 20),
    ("Hoa", 15),
    ("Hòa", 10),
    ("Hương", 30),
    ("Hường", 15),
    ("Lan", 25),
    ("Linh", 30),
    ("Loan", 15),
    ("Mai", 20),
    ("Nga", 20),
    ("Ngọc", 20),
    ("Nhung", 20),
    ("Phương", 25),
    ("Thảo", 30),
    ("Trang", 30),
    ("Vân", 20),
    ("Yến", 25),
    ("Diễm", 10),
    ("Duyên", 15),
    ("Giang", 15),
    ("Hằng", 20),
    ("Hiền", 20),
    ("Huyền", 20),
    ("Liên", 15),
    ("My", 15),
    ("Nhi", 15),
    ("Oanh", 10),
    ("Quyên", 10),
    ("Tâm", 10),
    ("Thu", 15),
    ("Thủy", 20),
    ("Thúy", 15),
    ("Tiên", 15),
    ("Trinh", 10),
    ("Tuyết", 10),
    ("Uyên", 10),
    ("Vy", 15),
    ("Xuân", 10),
    ("Ngân", 15),
    ("Trâm", 10),
];

/// Old-style tone placement ("kiểu cũ"), still common in registers:
/// Hòa → Hoà, Thủy → Thuỷ, Thúy → Thuý. Both spellings must be searchable.
fn old_style(given: &str) -> Option<&'static str> {
    match given {
        "Hòa" => Some("Hoà"),
        "Thủy" => Some("Thuỷ"),
        "Thúy" => Some("Thuý"),
        _ => None,
    }
}

/// A Kinh (or Kinh-style Hoa) name: surname, one or two middle names, given.
fn kinh(rng: &mut Rng, sex: Sex, surnames: &[(&'static str, u32)], region: Region) -> String {
    let mut family = *rng.weighted(surnames);
    // In the South, Hoàng is mostly written Huỳnh and Vũ mostly Võ.
    if region.is_south() && rng.chance(600) {
        family = match family {
            "Hoàng" => "Huỳnh",
            "Vũ" => "Võ",
            f => f,
        };
    }
    let (middles, givens) = match sex {
        Sex::Male => (MIDDLE_MALE, GIVEN_MALE),
        Sex::Female => (MIDDLE_FEMALE, GIVEN_FEMALE),
    };
    let middle = *rng.weighted(middles);
    let mut given = *rng.weighted(givens);
    while given == middle {
        given = *rng.weighted(givens);
    }
    if let Some(old) = old_style(given)
        && rng.chance(300)
    {
        given = old;
    }
    // "Nguyễn Thị Ngọc Hân": a second middle name, mostly for women.
    let second = match sex {
        Sex::Female if middle == "Thị" && rng.chance(150) => {
            let mut m2 = *rng.weighted(&MIDDLE_FEMALE[1..]);
            while m2 == given {
                m2 = *rng.weighted(&MIDDLE_FEMALE[1..]);
            }
            Some(m2)
        }
        _ => None,
    };
    match second {
        Some(m2) => format!("{family} {middle} {m2} {given}"),
        None => format!("{family} {middle} {given}"),
    }
}

const HOA_SURNAMES: &[(&str, u32)] = &[
    ("Lý", 30),
    ("Trương", 25),
    ("Quách", 20),
    ("Lâm", 20),
    ("Tăng", 15),
    ("Mã", 10),
    ("Hứa", 10),
    ("Diệp", 10),
    ("Thái", 10),
];

/// Khmer names of the Mekong delta: "Chau Sóc Khên", "Néang Sa Rết",
/// "Thạch Thị Sa Rươne", "Danh Phol".
fn khmer(rng: &mut Rng, sex: Sex) -> String {
    const MALE_FAMILY: &[&str] = &["Chau", "Danh", "Thạch", "Sơn", "Lâm", "Kim"];
    const MALE_GIVEN: &[&str] = &[
        "Khên", "Phol", "Sa Rây", "Ty", "Sóc", "Pha", "Rích", "Sa Vát", "Chanh", "Hiên",
    ];
    const FEMALE_GIVEN: &[&str] = &[
        "Sa Rết",
        "Srây",
        "Sóc Phon",
        "Sa Ly",
        "Thy",
        "Sa Rươne",
        "Chanh Đa",
        "Sa Phia",
    ];
    match sex {
        Sex::Male => {
            let fam = *rng.pick(MALE_FAMILY);
            let given = *rng.pick(MALE_GIVEN);
            if fam == "Chau" && rng.chance(500) {
                format!("Chau Sóc {given}")
            } else {
                format!("{fam} {given}")
            }
        }
        Sex::Female => {
            let given = *rng.pick(FEMALE_GIVEN);
            if rng.chance(500) {
                format!("Néang {given}")
            } else {
                let fam = *rng.pick(&["Thạch", "Danh", "Sơn", "Kim"]);
                format!("{fam} Thị {given}")
            }
        }
    }
}

/// Chăm names of An Giang's Muslim community.
fn cham(rng: &mut Rng, sex: Sex) -> String {
    const MALE: &[&str] = &[
        "Mohamad Ali",
        "Ha Sanh",
        "Mu Sa",
        "Ha Ri",
        "Sa Mách",
        "Ma Thi",
    ];
    const FEMALE: &[&str] = &[
        "Ma Ri Am",
        "Sa Ly Ma",
        "Fa Ti Ma",
        "Ha Va",
        "Ro Hi Mah",
        "Sa Phi Na",
    ];
    (*rng.pick(match sex {
        Sex::Male => MALE,
        Sex::Female => FEMALE,
    }))
    .to_string()
}

/// Xơ Đăng and Ba Na names of Kon Tum: "A Thút", "Y Blưn", often with a
/// Kinh-style family name ("Đinh Văn Khánh").
fn highlands(rng: &mut Rng, sex: Sex) -> String {
    const MALE: &[&str] = &[
        "Thút", "Blưn", "Sang", "Kiên", "Thuận", "Rin", "Hyên", "Vương", "Đức", "Thiên",
    ];
    const FEMALE: &[&str] = &[
        "Hlia", "Bông", "Nhi", "Hằng", "Ngọc", "Xuân", "Duyên", "Blưn", "Đin", "Hoa",
    ];
    if rng.chance(450) {
        return match sex {
            Sex::Male => format!("Đinh Văn {}", rng.pick(MALE)),
            Sex::Female => format!("Đinh Thị {}", rng.pick(FEMALE)),
        };
    }
    match sex {
        Sex::Male => format!("A {}", rng.pick(MALE)),
        Sex::Female => format!("Y {}", rng.pick(FEMALE)),
    }
}

/// Ê Đê names: "Y Bih Niê" (men), "H'Hen Niê" (women).
fn ede(rng: &mut Rng, sex: Sex) -> String {
    const FAMILY: &[&str] = &["Niê", "Byă", "Mlô", "Ksơr", "Êban"];
    const MALE: &[&str] = &["Bih", "Khuê", "Jut", "Blô", "Thanh"];
    const FEMALE: &[&str] = &["Hen", "Linh", "Ly", "Mai", "Nhi"];
    let fam = *rng.pick(FAMILY);
    match sex {
        Sex::Male => format!("Y {} {fam}", rng.pick(MALE)),
        Sex::Female => format!("H'{} {fam}", rng.pick(FEMALE)),
    }
}

/// Family names of the northern minorities whose names follow the Kinh
/// pattern ("Nông Văn Dũng", "Lò Thị Hương", "Bùi Văn Thắng").
const TAY_SURNAMES: &[(&str, u32)] = &[
    ("Hoàng", 30),
    ("Nông", 25),
    ("Hà", 10),
    ("Lục", 8),
    ("Lương", 6),
    ("Bế", 6),
    ("Ma", 5),
    ("Đàm", 5),
    ("Triệu", 5),
];
const NUNG_SURNAMES: &[(&str, u32)] = &[
    ("Hoàng", 25),
    ("Nông", 20),
    ("Lý", 10),
    ("Vi", 10),
    ("Chu", 8),
    ("Lăng", 8),
    ("Hà", 7),
    ("Mã", 6),
    ("Lương", 6),
];
const THAI_SURNAMES: &[(&str, u32)] = &[
    ("Lò", 25),
    ("Lường", 15),
    ("Cầm", 12),
    ("Quàng", 10),
    ("Vi", 10),
    ("Hà", 10),
    ("Lộc", 6),
    ("Tòng", 6),
    ("Điêu", 4),
];
const MUONG_SURNAMES: &[(&str, u32)] = &[
    ("Bùi", 35),
    ("Đinh", 25),
    ("Quách", 15),
    ("Hà", 10),
    ("Xa", 5),
    ("Cao", 5),
    ("Bạch", 5),
];
const DAO_SURNAMES: &[(&str, u32)] = &[
    ("Triệu", 30),
    ("Bàn", 25),
    ("Đặng", 20),
    ("Lý", 12),
    ("Chảo", 8),
    ("Tẩn", 5),
];

/// H'Mông names: family name, "A" for men or "Thị" for women, and a
/// one-syllable given name ("Giàng A Páo", "Sùng Thị Mỷ").
fn hmong(rng: &mut Rng, sex: Sex) -> String {
    const FAMILY: &[(&str, u32)] = &[
        ("Giàng", 20),
        ("Vàng", 20),
        ("Sùng", 15),
        ("Thào", 12),
        ("Lý", 10),
        ("Hầu", 8),
        ("Mùa", 8),
        ("Lầu", 5),
    ];
    const MALE: &[&str] = &[
        "Páo", "Chứ", "Dình", "Sử", "Chá", "Lử", "Tủa", "Pó", "Dế", "Chính", "Sính", "Lồng",
    ];
    const FEMALE: &[&str] = &[
        "Mỷ", "Dợ", "Chua", "Súa", "Mai", "Pà", "Dung", "Sinh", "Mẩy", "Dê", "Cở", "Say",
    ];
    let family = *rng.weighted(FAMILY);
    match sex {
        Sex::Male => format!("{family} A {}", rng.pick(MALE)),
        Sex::Female => format!("{family} Thị {}", rng.pick(FEMALE)),
    }
}

/// Ethnicity for a person in `region`; `rural` raises the minority share
/// (plantations, rural cooperatives).
pub(crate) fn ethnicity(rng: &mut Rng, region: Region, rural: bool) -> &'static str {
    let boost = if rural { 2 } else { 1 };
    let table: [(&'static str, u32); 4] = match region {
        Region::AnGiang => [
            ("Kinh", 900),
            ("Khmer", 50 * boost),
            ("Hoa", 25),
            ("Chăm", 10 * boost),
        ],
        Region::KienGiang => [
            ("Kinh", 860),
            ("Khmer", 90 * boost),
            ("Hoa", 35),
            ("Chăm", 0),
        ],
        Region::KonTum => [
            ("Kinh", 780),
            ("Xơ Đăng", 90 * boost),
            ("Ba Na", 60 * boost),
            ("Ê Đê", 10 * boost),
        ],
        Region::QuangNgai => [
            ("Kinh", 900),
            ("Hrê", 60 * boost),
            ("Co", 20 * boost),
            ("Xơ Đăng", 10 * boost),
        ],
        Region::HaNoi => [("Kinh", 1), ("Hoa", 0), ("Khmer", 0), ("Chăm", 0)],
        Region::HoChiMinh => [("Kinh", 950), ("Hoa", 40), ("Khmer", 0), ("Chăm", 0)],
    };
    let picked: &&'static str = rng.weighted(&table);
    picked
}

/// A full name (NFC) suiting sex and ethnicity.
pub(crate) fn full_name(rng: &mut Rng, sex: Sex, ethnicity: &str, region: Region) -> String {
    match ethnicity {
        "Khmer" => khmer(rng, sex),
        "Chăm" => cham(rng, sex),
        "Xơ Đăng" | "Ba Na" => highlands(rng, sex),
        "Ê Đê" => ede(rng, sex),
        "Hoa" => kinh(rng, sex, HOA_SURNAMES, region),
        "Tày" => kinh(rng, sex, TAY_SURNAMES, region),
        "Nùng" => kinh(rng, sex, NUNG_SURNAMES, region),
        "Thái" => kinh(rng, sex, THAI_SURNAMES, region),
        "Mường" => kinh(rng, sex, MUONG_SURNAMES, region),
        "Dao" => kinh(rng, sex, DAO_SURNAMES, region),
        "H'Mông" => hmong(rng, sex),
        _ => kinh(rng, sex, SURNAMES, region),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use congdoan_domain::text::{PersonName, nfc};

    #[test]
    fn tables_are_nfc_and_weighted() {
        for table in [
            SURNAMES,
            MIDDLE_MALE,
            MIDDLE_FEMALE,
            GIVEN_MALE,
            GIVEN_FEMALE,
            HOA_SURNAMES,
            TAY_SURNAMES,
            NUNG_SURNAMES,
            THAI_SURNAMES,
            MUONG_SURNAMES,
            DAO_SURNAMES,
        ] {
            for (s, w) in table {
                assert_eq!(nfc(s), *s, "{s:?} is not NFC");
                assert!(*w > 0);
            }
        }
        let total: u32 = SURNAMES.iter().map(|(_, w)| w).sum();
        let nguyen = SURNAMES[0].1;
        // Nguyễn is 38 % ± 1 of the table.
        assert!(
            (370..=390).contains(&(nguyen * 1000 / total)),
            "{nguyen}/{total}"
        );
    }

    #[test]
    fn generated_names_parse_and_are_nfc() {
        let mut rng = Rng::new(42);
        for eth in [
            "Kinh",
            "Khmer",
            "Chăm",
            "Xơ Đăng",
            "Ba Na",
            "Ê Đê",
            "Hoa",
            "Tày",
            "Nùng",
            "Thái",
            "Mường",
            "Dao",
            "H'Mông",
        ] {
            for sex in Sex::all() {
                for _ in 0..200 {
                    let n = full_name(&mut rng, sex, eth, Region::KonTum);
                    assert_eq!(nfc(&n), n);
                    PersonName::parse(&n).unwrap_or_else(|e| panic!("{n}: {e:?}"));
                }
            }
        }
    }

    #[test]
    fn old_and_new_tone_placements_differ_as_strings() {
        assert_ne!("Hoà", "Hòa");
        assert_eq!(
            congdoan_domain::text::fold("Hoà"),
            congdoan_domain::text::fold("Hòa")
        );
    }
}
