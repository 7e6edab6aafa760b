//! Places: the five regions the demo touches, with the post-2025 province
//! and commune codes of `vn-divisions-2025.json` (34 provinces) for addresses
//! and the pre-2025 (63-province) codes for CCCD numbers and tax ids.

/// Where a unit and its people are. Kiên Giang and Kon Tum are historic
/// provinces: their addresses use the merged province (An Giang 91,
/// Quảng Ngãi 51), their CCCD numbers the old codes (091, 062).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Region {
    AnGiang,
    KienGiang,
    KonTum,
    /// Quảng Ngãi before the 2025 merger (without Kon Tum).
    QuangNgai,
    HaNoi,
    HoChiMinh,
}

impl Region {
    /// Province code in the 2025 list (34 provinces).
    pub(crate) fn province_code(self) -> i32 {
        match self {
            Region::AnGiang | Region::KienGiang => 91,
            Region::KonTum | Region::QuangNgai => 51,
            Region::HaNoi => 1,
            Region::HoChiMinh => 79,
        }
    }

    /// Province name as written in an address today.
    pub(crate) fn province_name(self) -> &'static str {
        match self {
            Region::AnGiang | Region::KienGiang => "tỉnh An Giang",
            Region::KonTum | Region::QuangNgai => "tỉnh Quảng Ngãi",
            Region::HaNoi => "Thành phố Hà Nội",
            Region::HoChiMinh => "Thành phố Hồ Chí Minh",
        }
    }

    /// First three CCCD digits for people registered here (63-province list).
    pub(crate) fn cccd_province(self) -> u16 {
        match self {
            Region::AnGiang => 89,
            Region::KienGiang => 91,
            Region::KonTum => 62,
            Region::QuangNgai => 51,
            Region::HaNoi => 1,
            Region::HoChiMinh => 79,
        }
    }

    /// First two digits of a tax id (mã số thuế) issued here.
    pub(crate) fn tax_prefix(self) -> u64 {
        match self {
            Region::AnGiang => 16,
            Region::KienGiang => 17,
            Region::KonTum => 61,
            Region::QuangNgai => 43,
            Region::HaNoi => 1,
            Region::HoChiMinh => 3,
        }
    }

    /// The Mekong delta and Hồ Chí Minh City (Huỳnh and Võ are commoner
    /// there than Hoàng and Vũ).
    pub(crate) fn is_south(self) -> bool {
        matches!(
            self,
            Region::AnGiang | Region::KienGiang | Region::HoChiMinh
        )
    }
}

/// Communes and wards used by the demo: (post-2025 province code, commune
/// code, name), copied from `vn-divisions-2025.json` (a test checks them).
pub(crate) const COMMUNES: &[(i32, i32, &str)] = &[
    // An Giang (includes former Kiên Giang).
    (91, 30307, "Phường Long Xuyên"),
    (91, 30292, "Phường Bình Đức"),
    (91, 30301, "Phường Mỹ Thới"),
    (91, 30313, "Xã Mỹ Hòa Hưng"),
    (91, 30316, "Phường Châu Đốc"),
    (91, 30325, "Phường Vĩnh Tế"),
    (91, 30628, "Xã Chợ Mới"),
    (91, 30631, "Xã Long Điền"),
    (91, 30643, "Xã Cù Lao Giêng"),
    (91, 30607, "Xã Bình Hòa"),
    (91, 30487, "Xã Bình Mỹ"),
    (91, 30520, "Phường Tịnh Biên"),
    (91, 30742, "Phường Rạch Giá"),
    (91, 30760, "Phường Vĩnh Thông"),
    (91, 31078, "Đặc khu Phú Quốc"),
    (91, 30880, "Xã Châu Thành"),
    // Quảng Ngãi (includes former Kon Tum).
    (51, 23293, "Phường Kon Tum"),
    (51, 23284, "Phường Đăk Cấm"),
    (51, 23302, "Phường Đăk BLa"),
    (51, 23317, "Xã Ngọk Bay"),
    (51, 23326, "Xã Ia Chim"),
    (51, 23500, "Xã Đăk Hà"),
    (51, 23401, "Xã Đăk Tô"),
    (51, 23527, "Xã Sa Thầy"),
    (51, 23548, "Xã Ya Ly"),
    (51, 23536, "Xã Mô Rai"),
    (51, 23377, "Xã Bờ Y"),
    (51, 23473, "Xã Măng Đen"),
    (51, 23510, "Xã Đăk Ui"),
    (51, 21025, "Phường Cẩm Thành"),
    (51, 21028, "Phường Nghĩa Lộ"),
    (51, 21040, "Xã Bình Sơn"),
    (51, 21061, "Xã Vạn Tường"),
    (51, 21085, "Xã Bình Minh"),
    // Hà Nội.
    (1, 73, "Phường Cửa Nam"),
    (1, 70, "Phường Hoàn Kiếm"),
    (1, 4, "Phường Ba Đình"),
    (1, 25, "Phường Giảng Võ"),
    (1, 256, "Phường Hai Bà Trưng"),
    (1, 187, "Phường Láng"),
    (1, 235, "Phường Đống Đa"),
    (1, 9556, "Phường Hà Đông"),
    // Thành phố Hồ Chí Minh.
    (79, 26740, "Phường Sài Gòn"),
    (79, 26737, "Phường Tân Định"),
];

/// Name of a commune listed in [`COMMUNES`]. Panics on an unknown code: the
/// tables are static, so that is a programming error caught by the tests.
pub(crate) fn commune_name(code: i32) -> &'static str {
    COMMUNES
        .iter()
        .find(|(_, c, _)| *c == code)
        .map(|(_, _, n)| *n)
        .unwrap_or_else(|| panic!("commune {code} missing from geo::COMMUNES"))
}

/// Post-2025 province of a commune listed in [`COMMUNES`].
pub(crate) fn commune_province(code: i32) -> i32 {
    COMMUNES
        .iter()
        .find(|(_, c, _)| *c == code)
        .map(|(p, _, _)| *p)
        .unwrap_or_else(|| panic!("commune {code} missing from geo::COMMUNES"))
}

/// "Số 12 Trần Hưng Đạo, Phường Long Xuyên, tỉnh An Giang".
pub(crate) fn address(street: &str, commune: i32, region: Region) -> String {
    format!(
        "{street}, {}, {}",
        commune_name(commune),
        region.province_name()
    )
}

/// Check digit of a 10-digit tax id (mã số thuế) from its first nine digits
/// `body`: weights 31-29-23-19-17-13-7-5-3, digit = 10 − sum mod 11. `None`
/// when that gives 10: no tax id is issued with such a body.
pub(crate) fn tax_check_digit(body: u64) -> Option<u64> {
    const W: [u64; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];
    let mut rest = body;
    let mut sum = 0;
    for w in W.iter().rev() {
        sum += (rest % 10) * w;
        rest /= 10;
    }
    let check = 10 - sum % 11;
    (check < 10).then_some(check)
}
