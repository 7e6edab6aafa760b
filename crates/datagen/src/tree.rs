//! The union tree of the demo as it stood around 2019–2020: TLĐ, three
//! provinces (An Giang, Kiên Giang, Kon Tum), four central sector unions and
//! six corporation unions, with their grassroots unions (CĐCS), công đoàn bộ
//! phận and tổ công đoàn. The 2025 reform is *not* applied here.

use std::collections::HashSet;

use time::Date;
use time::macros::date;

use crate::geo::{self, Region};
use crate::profile::Profile;
use crate::rng::Rng;
use crate::{CoordSeed, EmployerSeed, MoveSeed, UnitSeed};

/// An upper-level union (everything above the CĐCS).
struct Upper {
    code: &'static str,
    parent: &'static str,
    name: &'static str,
    type_code: &'static str,
    sector: Option<&'static str>,
    region: Region,
    commune: i32,
    street: &'static str,
    founded: Date,
    /// Suffix of the decisions it signs ("QĐ-LĐLĐ").
    abbr: &'static str,
    /// Sizes of its BCH, BTV (0 = none) and UBKT for the 2023–2028 term.
    bch: usize,
    btv: usize,
    ubkt: usize,
}

#[allow(clippy::too_many_arguments)]
const fn up(
    code: &'static str,
    parent: &'static str,
    name: &'static str,
    type_code: &'static str,
    sector: Option<&'static str>,
    region: Region,
    commune: i32,
    street: &'static str,
    founded: Date,
    abbr: &'static str,
    (bch, btv, ubkt): (usize, usize, usize),
) -> Upper {
    Upper {
        code,
        parent,
        name,
        type_code,
        sector,
        region,
        commune,
        street,
        founded,
        abbr,
        bch,
        btv,
        ubkt,
    }
}

use Region::{
    AnGiang as AG, HaNoi as HN, HoChiMinh as HCM, KienGiang as KG, KonTum as KT, QuangNgai as QN,
};

/// Parents before children. The root TLĐ is added separately.
#[rustfmt::skip]
const UPPER: &[Upper] = &[
    // An Giang: no CĐ Viên chức tier (seed 000); the BTV oversees the
    // agencies' CĐCS directly, by emulation cluster.
    up("AG", "TLD", "Liên đoàn Lao động tỉnh An Giang", "LDLD_TINH", None, AG, 30307, "Số 9 Hùng Vương", date!(1976 - 03 - 10), "LĐLĐ", (21, 7, 5)),
    up("AG-LX", "AG", "Liên đoàn Lao động thành phố Long Xuyên", "LDLD_HUYEN", None, AG, 30292, "Số 4 Nguyễn Văn Cưng", date!(1977 - 01 - 15), "LĐLĐ", (9, 3, 3)),
    up("AG-CD", "AG", "Liên đoàn Lao động thành phố Châu Đốc", "LDLD_HUYEN", None, AG, 30316, "Số 21 Thủ Khoa Nghĩa", date!(1977 - 06 - 10), "LĐLĐ", (7, 0, 3)),
    up("AG-CM", "AG", "Liên đoàn Lao động huyện Chợ Mới", "LDLD_HUYEN", None, AG, 30628, "Số 2 Tỉnh lộ 942", date!(1977 - 03 - 05), "LĐLĐ", (7, 0, 3)),
    up("AG-KCN", "AG", "Công đoàn các Khu công nghiệp tỉnh An Giang", "CD_KCN", None, AG, 30307, "Số 30 Hà Hoàng Hổ", date!(2008 - 10 - 20), "CĐKCN", (9, 3, 3)),
    // Kiên Giang: with its CĐ Viên chức tỉnh (seed 002).
    up("KG", "TLD", "Liên đoàn Lao động tỉnh Kiên Giang", "LDLD_TINH", None, KG, 30742, "Số 32 Trần Phú", date!(1976 - 04 - 01), "LĐLĐ", (15, 5, 5)),
    up("KG-VC", "KG", "Công đoàn Viên chức tỉnh Kiên Giang", "CD_NGANH_DP", Some("Viên chức"), KG, 30742, "Số 6 Nguyễn Công Trứ", date!(1989 - 03 - 01), "CĐVC", (9, 3, 3)),
    up("KG-RG", "KG", "Liên đoàn Lao động thành phố Rạch Giá", "LDLD_HUYEN", None, KG, 30760, "Số 18 Lê Lợi", date!(1977 - 05 - 01), "LĐLĐ", (7, 0, 3)),
    up("KG-PQ", "KG", "Liên đoàn Lao động huyện Phú Quốc", "LDLD_HUYEN", None, KG, 31078, "Số 3 Nguyễn Trung Trực", date!(1979 - 03 - 15), "LĐLĐ", (7, 0, 3)),
    // Kon Tum: four local sector unions under dual direction (seed 001).
    up("KT", "TLD", "Liên đoàn Lao động tỉnh Kon Tum", "LDLD_TINH", None, KT, 23293, "Số 168 Bà Triệu", date!(1991 - 10 - 15), "LĐLĐ", (17, 5, 5)),
    up("KT-YT", "KT", "Công đoàn ngành Y tế tỉnh Kon Tum", "CD_NGANH_DP", Some("Y tế"), KT, 23293, "Số 2 Trần Hưng Đạo", date!(1992 - 01 - 10), "CĐN", (9, 3, 3)),
    up("KT-GD", "KT", "Công đoàn ngành Giáo dục tỉnh Kon Tum", "CD_NGANH_DP", Some("Giáo dục"), KT, 23284, "Số 7 Trần Phú", date!(1992 - 01 - 10), "CĐN", (9, 3, 3)),
    up("KT-VC", "KT", "Công đoàn Viên chức tỉnh Kon Tum", "CD_NGANH_DP", Some("Viên chức"), KT, 23293, "Số 168 Bà Triệu", date!(1992 - 02 - 15), "CĐVC", (7, 0, 3)),
    up("KT-NH", "KT", "Công đoàn Ngân hàng tỉnh Kon Tum", "CD_NGANH_DP", Some("Ngân hàng"), KT, 23293, "Số 1 Lê Hồng Phong", date!(1992 - 03 - 01), "CĐNH", (7, 0, 3)),
    // Quảng Ngãi, which Kon Tum joined on 1/7/2025.
    up("QNG", "TLD", "Liên đoàn Lao động tỉnh Quảng Ngãi", "LDLD_TINH", None, QN, 21025, "Số 52 Nguyễn Nghiêm", date!(1976 - 10 - 01), "LĐLĐ", (19, 6, 5)),
    up("QNG-KKT", "QNG", "Công đoàn Khu kinh tế Dung Quất và các Khu công nghiệp Quảng Ngãi", "CD_KCN", None, QN, 21061, "Khu kinh tế Dung Quất", date!(1998 - 12 - 10), "CĐKKT", (9, 3, 3)),
    up("QNG-BS", "QNG", "Liên đoàn Lao động huyện Bình Sơn", "LDLD_HUYEN", None, QN, 21040, "Số 1 Phạm Văn Đồng", date!(1977 - 04 - 20), "LĐLĐ", (7, 0, 3)),
    // Central sector unions.
    up("CDYT", "TLD", "Công đoàn Y tế Việt Nam", "CD_NGANH_TW", Some("Y tế"), HN, 25, "Số 138A Giảng Võ", date!(1957 - 10 - 20), "CĐYT", (9, 3, 3)),
    up("CDGD", "TLD", "Công đoàn Giáo dục Việt Nam", "CD_NGANH_TW", Some("Giáo dục"), HN, 256, "Số 35 Đại Cồ Việt", date!(1951 - 12 - 10), "CĐGD", (9, 3, 3)),
    up("CDNH", "TLD", "Công đoàn Ngân hàng Việt Nam", "CD_NGANH_TW", Some("Ngân hàng"), HN, 73, "Số 10 Trần Hưng Đạo", date!(1951 - 05 - 06), "CĐNH", (9, 3, 3)),
    up("CDVC", "TLD", "Công đoàn Viên chức Việt Nam", "CD_NGANH_TW", Some("Viên chức"), HN, 70, "Số 8 Lê Thánh Tông", date!(1991 - 03 - 01), "CĐVC", (9, 3, 3)),
    // Corporation unions directly under TLĐ.
    up("VRG", "TLD", "Công đoàn Tập đoàn Công nghiệp Cao su Việt Nam", "CD_TAP_DOAN", Some("Cao su"), HCM, 26740, "Số 210 Nam Kỳ Khởi Nghĩa", date!(1976 - 03 - 15), "CĐCSVN", (11, 3, 3)),
    up("VNPT", "TLD", "Công đoàn Tập đoàn Bưu chính Viễn thông Việt Nam", "CD_TAP_DOAN", Some("Bưu chính viễn thông"), HN, 187, "Số 57 Huỳnh Thúc Kháng", date!(1991 - 06 - 01), "CĐBCVT", (9, 3, 3)),
    up("EVN", "TLD", "Công đoàn Tập đoàn Điện lực Việt Nam", "CD_TAP_DOAN", Some("Điện lực"), HN, 4, "Số 11 Cửa Bắc", date!(1995 - 06 - 20), "CĐĐLVN", (9, 3, 3)),
    up("VINACAFE", "TLD", "Công đoàn Tổng công ty Cà phê Việt Nam", "CD_TAP_DOAN", Some("Cà phê"), HN, 235, "Số 211 Nguyễn Thái Học", date!(1995 - 12 - 29), "CĐCP", (9, 3, 3)),
    up("VINAPACO", "TLD", "Công đoàn Tổng công ty Giấy Việt Nam", "CD_TAP_DOAN", Some("Giấy"), HN, 70, "Số 25A Lý Thường Kiệt", date!(1995 - 09 - 01), "CĐGVN", (7, 0, 3)),
    up("SONGDA", "TLD", "Công đoàn Tổng công ty Sông Đà", "CD_TAP_DOAN", Some("Xây dựng"), HN, 9556, "Tòa nhà Sông Đà, đường Phạm Hùng", date!(1995 - 12 - 01), "CĐSĐ", (7, 0, 3)),
];

