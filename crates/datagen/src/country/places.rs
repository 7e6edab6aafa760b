//! The 34 provinces of the 2025 division: their communes (from the embedded
//! `vn-divisions-2025.json`), how many union members each has, the pre-2025
//! provinces merged into each (for CCCD numbers and tax ids, which still carry
//! the old codes), and who their ethnic-minority workers are.

use congdoan_domain::text::nfc;
use serde::Deserialize;

/// The 2025 division (34 provinces, 3,321 communes and wards), the same file
/// the web crate serves.
const DIVISIONS: &str = include_str!("../../../domain/assets/vn-divisions-2025.json");

#[derive(Debug, Clone, Deserialize)]
pub(super) struct Ward {
    pub code: i32,
    /// "Phường Long Xuyên", "Xã Mỹ Hòa Hưng", "Đặc khu Phú Quốc".
    pub name: String,
}

#[derive(Debug, Deserialize)]
struct RawProvince {
    code: u16,
    name: String,
    wards: Vec<Ward>,
}

/// A province of today's division with what the generator knows about it.
#[derive(Debug, Clone)]
pub(super) struct Province {
    pub code: u16,
    /// "Thành phố Hà Nội", "An Giang" (as in the divisions file).
    pub name: String,
    pub wards: Vec<Ward>,
    pub info: &'static ProvinceInfo,
}

impl Province {
    /// "Thành phố Hà Nội" / "tỉnh An Giang", as written after "Liên đoàn Lao động"
    /// or at the end of an address.
    pub fn full_name(&self) -> String {
        if self.name.starts_with("Thành phố") {
            self.name.clone()
        } else {
            format!("tỉnh {}", self.name)
        }
    }

    /// "Hà Nội", "An Giang": the name without its kind.
    pub fn short_name(&self) -> &str {
        self.name.strip_prefix("Thành phố ").unwrap_or(&self.name)
    }

    /// Kinh names in Đà Nẵng and southwards write Hoàng and Vũ mostly as Huỳnh
    /// and Võ.
    pub fn is_south(&self) -> bool {
        self.code >= 48
    }
}

/// A province's place in the national figures.
#[derive(Debug)]
pub(super) struct ProvinceInfo {
    pub code: u16,
    /// Relative share of the country's members (≈ thousands at 10 million):
    /// the industrial south-east and the Red River delta weigh most.
    pub weight: u32,
    /// Industrial-park unions (CĐ KCN), one per merged province that has parks.
    pub parks: usize,
    /// Ethnic-minority members, per mille.
    pub minority: u32,
    /// Which minorities, weighted.
    pub ethnic: &'static [(&'static str, u32)],
    /// The pre-2025 provinces merged into this one: (CCCD province code,
    /// tax-id prefix, weight in today's membership). The first is the one
    /// whose name the province kept.
    pub old: &'static [(u16, u64, u32)],
}

const MUONG: &[(&str, u32)] = &[("Mường", 70), ("Thái", 15), ("Dao", 10), ("Tày", 5)];
const TAY_NUNG: &[(&str, u32)] = &[("Tày", 55), ("Nùng", 35), ("Dao", 6), ("H'Mông", 4)];
const NORTH_EAST: &[(&str, u32)] = &[
    ("Tày", 40),
    ("Dao", 20),
    ("Nùng", 15),
    ("H'Mông", 15),
    ("Mường", 10),
];
const NORTH_WEST: &[(&str, u32)] = &[("Thái", 60), ("H'Mông", 30), ("Mường", 5), ("Dao", 5)];
const NGHE_AN: &[(&str, u32)] = &[("Thái", 70), ("Mường", 15), ("H'Mông", 15)];
const HIGHLANDS: &[(&str, u32)] = &[
    ("Ê Đê", 30),
    ("Ba Na", 25),
    ("Xơ Đăng", 15),
    ("Tày", 15),
    ("Nùng", 10),
    ("Mường", 5),
];
const SOUTH_EAST: &[(&str, u32)] = &[("Hoa", 70), ("Khmer", 15), ("Tày", 8), ("Nùng", 7)];
const MEKONG: &[(&str, u32)] = &[("Khmer", 75), ("Hoa", 25)];
const AN_GIANG: &[(&str, u32)] = &[("Khmer", 65), ("Hoa", 25), ("Chăm", 10)];
const HOA: &[(&str, u32)] = &[("Hoa", 1)];

const fn p(
    code: u16,
    weight: u32,
    parks: usize,
    minority: u32,
    ethnic: &'static [(&'static str, u32)],
    old: &'static [(u16, u64, u32)],
) -> ProvinceInfo {
    ProvinceInfo {
        code,
        weight,
        parks,
        minority,
        ethnic,
        old,
    }
}