/// A grassroots union (CĐCS) and the employer behind it.
struct Cs {
    code: &'static str,
    /// Managing parent at founding (see [`MOVES`] for later changes).
    parent: &'static str,
    employer: &'static str,
    ownership: &'static str,
    sector: &'static str,
    profile: Profile,
    /// The staff of the parent itself (cơ quan LĐLĐ, head office of a
    /// corporation): the parent's full-time officers come from here.
    office: bool,
    commune: i32,
    street: &'static str,
    members: u32,
    founded: Date,
}

#[allow(clippy::too_many_arguments)]
const fn cs(
    code: &'static str,
    parent: &'static str,
    employer: &'static str,
    ownership: &'static str,
    sector: &'static str,
    profile: Profile,
    commune: i32,
    street: &'static str,
    members: u32,
    founded: Date,
) -> Cs {
    Cs {
        code,
        parent,
        employer,
        ownership,
        sector,
        profile,
        office: false,
        commune,
        street,
        members,
        founded,
    }
}

/// The same, for the office CĐCS of an upper-level union.
#[allow(clippy::too_many_arguments)]
const fn office(
    code: &'static str,
    parent: &'static str,
    employer: &'static str,
    ownership: &'static str,
    sector: &'static str,
    profile: Profile,
    commune: i32,
    street: &'static str,
    members: u32,
    founded: Date,
) -> Cs {
    let mut c = cs(
        code, parent, employer, ownership, sector, profile, commune, street, members, founded,
    );
    c.office = true;
    c
}

use Profile::*;