/// One row per province of the divisions file (a test checks they match).
/// Weights are estimates in the spirit of domain.md §10 (Hà Nội ≈ 460k,
/// Đà Nẵng ≈ 106k, Lào Cai ≈ 45k members after the 2025 changes, the
/// south-east industrial belt far ahead).
#[rustfmt::skip]
pub(super) const PROVINCES: [ProvinceInfo; 34] = [
    p(1, 900, 1, 10, MUONG, &[(1, 1, 1)]),
    p(4, 35, 0, 650, TAY_NUNG, &[(4, 48, 1)]),
    p(8, 80, 0, 350, NORTH_EAST, &[(8, 50, 3), (2, 51, 2)]),
    p(11, 35, 0, 450, NORTH_WEST, &[(11, 62, 1)]),
    p(12, 30, 0, 500, NORTH_WEST, &[(12, 56, 1)]),
    p(14, 70, 0, 500, NORTH_WEST, &[(14, 55, 1)]),
    p(15, 100, 1, 350, NORTH_EAST, &[(10, 53, 3), (15, 52, 2)]),
    p(19, 200, 1, 120, TAY_NUNG, &[(19, 46, 5), (6, 47, 1)]),
    p(20, 55, 0, 600, TAY_NUNG, &[(20, 49, 1)]),
    p(22, 200, 1, 60, NORTH_EAST, &[(22, 57, 1)]),
    p(24, 600, 2, 20, NORTH_EAST, &[(27, 23, 3), (24, 24, 2)]),
    p(25, 380, 2, 100, MUONG, &[(25, 26, 2), (26, 25, 3), (17, 54, 1)]),
    p(31, 500, 2, 5, HOA, &[(31, 2, 3), (30, 8, 2)]),
    p(33, 300, 1, 5, HOA, &[(33, 9, 3), (34, 10, 2)]),
    p(37, 300, 1, 20, MUONG, &[(37, 27, 1), (35, 7, 1), (36, 6, 1)]),
    p(38, 300, 1, 60, MUONG, &[(38, 28, 1)]),
    p(40, 220, 1, 60, NGHE_AN, &[(40, 29, 1)]),
    p(42, 100, 1, 5, HOA, &[(42, 30, 1)]),
    p(44, 100, 0, 20, HOA, &[(45, 32, 1), (44, 31, 1)]),
    p(46, 90, 0, 10, HOA, &[(46, 33, 1)]),
    p(48, 230, 1, 15, HOA, &[(48, 4, 3), (49, 40, 2)]),
    p(51, 130, 1, 60, HIGHLANDS, &[(51, 43, 3), (62, 61, 1)]),
    p(52, 160, 0, 120, HIGHLANDS, &[(64, 59, 1), (52, 41, 1)]),
    p(56, 150, 1, 20, HOA, &[(56, 42, 3), (58, 45, 1)]),
    p(66, 140, 0, 150, HIGHLANDS, &[(66, 60, 2), (54, 44, 1)]),
    p(68, 170, 1, 100, HIGHLANDS, &[(68, 58, 2), (67, 64, 1), (60, 34, 2)]),
    p(75, 650, 2, 40, SOUTH_EAST, &[(75, 36, 4), (70, 38, 1)]),
    p(79, 2000, 3, 40, SOUTH_EAST, &[(79, 3, 7), (74, 37, 5), (77, 35, 2)]),
    p(80, 400, 2, 20, SOUTH_EAST, &[(72, 39, 2), (80, 11, 3)]),
    p(82, 200, 1, 5, MEKONG, &[(87, 14, 2), (82, 12, 3)]),
    p(86, 200, 1, 50, MEKONG, &[(86, 15, 1), (83, 13, 1), (84, 21, 1)]),
    p(91, 190, 1, 80, AN_GIANG, &[(89, 16, 1), (91, 17, 1)]),
    p(92, 170, 1, 60, MEKONG, &[(92, 18, 2), (94, 22, 1), (93, 63, 1)]),
    p(96, 100, 0, 30, MEKONG, &[(96, 20, 1), (95, 19, 1)]),
];

/// The provinces of the divisions file, in its order, each with its row of
/// [`PROVINCES`].
pub(super) fn provinces() -> Vec<Province> {
    let raw: Vec<RawProvince> =
        serde_json::from_str(DIVISIONS).expect("the embedded divisions file is valid JSON");
    raw.into_iter()
        .map(|r| Province {
            info: PROVINCES
                .iter()
                .find(|i| i.code == r.code)
                .expect("every province of the divisions file has a row in PROVINCES"),
            code: r.code,
            name: nfc(&r.name),
            // The file has stray double spaces ("Xã  Bắc Đông Quan").
            wards: r
                .wards
                .into_iter()
                .map(|w| Ward {
                    code: w.code,
                    name: nfc(&w.name),
                })
                .collect(),
        })
        .collect()
}