#[rustfmt::skip]
const GRASSROOTS: &[Cs] = &[
    // ── An Giang ─────────────────────────────────────────────────────────
    office("AG-CDCS-001", "AG", "Liên đoàn Lao động tỉnh An Giang", "state_agency", "Công đoàn", UnionOffice, 30307, "Số 9 Hùng Vương", 32, date!(1977 - 03 - 01)),
    // State agencies and public units placed directly under the LĐLĐ.
    cs("AG-CDCS-002", "AG", "Sở Giáo dục và Đào tạo tỉnh An Giang", "state_agency", "Giáo dục", Agency, 30307, "Số 12 Tôn Đức Thắng", 48, date!(1978 - 05 - 15)),
    cs("AG-CDCS-003", "AG", "Sở Y tế tỉnh An Giang", "state_agency", "Y tế", Agency, 30307, "Số 5 Lê Lợi", 37, date!(1979 - 06 - 01)),
    cs("AG-CDCS-004", "AG", "Sở Tài chính tỉnh An Giang", "state_agency", "Tài chính", Agency, 30292, "Số 18 Lý Thái Tổ", 34, date!(1980 - 04 - 10)),
    cs("AG-CDCS-005", "AG", "Sở Kế hoạch và Đầu tư tỉnh An Giang", "state_agency", "Kế hoạch – Đầu tư", Agency, 30307, "Số 3 Trần Hưng Đạo", 26, date!(1992 - 09 - 01)),
    cs("AG-CDCS-006", "AG", "Sở Lao động – Thương binh và Xã hội tỉnh An Giang", "state_agency", "Lao động – Xã hội", Agency, 30307, "Số 28 Tôn Đức Thắng", 41, date!(1981 - 02 - 20)),
    cs("AG-CDCS-007", "AG", "Sở Nông nghiệp và Phát triển nông thôn tỉnh An Giang", "state_agency", "Nông nghiệp", Agency, 30301, "Số 69 Lê Văn Nhung", 45, date!(1985 - 07 - 01)),
    cs("AG-CDCS-008", "AG", "Văn phòng Ủy ban nhân dân tỉnh An Giang", "state_agency", "Quản lý nhà nước", Agency, 30307, "Số 33 Lê Triệu Kiết", 36, date!(1977 - 09 - 02)),
    cs("AG-CDCS-009", "AG", "Sở Tư pháp tỉnh An Giang", "state_agency", "Tư pháp", Agency, 30307, "Số 8 Lê Lợi", 21, date!(1993 - 03 - 15)),
    cs("AG-CDCS-010", "AG", "Bệnh viện Đa khoa Trung tâm An Giang", "public_partial", "Y tế", Health, 30292, "Số 60 Ung Văn Khiêm", 280, date!(1977 - 10 - 01)),
    cs("AG-CDCS-011", "AG", "Trường Cao đẳng Nghề An Giang", "public_partial", "Giáo dục nghề nghiệp", College, 30301, "Số 841 Trần Hưng Đạo", 72, date!(2001 - 09 - 05)),
    cs("AG-CDCS-012", "AG", "Đài Phát thanh – Truyền hình An Giang", "public_partial", "Phát thanh – Truyền hình", Media, 30307, "Số 316 Trần Hưng Đạo", 62, date!(1979 - 04 - 30)),
    cs("AG-CDCS-013", "AG", "Ban Quản lý Khu kinh tế tỉnh An Giang", "state_agency", "Quản lý nhà nước", Agency, 30307, "Số 45 Lê Lợi", 18, date!(2009 - 08 - 20)),
    // LĐLĐ thành phố Long Xuyên (014 and 015 moved under the LĐLĐ tỉnh on 1/1/2019).
    cs("AG-CDCS-014", "AG-LX", "Công ty Cổ phần Thủy sản Mỹ Thới", "private", "Thủy sản", FoodProcessing, 30301, "Lô 5, Cụm công nghiệp Mỹ Thới", 110, date!(2003 - 06 - 12)),
    cs("AG-CDCS-015", "AG-LX", "Công ty TNHH MTV Xổ số Kiến thiết An Giang", "soe", "Xổ số", Utility, 30307, "Số 22 Trần Hưng Đạo", 54, date!(1993 - 11 - 01)),
    cs("AG-CDCS-016", "AG-LX", "Công ty Cổ phần Dược phẩm Long Xuyên", "private", "Dược phẩm", Factory, 30292, "Số 27 Nguyễn Thái Học", 62, date!(2006 - 03 - 20)),
    cs("AG-CDCS-017", "AG-LX", "Công ty TNHH Cơ khí Mỹ Thới", "private", "Cơ khí", Factory, 30301, "Số 112 Trần Hưng Đạo", 19, date!(2012 - 07 - 02)),
    cs("AG-CDCS-018", "AG-LX", "Hợp tác xã Thương mại – Dịch vụ Bình Đức", "coop", "Thương mại", Coop, 30292, "Số 5 Trần Quang Khải", 23, date!(2014 - 01 - 10)),
    // LĐLĐ thành phố Châu Đốc.
    cs("AG-CDCS-019", "AG-CD", "Công ty Cổ phần Du lịch Núi Sam", "private", "Du lịch", Tourism, 30325, "Đường Tân Lộ Kiều Lương", 39, date!(2008 - 05 - 19)),
    cs("AG-CDCS-020", "AG-CD", "Công ty TNHH Mắm Đặc sản Châu Đốc", "private", "Chế biến thực phẩm", FoodProcessing, 30316, "Số 51 Trưng Nữ Vương", 31, date!(2011 - 10 - 03)),
    cs("AG-CDCS-021", "AG-CD", "Công ty Cổ phần Bến xe Châu Đốc", "private", "Vận tải", Utility, 30316, "Số 2 Lê Lợi", 22, date!(2007 - 04 - 16)),
    // LĐLĐ huyện Chợ Mới.
    cs("AG-CDCS-022", "AG-CM", "Công ty TNHH Lương thực Chợ Mới", "private", "Lương thực", Factory, 30628, "Ấp Thị 1", 41, date!(2005 - 12 - 01)),
    cs("AG-CDCS-023", "AG-CM", "Hợp tác xã Nông nghiệp Long Điền A", "coop", "Nông nghiệp", Coop, 30631, "Ấp Long Phú", 16, date!(2016 - 03 - 08)),
    cs("AG-CDCS-024", "AG-CM", "Công ty Cổ phần Gạch ngói Cù Lao Giêng", "private", "Vật liệu xây dựng", Factory, 30643, "Ấp Mỹ Hòa", 63, date!(2004 - 08 - 25)),
    // CĐ các KCN: FDI and private factories.
    cs("AG-CDCS-025", "AG-KCN", "Công ty TNHH Giày da Bình Hòa", "fdi", "Da giày", Footwear, 30607, "Lô B2, Khu công nghiệp Bình Hòa", 420, date!(2010 - 09 - 15)),
    cs("AG-CDCS-026", "AG-KCN", "Công ty TNHH May mặc Xuân Tô", "fdi", "Dệt may", Garment, 30520, "Lô A1, Khu công nghiệp Xuân Tô", 110, date!(2014 - 05 - 05)),
    cs("AG-CDCS-027", "AG-KCN", "Công ty Cổ phần Thức ăn chăn nuôi Bình Long", "private", "Thức ăn chăn nuôi", Factory, 30487, "Lô C3, Khu công nghiệp Bình Long", 71, date!(2009 - 11 - 11)),
    cs("AG-CDCS-028", "AG-KCN", "Công ty TNHH Bao bì Mekong", "fdi", "Bao bì", Factory, 30607, "Lô D1, Khu công nghiệp Bình Hòa", 96, date!(2013 - 02 - 25)),
    cs("AG-CDCS-029", "AG-KCN", "Công ty TNHH Linh kiện Điện tử Bình Hòa", "fdi", "Điện tử", Garment, 30607, "Lô B5, Khu công nghiệp Bình Hòa", 47, date!(2018 - 06 - 18)),
    // ── Kiên Giang ───────────────────────────────────────────────────────
    office("KG-CDCS-001", "KG", "Liên đoàn Lao động tỉnh Kiên Giang", "state_agency", "Công đoàn", UnionOffice, 30742, "Số 32 Trần Phú", 26, date!(1977 - 02 - 10)),
    // The six CĐCS of the 2011 seminar (seed 002).
    cs("KG-CDCS-002", "KG-VC", "Sở Tư pháp tỉnh Kiên Giang", "state_agency", "Tư pháp", Agency, 30742, "Số 1 Trần Hưng Đạo", 28, date!(1992 - 05 - 12)),
    cs("KG-CDCS-003", "KG-VC", "Kho bạc Nhà nước Kiên Giang", "state_agency", "Kho bạc", Agency, 30742, "Số 13 Lê Lợi", 41, date!(1990 - 04 - 01)),
    cs("KG-CDCS-004", "KG-VC", "Viện Kiểm sát nhân dân tỉnh Kiên Giang", "state_agency", "Kiểm sát", Agency, 30760, "Số 4 Nguyễn Công Trứ", 47, date!(1990 - 08 - 26)),
    cs("KG-CDCS-005", "KG-VC", "Cục Thuế tỉnh Kiên Giang", "state_agency", "Thuế", Agency, 30742, "Số 2 Nguyễn Văn Cừ", 83, date!(1990 - 10 - 01)),
    cs("KG-CDCS-006", "KG-VC", "Văn phòng Tỉnh ủy Kiên Giang", "state_agency", "Công tác Đảng", Agency, 30742, "Số 29 Nguyễn Trung Trực", 52, date!(1989 - 05 - 03)),
    cs("KG-CDCS-007", "KG-VC", "Sở Công Thương tỉnh Kiên Giang", "state_agency", "Công Thương", Agency, 30760, "Số 6 Nguyễn Trung Trực", 35, date!(2008 - 06 - 02)),
    // Founded under LĐLĐ Phú Quốc, moved to the CĐ Viên chức tỉnh in 2016.
    cs("KG-CDCS-008", "KG-PQ", "Ban Quản lý Khu kinh tế Phú Quốc", "state_agency", "Quản lý nhà nước", Agency, 31078, "Số 2 Trần Hưng Đạo", 24, date!(2013 - 09 - 10)),
    cs("KG-CDCS-009", "KG-RG", "Công ty Cổ phần Thủy sản Rạch Giá", "private", "Thủy sản", FoodProcessing, 30760, "Số 89 Ngô Quyền", 66, date!(2002 - 04 - 22)),
    cs("KG-CDCS-010", "KG-RG", "Công ty TNHH MTV Cấp thoát nước Kiên Giang", "soe", "Cấp thoát nước", Utility, 30742, "Số 1 Phạm Hồng Thái", 58, date!(1996 - 07 - 15)),
    cs("KG-CDCS-011", "KG-PQ", "Công ty TNHH Nước mắm Hưng Thịnh Phú Quốc", "private", "Chế biến thực phẩm", FoodProcessing, 31078, "Khu phố 7, Dương Đông", 29, date!(2010 - 03 - 30)),
    cs("KG-CDCS-012", "KG-PQ", "Công ty TNHH Khu nghỉ dưỡng Bãi Trường", "fdi", "Du lịch", Tourism, 31078, "Khu du lịch Bãi Trường", 72, date!(2015 - 12 - 01)),
    // ── Kon Tum (local) ──────────────────────────────────────────────────
    office("KT-CDCS-001", "KT", "Liên đoàn Lao động tỉnh Kon Tum", "state_agency", "Công đoàn", UnionOffice, 23293, "Số 168 Bà Triệu", 27, date!(1992 - 01 - 15)),
    cs("KT-CDCS-002", "KT-YT", "Bệnh viện Đa khoa tỉnh Kon Tum", "public_partial", "Y tế", Health, 23293, "Số 224 Bà Triệu", 210, date!(1992 - 06 - 01)),
    cs("KT-CDCS-003", "KT-YT", "Trung tâm Kiểm soát bệnh tật tỉnh Kon Tum", "public_full", "Y tế", Health, 23284, "Số 4 Phan Chu Trinh", 42, date!(2018 - 04 - 02)),
    cs("KT-CDCS-004", "KT-YT", "Bệnh viện Y dược cổ truyền – Phục hồi chức năng tỉnh Kon Tum", "public_partial", "Y tế", Health, 23302, "Số 146 Đào Duy Từ", 61, date!(2009 - 07 - 20)),
    cs("KT-CDCS-005", "KT-YT", "Sở Y tế tỉnh Kon Tum", "state_agency", "Y tế", Agency, 23293, "Số 2 Trần Hưng Đạo", 29, date!(1992 - 03 - 10)),
    cs("KT-CDCS-006", "KT-GD", "Trường Trung học phổ thông chuyên Nguyễn Tất Thành", "public_full", "Giáo dục", School, 23284, "Số 1 Đào Duy Từ", 58, date!(1993 - 09 - 05)),
    cs("KT-CDCS-007", "KT-GD", "Trường Trung học phổ thông Kon Tum", "public_full", "Giáo dục", School, 23293, "Số 43 Phan Đình Phùng", 64, date!(1992 - 09 - 05)),
    cs("KT-CDCS-008", "KT-GD", "Trường Cao đẳng Kon Tum", "public_partial", "Giáo dục", College, 23302, "Số 704 Phan Đình Phùng", 70, date!(2009 - 10 - 12)),
    cs("KT-CDCS-009", "KT-VC", "Sở Tài chính tỉnh Kon Tum", "state_agency", "Tài chính", Agency, 23293, "Số 19 Trần Phú", 31, date!(1992 - 02 - 20)),
    cs("KT-CDCS-010", "KT-VC", "Sở Nội vụ tỉnh Kon Tum", "state_agency", "Nội vụ", Agency, 23293, "Số 21 Trần Phú", 27, date!(1993 - 04 - 12)),
    cs("KT-CDCS-011", "KT-VC", "Văn phòng Ủy ban nhân dân tỉnh Kon Tum", "state_agency", "Quản lý nhà nước", Agency, 23293, "Số 15 Trần Phú", 38, date!(1992 - 03 - 20)),
    cs("KT-CDCS-012", "KT-NH", "Ngân hàng Nhà nước Việt Nam – Chi nhánh tỉnh Kon Tum", "state_agency", "Ngân hàng", Bank, 23293, "Số 1 Lê Hồng Phong", 33, date!(1992 - 05 - 05)),
    cs("KT-CDCS-013", "KT-NH", "Ngân hàng Nông nghiệp và Phát triển nông thôn – Chi nhánh tỉnh Kon Tum", "soe", "Ngân hàng", Bank, 23293, "Số 88 Trần Hưng Đạo", 60, date!(1992 - 08 - 01)),
    cs("KT-CDCS-014", "KT-NH", "Ngân hàng TMCP Đầu tư và Phát triển Việt Nam – Chi nhánh Kon Tum", "soe", "Ngân hàng", Bank, 23284, "Số 1 Trần Phú", 46, date!(1993 - 03 - 01)),
    // ── Quảng Ngãi ───────────────────────────────────────────────────────
    office("QNG-CDCS-001", "QNG", "Liên đoàn Lao động tỉnh Quảng Ngãi", "state_agency", "Công đoàn", UnionOffice, 21025, "Số 52 Nguyễn Nghiêm", 29, date!(1977 - 03 - 01)),
    cs("QNG-CDCS-002", "QNG", "Sở Giáo dục và Đào tạo tỉnh Quảng Ngãi", "state_agency", "Giáo dục", Agency, 21028, "Số 164 Hùng Vương", 44, date!(1979 - 08 - 15)),
    cs("QNG-CDCS-003", "QNG-KKT", "Công ty TNHH MTV Lọc hóa dầu Bình Sơn", "soe", "Lọc hóa dầu", Factory, 21061, "Lô 208, Khu kinh tế Dung Quất", 240, date!(2009 - 02 - 20)),
    cs("QNG-CDCS-004", "QNG-KKT", "Công ty Cổ phần Thép Dung Quất", "private", "Luyện kim", Factory, 21061, "Khu công nghiệp phía Đông Dung Quất", 160, date!(2018 - 05 - 10)),
    cs("QNG-CDCS-005", "QNG-BS", "Công ty Cổ phần Đường Bình Sơn", "private", "Chế biến thực phẩm", FoodProcessing, 21040, "Thôn Phú Long", 120, date!(2001 - 06 - 01)),
    cs("QNG-CDCS-006", "QNG-BS", "Hợp tác xã Nông nghiệp Bình Minh", "coop", "Nông nghiệp", Coop, 21085, "Thôn Bình Trung", 18, date!(2015 - 04 - 08)),
    cs("QNG-CDCS-007", "QNG-BS", "Trường Trung học phổ thông Bình Sơn", "public_full", "Giáo dục", School, 21040, "Số 4 Phạm Văn Đồng", 55, date!(1994 - 09 - 05)),
    // ── Central sector unions: their own offices, and seed 004 ──────────
    office("CDYT-CDCS-001", "CDYT", "Công đoàn Y tế Việt Nam", "state_agency", "Công đoàn", UnionOffice, 25, "Số 138A Giảng Võ", 23, date!(1960 - 03 - 01)),
    office("CDGD-CDCS-001", "CDGD", "Công đoàn Giáo dục Việt Nam", "state_agency", "Công đoàn", UnionOffice, 256, "Số 35 Đại Cồ Việt", 26, date!(1958 - 09 - 01)),
    office("CDNH-CDCS-001", "CDNH", "Công đoàn Ngân hàng Việt Nam", "state_agency", "Công đoàn", UnionOffice, 73, "Số 10 Trần Hưng Đạo", 21, date!(1960 - 05 - 06)),
    office("CDVC-CDCS-001", "CDVC", "Công đoàn Viên chức Việt Nam", "state_agency", "Công đoàn", UnionOffice, 70, "Số 8 Lê Thánh Tông", 19, date!(1991 - 06 - 01)),
    // CDVC-CDCS-002 (Công đoàn cơ quan Trung ương Đoàn) is built by `youth_union`.
    // ── Corporations: head offices, then the 15 CĐCS located in Kon Tum ──
    office("VRG-CDCS-001", "VRG", "Tập đoàn Công nghiệp Cao su Việt Nam", "soe", "Cao su", Agency, 26740, "Số 210 Nam Kỳ Khởi Nghĩa", 24, date!(2007 - 01 - 10)),
    cs("VRG-CDCS-002", "VRG", "Công ty TNHH MTV Cao su Kon Tum", "soe", "Cao su", Rubber, 23293, "Số 258 Phan Đình Phùng", 230, date!(1993 - 05 - 20)),
    cs("VRG-CDCS-003", "VRG", "Công ty Cổ phần Cao su Sa Thầy", "soe", "Cao su", Rubber, 23527, "Thôn 1, Sa Thầy", 72, date!(2008 - 03 - 01)),
    cs("VRG-CDCS-004", "VRG", "Công ty Cổ phần Cao su Chư Mom Ray", "soe", "Cao su", Rubber, 23536, "Thôn 2, Mô Rai", 68, date!(2008 - 07 - 15)),
    cs("VRG-CDCS-005", "VRG", "Công ty TNHH MTV Cao su Ia Chim", "soe", "Cao su", Rubber, 23326, "Thôn Nghĩa An", 45, date!(2010 - 11 - 01)),
    office("VNPT-CDCS-001", "VNPT", "Tập đoàn Bưu chính Viễn thông Việt Nam", "soe", "Bưu chính viễn thông", Agency, 187, "Số 57 Huỳnh Thúc Kháng", 26, date!(2006 - 05 - 10)),
    cs("VNPT-CDCS-002", "VNPT", "Viễn thông Kon Tum", "soe", "Bưu chính viễn thông", Telecom, 23293, "Số 70 Lê Hồng Phong", 56, date!(2008 - 01 - 15)),
    cs("VNPT-CDCS-003", "VNPT", "Trung tâm Kinh doanh VNPT – Kon Tum", "soe", "Bưu chính viễn thông", Telecom, 23293, "Số 70 Lê Hồng Phong", 32, date!(2015 - 10 - 01)),
    office("EVN-CDCS-001", "EVN", "Tập đoàn Điện lực Việt Nam", "soe", "Điện lực", Agency, 4, "Số 11 Cửa Bắc", 28, date!(1995 - 07 - 01)),
    cs("EVN-CDCS-002", "EVN", "Công ty Điện lực Kon Tum", "soe", "Điện lực", Power, 23293, "Số 61 Phan Đình Phùng", 80, date!(1996 - 03 - 01)),
    cs("EVN-CDCS-003", "EVN", "Công ty Thủy điện Ialy", "soe", "Điện lực", Power, 23548, "Thôn 3, Ya Ly", 58, date!(1998 - 07 - 01)),
    office("VINACAFE-CDCS-001", "VINACAFE", "Tổng công ty Cà phê Việt Nam", "soe", "Cà phê", Agency, 235, "Số 211 Nguyễn Thái Học", 21, date!(1996 - 01 - 15)),
    cs("VINACAFE-CDCS-002", "VINACAFE", "Công ty Cà phê 731", "soe", "Cà phê", Coffee, 23500, "Thôn 4, Đăk Hà", 56, date!(1997 - 04 - 10)),
    cs("VINACAFE-CDCS-003", "VINACAFE", "Công ty Cà phê 734", "soe", "Cà phê", Coffee, 23500, "Thôn 8, Đăk Hà", 48, date!(1997 - 04 - 10)),
    cs("VINACAFE-CDCS-004", "VINACAFE", "Công ty Cà phê 704", "soe", "Cà phê", Coffee, 23401, "Thôn 2, Đăk Tô", 38, date!(1998 - 02 - 16)),
    cs("VINACAFE-CDCS-005", "VINACAFE", "Công ty Cà phê Đăk Uy", "soe", "Cà phê", Coffee, 23510, "Thôn Kon Gung", 34, date!(1999 - 06 - 01)),
    office("VINAPACO-CDCS-001", "VINAPACO", "Tổng công ty Giấy Việt Nam", "soe", "Giấy", Agency, 70, "Số 25A Lý Thường Kiệt", 20, date!(1995 - 10 - 01)),
    cs("VINAPACO-CDCS-002", "VINAPACO", "Công ty Nguyên liệu giấy Kon Tum", "soe", "Nguyên liệu giấy", Forestry, 23473, "Thôn Măng Đen", 36, date!(2001 - 05 - 14)),
    office("SONGDA-CDCS-001", "SONGDA", "Tổng công ty Sông Đà", "soe", "Xây dựng", Agency, 9556, "Tòa nhà Sông Đà, đường Phạm Hùng", 22, date!(1996 - 02 - 01)),
    cs("SONGDA-CDCS-002", "SONGDA", "Công ty Cổ phần Sông Đà Kon Tum", "soe", "Xây dựng", Construction, 23293, "Số 12 Ure", 47, date!(2004 - 09 - 20)),
    cs("SONGDA-CDCS-003", "SONGDA", "Công ty Cổ phần Thủy điện Sông Đà – Đăk Pô Kô", "soe", "Xây dựng", Construction, 23377, "Thôn Đăk Răng", 24, date!(2011 - 03 - 10)),
];

/// Code of the CĐCS "Công đoàn cơ quan Trung ương Đoàn" (seed 004).
pub(crate) const YOUTH_UNION: &str = "CDVC-CDCS-002";

/// The 15 corporation CĐCS located in Kon Tum (coordinated by KT).
pub(crate) const KON_TUM_CORPORATION_CDCS: [&str; 15] = [
    "VRG-CDCS-002",
    "VRG-CDCS-003",
    "VRG-CDCS-004",
    "VRG-CDCS-005",
    "VNPT-CDCS-002",
    "VNPT-CDCS-003",
    "EVN-CDCS-002",
    "EVN-CDCS-003",
    "VINACAFE-CDCS-002",
    "VINACAFE-CDCS-003",
    "VINACAFE-CDCS-004",
    "VINACAFE-CDCS-005",
    "VINAPACO-CDCS-002",
    "SONGDA-CDCS-002",
    "SONGDA-CDCS-003",
];

/// Kon Tum local sector unions and the central sector union that co-directs each.
const KON_TUM_SECTOR_PAIRS: [(&str, &str); 4] = [
    ("KT-YT", "CDYT"),
    ("KT-GD", "CDGD"),
    ("KT-VC", "CDVC"),
    ("KT-NH", "CDNH"),
];

/// (unit, new parent, date, reason), in date order.
const MOVES: &[(&str, &str, Date, &str)] = &[
    (
        "KG-CDCS-008",
        "KG-VC",
        date!(2016 - 07 - 01),
        "Chuyển về Công đoàn Viên chức tỉnh quản lý theo khối cơ quan hành chính",
    ),
    (
        "AG-CDCS-014",
        "AG",
        date!(2019 - 01 - 01),
        "Tinh gọn bộ máy",
    ),
    (
        "AG-CDCS-015",
        "AG",
        date!(2019 - 01 - 01),
        "Tinh gọn bộ máy",
    ),
];

/// What later phases need to know about each unit (same index as `units`).
#[derive(Debug, Clone)]
pub(crate) struct UnitInfo {
    pub region: Region,
    /// Set for CĐCS and everything below.
    pub profile: Option<Profile>,
    pub ownership: Option<&'static str>,
    /// Members to generate placed directly in this unit.
    pub direct_members: u32,
    /// The CĐCS is the office of its parent.
    pub office: bool,
    /// Managing parent after all moves.
    pub final_parent: Option<usize>,
    /// BCH/BTV/UBKT sizes of upper-level units.
    pub bch: usize,
    pub btv: usize,
    pub ubkt: usize,
    /// Prefix of union card numbers issued under this unit.
    pub card_prefix: &'static str,
    /// Number (khóa) of the 2023–2028 term.
    pub term_no: i32,
}

pub(crate) struct Tree {
    pub units: Vec<UnitSeed>,
    pub info: Vec<UnitInfo>,
    pub moves: Vec<MoveSeed>,
    pub coordination: Vec<CoordSeed>,
}

/// Term number of the 2023–2028 term for a unit founded in `year`,
/// counting five-year terms (a young unit's first term is aligned to its
/// parent's, so a 2019 unit is in its second term in 2023).
pub(crate) fn term_no(founded: Date) -> i32 {
    ((2023 - founded.year() + 4) / 5).max(0) + 1
}

struct Builder {
    units: Vec<UnitSeed>,
    info: Vec<UnitInfo>,
    tax_ids: HashSet<String>,
    abbr: Vec<(&'static str, &'static str)>,
}

impl Builder {
    fn index(&self, code: &str) -> usize {
        self.units
            .iter()
            .position(|u| u.code == code)
            .unwrap_or_else(|| panic!("unknown unit {code}"))
    }

    fn abbr_of(&self, code: &str) -> &'static str {
        self.abbr
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, a)| *a)
            .unwrap_or("CĐCS")
    }

    fn card_prefix(code: &str) -> &'static str {
        match code.split('-').next() {
            Some("AG") => "AG",
            Some("KG") => "KG",
            Some("KT") => "KT",
            _ => "TW",
        }
    }

    /// A unique 10-digit tax id (mã số thuế): province prefix, 7-digit
    /// serial and the check digit of the usual 31-29-23-19-17-13-7-5-3
    /// weighting.
    fn tax_id(&mut self, rng: &mut Rng, region: Region) -> String {
        loop {
            let body = region.tax_prefix() * 10_000_000 + rng.range(1_000_000, 9_999_999) as u64;
            let Some(check) = geo::tax_check_digit(body) else {
                continue;
            };
            let id = format!("{body:09}{check}");
            if self.tax_ids.insert(id.clone()) {
                return id;
            }
        }
    }

    fn decision(rng: &mut Rng, abbr: &str) -> String {
        format!("Quyết định số {}/QĐ-{abbr}", rng.range(3, 389))
    }

    fn push(&mut self, unit: UnitSeed, info: UnitInfo) -> usize {
        self.units.push(unit);
        self.info.push(info);
        self.units.len() - 1
    }

    fn upper_info(
        region: Region,
        code: &str,
        bch: usize,
        btv: usize,
        ubkt: usize,
        founded: Date,
    ) -> UnitInfo {
        UnitInfo {
            region,
            profile: None,
            ownership: None,
            direct_members: 0,
            office: false,
            final_parent: None,
            bch,
            btv,
            ubkt,
            card_prefix: Self::card_prefix(code),
            term_no: term_no(founded),
        }
    }

    fn root(&mut self) {
        let unit = UnitSeed {
            code: "TLD".into(),
            name: "Tổng Liên đoàn Lao động Việt Nam".into(),
            type_code: "TLD",
            parent_code: None,
            sector: None,
            employer: None,
            province_code: Some(1),
            commune_code: Some(73),
            address: Some(geo::address("Số 82 Trần Hưng Đạo", 73, Region::HaNoi)),
            founding_decision: None,
            founded_on: date!(1929 - 07 - 28),
        };
        let info = Self::upper_info(Region::HaNoi, "TLD", 0, 0, 0, unit.founded_on);
        self.push(unit, info);
        self.abbr.push(("TLD", "TLĐ"));
    }

    fn upper(&mut self, u: &Upper) {
        let mut rng = Rng::for_label(u.code);
        let unit = UnitSeed {
            code: u.code.into(),
            name: u.name.into(),
            type_code: u.type_code,
            parent_code: Some(u.parent.into()),
            sector: u.sector.map(Into::into),
            employer: None,
            province_code: Some(u.region.province_code()),
            commune_code: Some(u.commune),
            address: Some(geo::address(u.street, u.commune, u.region)),
            founding_decision: Some(Self::decision(&mut rng, self.abbr_of(u.parent))),
            founded_on: u.founded,
        };
        let info = Self::upper_info(u.region, u.code, u.bch, u.btv, u.ubkt, u.founded);
        self.push(unit, info);
        self.abbr.push((u.code, u.abbr));
    }

    fn region_of(&self, parent: &str) -> Region {
        self.info[self.index(parent)].region
    }

    /// A CĐCS, then its tổ công đoàn if it is big enough to have them.
    fn grassroots(&mut self, c: &Cs) {
        let mut rng = Rng::for_label(c.code);
        // Corporation CĐCS sit in Kon Tum although their parent is in the
        // capital; Kiên Giang keeps its own region inside today's An Giang.
        let region = match geo::commune_province(c.commune) {
            51 if self.region_of(c.parent) == Region::QuangNgai => Region::QuangNgai,
            51 => Region::KonTum,
            91 if self.region_of(c.parent) == Region::KienGiang => Region::KienGiang,
            91 => Region::AnGiang,
            79 => Region::HoChiMinh,
            _ => Region::HaNoi,
        };
        let head_count = head_count(&mut rng, c.members, c.ownership);
        let employer = EmployerSeed {
            name: c.employer.into(),
            tax_id: self.tax_id(&mut rng, region),
            ownership: c.ownership,
            head_count,
        };
        let name = if c.office {
            format!("Công đoàn cơ quan {}", c.employer)
        } else {
            format!("Công đoàn cơ sở {}", c.employer)
        };
        let groups = c.profile.data().groups;
        let n_groups = match c.members {
            0..60 => 0,
            60..100 => 2,
            100..200 => 3,
            200..400 => 4,
            _ => 5,
        }
        .min(groups.len());
        let unit = UnitSeed {
            code: c.code.into(),
            name,
            type_code: "CDCS",
            parent_code: Some(c.parent.into()),
            sector: Some(c.sector.into()),
            employer: Some(employer),
            province_code: Some(region.province_code()),
            commune_code: Some(c.commune),
            address: Some(geo::address(c.street, c.commune, region)),
            founding_decision: Some(Self::decision(&mut rng, self.abbr_of(c.parent))),
            founded_on: c.founded,
        };
        let term = term_no(c.founded);
        let info = UnitInfo {
            region,
            profile: Some(c.profile),
            ownership: Some(c.ownership),
            direct_members: if n_groups == 0 { c.members } else { 0 },
            office: c.office,
            final_parent: None,
            bch: 0,
            btv: 0,
            ubkt: 0,
            card_prefix: Self::card_prefix(c.code),
            term_no: term,
        };
        self.push(unit, info);
        if n_groups > 0 {
            let mut names: Vec<&str> = groups.to_vec();
            rng.shuffle(&mut names);
            let sizes = split(&mut rng, c.members, n_groups);
            for (i, (group, size)) in names.iter().zip(sizes).enumerate() {
                self.group(
                    &mut rng,
                    c.code,
                    i + 1,
                    group,
                    size,
                    c.sector,
                    c.commune,
                    region,
                    c.profile,
                    c.ownership,
                    c.founded,
                    term,
                );
            }
        }
    }

    /// A tổ công đoàn.
    #[allow(clippy::too_many_arguments)]
    fn group(
        &mut self,
        rng: &mut Rng,
        parent: &str,
        n: usize,
        group: &str,
        members: u32,
        sector: &str,
        commune: i32,
        region: Region,
        profile: Profile,
        ownership: &'static str,
        parent_founded: Date,
        term: i32,
    ) {
        let unit = UnitSeed {
            code: format!("{parent}-T{n:02}"),
            name: format!("Tổ công đoàn {group}"),
            type_code: "TO_CD",
            parent_code: Some(parent.into()),
            sector: Some(sector.into()),
            employer: None,
            province_code: Some(region.province_code()),
            commune_code: Some(commune),
            address: None,
            founding_decision: Some(Self::decision(rng, "CĐCS")),
            founded_on: parent_founded + time::Duration::days(rng.range(20, 120)),
        };
        let info = UnitInfo {
            region,
            profile: Some(profile),
            ownership: Some(ownership),
            direct_members: members,
            office: false,
            final_parent: None,
            bch: 0,
            btv: 0,
            ubkt: 0,
            card_prefix: Self::card_prefix(parent),
            term_no: term,
        };
        self.push(unit, info);
    }

    /// Công đoàn cơ quan Trung ương Đoàn (seed 004): a CĐCS under CĐ Viên
    /// chức Việt Nam with three công đoàn bộ phận, each with tổ.
    fn youth_union(&mut self) {
        let code = YOUTH_UNION;
        let parent = "CDVC";
        let mut rng = Rng::for_label(code);
        let founded = date!(1993 - 09 - 10);
        let region = Region::HaNoi;
        let employer = EmployerSeed {
            name: "Cơ quan Trung ương Đoàn TNCS Hồ Chí Minh".into(),
            tax_id: self.tax_id(&mut rng, region),
            ownership: "state_agency",
            head_count: 0, // filled below
        };
        const PARTS: [(&str, &str, Profile, u32, &[&str]); 3] = [
            (
                "BP01",
                "Công đoàn Văn phòng Trung ương Đoàn",
                Profile::Agency,
                46,
                &["Phòng Hành chính – Tổng hợp", "Phòng Quản trị – Tài vụ"],
            ),
            (
                "BP02",
                "Công đoàn Ban Tuyên giáo",
                Profile::Agency,
                20,
                &["Ban Tuyên giáo"],
            ),
            (
                "BP03",
                "Công đoàn Nhà xuất bản Kim Đồng",
                Profile::Publishing,
                62,
                &["Ban Biên tập", "Phòng Phát hành", "Phòng Mỹ thuật"],
            ),
        ];
        let total: u32 = PARTS.iter().map(|p| p.3).sum();
        let unit = UnitSeed {
            code: code.into(),
            name: "Công đoàn cơ quan Trung ương Đoàn".into(),
            type_code: "CDCS",
            parent_code: Some(parent.into()),
            sector: Some("Đoàn thể".into()),
            employer: Some(EmployerSeed {
                head_count: head_count(&mut rng, total, "state_agency"),
                ..employer
            }),
            province_code: Some(1),
            commune_code: Some(256),
            address: Some(geo::address("Số 60 Bà Triệu", 256, region)),
            founding_decision: Some(Self::decision(&mut rng, self.abbr_of(parent))),
            founded_on: founded,
        };
        let term = term_no(founded);
        let info = UnitInfo {
            region,
            profile: Some(Profile::Agency),
            ownership: Some("state_agency"),
            direct_members: 0,
            office: false,
            final_parent: None,
            bch: 0,
            btv: 0,
            ubkt: 0,
            card_prefix: "TW",
            term_no: term,
        };
        self.push(unit, info);
        for (suffix, name, profile, members, groups) in PARTS {
            let bp_code = format!("{code}-{suffix}");
            let bp_founded = founded + time::Duration::days(rng.range(30, 200));
            let (employer, ownership, commune, street) = if profile == Profile::Publishing {
                let e = EmployerSeed {
                    name: "Nhà xuất bản Kim Đồng".into(),
                    tax_id: self.tax_id(&mut rng, region),
                    ownership: "public_partial",
                    head_count: head_count(&mut rng, members, "public_partial"),
                };
                (Some(e), "public_partial", 256, "Số 55 Quang Trung")
            } else {
                (None, "state_agency", 256, "Số 60 Bà Triệu")
            };
            let unit = UnitSeed {
                code: bp_code.clone(),
                name: name.into(),
                type_code: "CD_BO_PHAN",
                parent_code: Some(code.into()),
                sector: Some(
                    if profile == Profile::Publishing {
                        "Xuất bản"
                    } else {
                        "Đoàn thể"
                    }
                    .into(),
                ),
                employer,
                province_code: Some(1),
                commune_code: Some(commune),
                address: Some(geo::address(street, commune, region)),
                founding_decision: Some(Self::decision(&mut rng, "CĐCS")),
                founded_on: bp_founded,
            };
            let info = UnitInfo {
                region,
                profile: Some(profile),
                ownership: Some(ownership),
                direct_members: 0,
                office: false,
                final_parent: None,
                bch: 0,
                btv: 0,
                ubkt: 0,
                card_prefix: "TW",
                term_no: term,
            };
            self.push(unit, info);
            let sizes = split(&mut rng, members, groups.len());
            let sector = if profile == Profile::Publishing {
                "Xuất bản"
            } else {
                "Đoàn thể"
            };
            for (i, (group, size)) in groups.iter().zip(sizes).enumerate() {
                self.group(
                    &mut rng,
                    &bp_code,
                    i + 1,
                    group,
                    size,
                    sector,
                    commune,
                    region,
                    profile,
                    ownership,
                    bp_founded,
                    term,
                );
            }
        }
    }
}

/// Employer head count: members are most of the staff in the state sector,
/// fewer in private and FDI firms.
pub(crate) fn head_count(rng: &mut Rng, members: u32, ownership: &str) -> i32 {
    let coverage = match ownership {
        "state_agency" | "public_full" => rng.range(92, 100),
        "public_partial" | "soe" => rng.range(85, 98),
        "coop" => rng.range(60, 90),
        _ => rng.range(55, 90),
    };
    ((i64::from(members) * 100 + coverage - 1) / coverage) as i32
}

/// Splits `total` into `n` uneven parts of at least 8.
pub(crate) fn split(rng: &mut Rng, total: u32, n: usize) -> Vec<u32> {
    let weights: Vec<u32> = (0..n).map(|_| rng.range(6, 16) as u32).collect();
    let wsum: u32 = weights.iter().sum();
    let floor = 8u32.min(total / n as u32);
    let spare = total - floor * n as u32;
    let mut parts: Vec<u32> = weights.iter().map(|w| floor + spare * w / wsum).collect();
    let used: u32 = parts.iter().sum();
    parts[0] += total - used;
    parts
}

pub(crate) fn build() -> Tree {
    let mut b = Builder {
        units: Vec::with_capacity(256),
        info: Vec::with_capacity(256),
        tax_ids: HashSet::new(),
        abbr: Vec::new(),
    };
    b.root();
    for u in UPPER {
        b.upper(u);
    }
    for c in GRASSROOTS {
        b.grassroots(c);
        if c.code == "CDVC-CDCS-001" {
            b.youth_union();
        }
    }

    let moves: Vec<MoveSeed> = MOVES
        .iter()
        .map(|(unit, to, on, reason)| MoveSeed {
            unit_code: (*unit).into(),
            new_parent_code: (*to).into(),
            on: *on,
            reason: (*reason).into(),
        })
        .collect();
    // Final managing parent of every unit.
    let mut parent: Vec<Option<usize>> = b
        .units
        .iter()
        .map(|u| u.parent_code.as_deref().map(|p| b.index(p)))
        .collect();
    for m in &moves {
        let i = b.index(&m.unit_code);
        parent[i] = Some(b.index(&m.new_parent_code));
    }
    for (info, p) in b.info.iter_mut().zip(parent) {
        info.final_parent = p;
    }

    let mut coordination: Vec<CoordSeed> = KON_TUM_CORPORATION_CDCS
        .iter()
        .map(|code| {
            let corp = &b.units[b.index(b.units[b.index(code)].parent_code.as_deref().unwrap_or("TLD"))];
            CoordSeed {
                unit_code: (*code).into(),
                coordinator_code: "KT".into(),
                valid_from: date!(2018 - 01 - 01),
                note: format!(
                    "Quy chế phối hợp giữa Liên đoàn Lao động tỉnh Kon Tum và {} trong chỉ đạo công đoàn cơ sở trên địa bàn tỉnh",
                    corp.name
                ),
            }
        })
        .collect();
    for (local, central) in KON_TUM_SECTOR_PAIRS {
        let c = &b.units[b.index(central)];
        coordination.push(CoordSeed {
            unit_code: local.into(),
            coordinator_code: central.into(),
            valid_from: date!(2018 - 01 - 01),
            note: format!(
                "Quy chế phối hợp giữa {} và Liên đoàn Lao động tỉnh Kon Tum (chỉ đạo song trùng)",
                c.name
            ),
        });
    }

    Tree {
        units: b.units,
        info: b.info,
        moves,
        coordination,
    }
}
