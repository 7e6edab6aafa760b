//! Workplaces behind the grassroots unions: where a CĐCS sits (its "line"),
//! what kind of employer that implies (sector, ownership, the people's
//! [`Profile`]) and how such employers are named.

use time::Date;
use time::macros::date;

use crate::profile::Profile::{self, *};
use crate::rng::Rng;

/// Where a CĐCS sits in today's tree, which decides what employer it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Line {
    /// Under a commune/ward union: small firms, schools, clinics, the commune's
    /// own agencies.
    Commune,
    /// Under an industrial-park union: factories, mostly foreign-invested.
    Park,
    /// Directly under the LĐLĐ tỉnh: provincial agencies, hospitals, colleges.
    Province,
    /// Under a central sector union (index into [`SECTOR_UNIONS`]).
    Sector(usize),
    /// Under a corporation union (index into [`CORPORATION_UNIONS`]).
    Corporation(usize),
}

/// The line of a CĐCS by its size: the big factories are in the parks, the
/// small workplaces in the communes.
pub(super) fn pick_line(rng: &mut Rng, size: u32) -> Line {
    #[derive(Clone, Copy)]
    enum L {
        Commune,
        Park,
        Province,
        Sector,
        Corporation,
    }
    let table: &[(L, u32)] = match size {
        1000.. => &[
            (L::Park, 50),
            (L::Commune, 30),
            (L::Corporation, 12),
            (L::Sector, 5),
            (L::Province, 3),
        ],
        200.. => &[
            (L::Park, 25),
            (L::Commune, 50),
            (L::Corporation, 10),
            (L::Sector, 8),
            (L::Province, 7),
        ],
        _ => &[
            (L::Park, 4),
            (L::Commune, 78),
            (L::Corporation, 3),
            (L::Sector, 6),
            (L::Province, 9),
        ],
    };
    match *rng.weighted(table) {
        L::Commune => Line::Commune,
        L::Park => Line::Park,
        L::Province => Line::Province,
        L::Sector => Line::Sector(weighted_index(rng, &SECTOR_UNIONS)),
        L::Corporation => Line::Corporation(weighted_index(rng, &CORPORATION_UNIONS)),
    }
}

fn weighted_index(rng: &mut Rng, units: &[Central]) -> usize {
    let total: u64 = units.iter().map(|u| u64::from(u.weight)).sum();
    let mut r = rng.below(total);
    for (i, u) in units.iter().enumerate() {
        if r < u64::from(u.weight) {
            return i;
        }
        r -= u64::from(u.weight);
    }
    units.len() - 1
}

/// A kind of workplace.
#[derive(Debug)]
pub(super) struct Kind {
    /// Ngành/lĩnh vực, stored on the unit (a dashboard dimension).
    pub sector: &'static str,
    pub profile: Profile,
    /// Share of women per mille where the sector differs from its profile's
    /// (electronics assembly is a "factory" staffed mostly by women); 0 keeps
    /// the profile's.
    pub female: u32,
    /// Name templates, see [`expand`].
    pub names: &'static [&'static str],
}

impl Kind {
    pub fn female(&self) -> u32 {
        if self.female == 0 {
            self.profile.data().female
        } else {
            self.female
        }
    }
}

const fn kind(
    sector: &'static str,
    profile: Profile,
    female: u32,
    names: &'static [&'static str],
) -> Kind {
    Kind {
        sector,
        profile,
        female,
        names,
    }
}

// Domestic firms.
const GARMENT: Kind = kind(
    "Dệt may",
    Garment,
    0,
    &[
        "Công ty TNHH May mặc {b}",
        "Công ty Cổ phần May {b}",
        "Công ty TNHH Dệt may {b}",
        "Công ty Cổ phần Dệt may {o}",
    ],
);
const FOOTWEAR: Kind = kind(
    "Da giày",
    Footwear,
    0,
    &["Công ty TNHH Giày da {b}", "Công ty Cổ phần Giày {b}"],
);
const ELECTRONICS: Kind = kind(
    "Điện tử",
    Factory,
    700,
    &[
        "Công ty TNHH Điện tử {b}",
        "Công ty Cổ phần Linh kiện điện tử {b}",
    ],
);
const MECHANICAL: Kind = kind(
    "Cơ khí",
    Factory,
    0,
    &[
        "Công ty TNHH Cơ khí {b}",
        "Công ty Cổ phần Cơ khí {o}",
        "Công ty TNHH Kết cấu thép {b}",
    ],
);
const FOOD: Kind = kind(
    "Chế biến thực phẩm",
    FoodProcessing,
    0,
    &[
        "Công ty TNHH Thực phẩm {b}",
        "Công ty Cổ phần Chế biến nông sản {b}",
        "Công ty Cổ phần Lương thực {o}",
    ],
);
const SEAFOOD: Kind = kind(
    "Thủy sản",
    FoodProcessing,
    0,
    &[
        "Công ty Cổ phần Thủy sản {b}",
        "Công ty TNHH Chế biến thủy sản {b}",
    ],
);
const PLASTICS: Kind = kind(
    "Nhựa – Hóa chất",
    Factory,
    0,
    &["Công ty TNHH Nhựa {b}", "Công ty Cổ phần Bao bì {b}"],
);
const WOOD: Kind = kind(
    "Chế biến gỗ",
    Factory,
    300,
    &[
        "Công ty TNHH Chế biến gỗ {b}",
        "Công ty Cổ phần Nội thất {b}",
    ],
);
const LOGISTICS: Kind = kind(
    "Logistics",
    Utility,
    0,
    &["Công ty Cổ phần Logistics {b}", "Công ty TNHH Kho vận {b}"],
);
const CONSTRUCTION: Kind = kind(
    "Xây dựng",
    Construction,
    0,
    &[
        "Công ty TNHH Xây dựng {b}",
        "Công ty Cổ phần Đầu tư Xây dựng {b}",
        "Công ty Cổ phần Xây lắp {o}",
    ],
);
const TRADE: Kind = kind(
    "Thương mại – Dịch vụ",
    Utility,
    550,
    &[
        "Công ty TNHH Thương mại Dịch vụ {b}",
        "Công ty Cổ phần Thương mại {b}",
        "Siêu thị {b} {c}",
    ],
);
const TRANSPORT: Kind = kind(
    "Vận tải",
    Utility,
    150,
    &[
        "Công ty Cổ phần Vận tải {b}",
        "Công ty TNHH Vận tải hành khách {o}",
    ],
);
const TOURISM: Kind = kind(
    "Du lịch",
    Tourism,
    0,
    &[
        "Công ty Cổ phần Du lịch {b}",
        "Khách sạn {b}",
        "Công ty TNHH Nhà hàng {b}",
    ],
);
const PRIVATE_SCHOOL: Kind = kind(
    "Giáo dục",
    School,
    0,
    &[
        "Trường Mầm non tư thục {b}",
        "Trường Tiểu học, THCS và THPT {b}",
    ],
);
const PRIVATE_CLINIC: Kind = kind(
    "Y tế",
    Health,
    0,
    &["Phòng khám Đa khoa {b}", "Bệnh viện Đa khoa {b}"],
);

// Foreign-invested firms.
const GARMENT_FDI: Kind = kind(
    "Dệt may",
    Garment,
    0,
    &[
        "Công ty TNHH May mặc {f} Việt Nam",
        "Công ty TNHH {f} Vina",
        "Công ty TNHH Dệt {f} Việt Nam",
    ],
);
const FOOTWEAR_FDI: Kind = kind(
    "Da giày",
    Footwear,
    0,
    &[
        "Công ty TNHH Giày {f} Việt Nam",
        "Công ty TNHH {f} Footwear Việt Nam",
    ],
);
const ELECTRONICS_FDI: Kind = kind(
    "Điện tử",
    Factory,
    720,
    &[
        "Công ty TNHH {f} Electronics Việt Nam",
        "Công ty TNHH Điện tử {f} Việt Nam",
    ],
);
const MECHANICAL_FDI: Kind = kind(
    "Cơ khí",
    Factory,
    0,
    &[
        "Công ty TNHH {f} Precision Việt Nam",
        "Công ty TNHH Cơ khí {f} Việt Nam",
    ],
);
const FOOD_FDI: Kind = kind(
    "Chế biến thực phẩm",
    FoodProcessing,
    0,
    &["Công ty TNHH Thực phẩm {f} Việt Nam"],
);
const PLASTICS_FDI: Kind = kind(
    "Nhựa – Hóa chất",
    Factory,
    0,
    &[
        "Công ty TNHH {f} Plastic Việt Nam",
        "Công ty TNHH Hóa chất {f} Việt Nam",
    ],
);
const WOOD_FDI: Kind = kind(
    "Chế biến gỗ",
    Factory,
    300,
    &["Công ty TNHH Nội thất {f} Việt Nam"],
);
const LOGISTICS_FDI: Kind = kind(
    "Logistics",
    Utility,
    0,
    &["Công ty TNHH {f} Logistics Việt Nam"],
);
const FOREIGN_ORG: Kind = kind(
    "Tổ chức quốc tế",
    Agency,
    0,
    &["Văn phòng đại diện Tổ chức {f} tại Việt Nam"],
);

// Cooperatives.
const COOP: Kind = kind(
    "Hợp tác xã",
    Coop,
    0,
    &[
        "Hợp tác xã Nông nghiệp {c}",
        "Hợp tác xã Dịch vụ tổng hợp {c}",
        "Hợp tác xã Vận tải {b}",
        "Hợp tác xã Tiểu thủ công nghiệp {c}",
    ],
);

// Public services and agencies.
const SCHOOL: Kind = kind(
    "Giáo dục",
    School,
    0,
    &[
        "Trường Mầm non {c}",
        "Trường Tiểu học {c}",
        "Trường Tiểu học {c} {n}",
        "Trường THCS {c}",
    ],
);
const HIGH_SCHOOL: Kind = kind(
    "Giáo dục",
    School,
    0,
    &[
        "Trường THPT {c}",
        "Trường THPT {h}",
        "Trung tâm Giáo dục nghề nghiệp – Giáo dục thường xuyên {c}",
    ],
);
const HEALTH_STATION: Kind = kind("Y tế", Health, 0, &["Trạm Y tế {C}"]);
const HEALTH_CENTRE: Kind = kind(
    "Y tế",
    Health,
    0,
    &[
        "Trung tâm Y tế khu vực {c}",
        "Bệnh viện Đa khoa khu vực {c}",
    ],
);
const COMMUNE_AGENCY: Kind = kind(
    "Quản lý nhà nước",
    Agency,
    0,
    &[
        "Ủy ban nhân dân {C}",
        "Cơ quan Đảng ủy {C}",
        "Trung tâm Phục vụ hành chính công {C}",
        "Ủy ban Mặt trận Tổ quốc Việt Nam {C}",
    ],
);
const LOCAL_POWER: Kind = kind(
    "Điện lực",
    Power,
    0,
    &["Điện lực khu vực {c}", "Công ty Cổ phần Cấp nước {c}"],
);
const PROVINCE_AGENCY: Kind = kind(
    "Quản lý nhà nước",
    Agency,
    0,
    &[
        "Sở Nội vụ {P}",
        "Sở Tài chính {P}",
        "Sở Tư pháp {P}",
        "Sở Xây dựng {P}",
        "Sở Công Thương {P}",
        "Sở Nông nghiệp và Môi trường {P}",
        "Sở Khoa học và Công nghệ {P}",
        "Sở Giáo dục và Đào tạo {P}",
        "Sở Y tế {P}",
        "Sở Văn hóa, Thể thao và Du lịch {P}",
        "Sở Dân tộc và Tôn giáo {P}",
        "Sở Ngoại vụ {P}",
        "Thanh tra {P}",
        "Văn phòng Ủy ban nhân dân {P}",
        "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân {P}",
        "Ban Quản lý các Khu công nghiệp {P}",
        "Chi cục Kiểm lâm khu vực {n} {P}",
        "Thuế cơ sở {n} {P}",
        "Kho bạc Nhà nước khu vực {n}",
    ],
);
const PROVINCE_CENTRE: Kind = kind(
    "Sự nghiệp công",
    Agency,
    0,
    &[
        "Trung tâm Dịch vụ việc làm {P}",
        "Trung tâm Kiểm soát bệnh tật {P}",
        "Trung tâm Công nghệ thông tin {P}",
        "Trường THPT chuyên {p}",
        "Ban Quản lý dự án đầu tư xây dựng {P}",
        "Trung tâm Lưu trữ lịch sử {P}",
    ],
);
const HOSPITAL: Kind = kind(
    "Y tế",
    Health,
    0,
    &[
        "Bệnh viện Đa khoa {P}",
        "Bệnh viện Sản – Nhi {P}",
        "Bệnh viện Y học cổ truyền {P}",
        "Bệnh viện Phổi {P}",
        "Bệnh viện Mắt {P}",
        "Bệnh viện Đa khoa khu vực {o}",
    ],
);
const COLLEGE: Kind = kind(
    "Giáo dục nghề nghiệp",
    College,
    0,
    &[
        "Trường Cao đẳng {p}",
        "Trường Cao đẳng Y tế {p}",
        "Trường Cao đẳng Kỹ thuật – Công nghệ {o}",
    ],
);
const MEDIA: Kind = kind(
    "Báo chí – Truyền hình",
    Media,
    0,
    &["Báo và Phát thanh, Truyền hình {p}", "Nhà xuất bản {p}"],
);
const PROVINCE_COMPANY: Kind = kind(
    "Dịch vụ công ích",
    Utility,
    0,
    &[
        "Công ty TNHH MTV Xổ số kiến thiết {p}",
        "Công ty Cổ phần Cấp thoát nước {o}",
        "Công ty TNHH MTV Khai thác công trình thủy lợi {o}",
        "Công ty Cổ phần Môi trường đô thị {o}",
        "Công ty Cổ phần Bến xe {o}",
    ],
);

// The central sector unions' and corporations' workplaces.
const UNIVERSITY: Kind = kind(
    "Giáo dục",
    College,
    0,
    &[
        "Trường Đại học Sư phạm {p}",
        "Trường Đại học Kinh tế {p}",
        "Trường Đại học Y Dược {p}",
        "Trường Đại học Nông Lâm {p}",
        "Trường Đại học Công nghiệp {p}",
        "Trường Đại học Kỹ thuật {o}",
    ],
);
const CENTRAL_HOSPITAL: Kind = kind(
    "Y tế",
    Health,
    0,
    &[
        "Bệnh viện Trung ương {p}",
        "Bệnh viện Đa khoa Trung ương {o}",
        "Viện Vệ sinh dịch tễ {p}",
    ],
);
const PHARMA: Kind = kind(
    "Dược phẩm",
    Factory,
    620,
    &[
        "Công ty Cổ phần Dược phẩm {b}",
        "Công ty Cổ phần Thiết bị y tế {b}",
    ],
);
const BANK: Kind = kind(
    "Ngân hàng",
    Bank,
    0,
    &[
        "Ngân hàng Nông nghiệp và Phát triển Nông thôn – Chi nhánh {o}",
        "Ngân hàng TMCP Công Thương – Chi nhánh {p}",
        "Ngân hàng Chính sách xã hội – Chi nhánh {p}",
        "Ngân hàng TMCP {b} – Chi nhánh {c}",
    ],
);
const INSURANCE: Kind = kind(
    "Tài chính",
    Bank,
    0,
    &["Công ty Bảo hiểm {b} {p}", "Công ty Chứng khoán {b}"],
);
const ROADS: Kind = kind(
    "Giao thông vận tải",
    Construction,
    0,
    &[
        "Công ty Cổ phần Quản lý đường bộ {o}",
        "Công ty Cổ phần Công trình giao thông {b}",
        "Công ty Cổ phần Cảng {o}",
    ],
);
const FORESTRY: Kind = kind(
    "Lâm nghiệp",
    Forestry,
    0,
    &[
        "Công ty TNHH MTV Lâm nghiệp {c}",
        "Công ty TNHH MTV Lâm công nghiệp {o}",
    ],
);
const IRRIGATION: Kind = kind(
    "Thủy lợi",
    Utility,
    200,
    &["Công ty TNHH MTV Khai thác thủy lợi {c}"],
);
const INSTITUTE: Kind = kind(
    "Khoa học – Công nghệ",
    College,
    450,
    &[
        "Viện Khoa học Nông nghiệp {o}",
        "Viện Nghiên cứu {b}",
        "Trung tâm Quan trắc tài nguyên và môi trường {p}",
    ],
);
const POST: Kind = kind(
    "Bưu chính – Viễn thông",
    Telecom,
    0,
    &["Bưu điện {P}", "Viễn thông {p}", "Bưu điện khu vực {c}"],
);
const DEFENCE: Kind = kind(
    "Quốc phòng",
    Factory,
    250,
    &[
        "Công ty TNHH MTV Cơ khí {N}",
        "Nhà máy Z{N}",
        "Công ty TNHH MTV Đóng tàu {N}",
        "Công ty TNHH MTV Điện tử {N}",
    ],
);
const POLICE_COMPANY: Kind = kind(
    "Công an",
    Utility,
    0,
    &["Công ty TNHH MTV In {b}", "Công ty TNHH MTV Dịch vụ {b}"],
);
const CULTURE: Kind = kind(
    "Văn hóa – Du lịch",
    Media,
    0,
    &["Nhà hát {b}", "Bảo tàng {p}", "Trung tâm Văn hóa {p}"],
);
const AVIATION: Kind = kind(
    "Hàng không",
    Utility,
    420,
    &[
        "Cảng hàng không {p}",
        "Công ty Cổ phần Dịch vụ hàng không {b}",
        "Công ty Quản lý bay {o}",
    ],
);
const RAILWAY: Kind = kind(
    "Đường sắt",
    Utility,
    150,
    &[
        "Công ty Cổ phần Đường sắt {o}",
        "Công ty Cổ phần Vận tải đường sắt {p}",
        "Công ty Cổ phần Thông tin tín hiệu đường sắt {o}",
    ],
);
const RUBBER: Kind = kind(
    "Cao su",
    Rubber,
    0,
    &["Công ty TNHH MTV Cao su {c}", "Công ty Cổ phần Cao su {o}"],
);
const OIL: Kind = kind(
    "Dầu khí",
    Factory,
    180,
    &[
        "Công ty Cổ phần Dịch vụ Dầu khí {o}",
        "Công ty Cổ phần Phân bón Dầu khí {b}",
        "Công ty Khí {o}",
    ],
);
const POWER: Kind = kind(
    "Điện lực",
    Power,
    0,
    &[
        "Công ty Điện lực {p}",
        "Công ty Thủy điện {b}",
        "Công ty Truyền tải điện {o}",
        "Công ty Nhiệt điện {b}",
    ],
);
const MINING: Kind = kind(
    "Than – Khoáng sản",
    Factory,
    120,
    &["Công ty Than {b}", "Công ty Cổ phần Khoáng sản {o}"],
);
const TELECOM: Kind = kind(
    "Bưu chính – Viễn thông",
    Telecom,
    0,
    &["Viettel {p}", "Chi nhánh Viễn thông {o}"],
);
const SHIPPING: Kind = kind(
    "Hàng hải",
    Utility,
    120,
    &[
        "Công ty Cổ phần Cảng {o}",
        "Công ty Cổ phần Vận tải biển {b}",
    ],
);
const RICE: Kind = kind(
    "Lương thực",
    FoodProcessing,
    450,
    &[
        "Công ty Lương thực {o}",
        "Xí nghiệp Chế biến lương thực {c}",
    ],
);
const COFFEE: Kind = kind(
    "Cà phê",
    Coffee,
    0,
    &["Công ty TNHH MTV Cà phê {c}", "Công ty Cổ phần Cà phê {b}"],
);
const TOBACCO: Kind = kind(
    "Thuốc lá",
    Factory,
    450,
    &[
        "Công ty TNHH MTV Thuốc lá {o}",
        "Công ty Cổ phần Thuốc lá {b}",
    ],
);
const PAPER: Kind = kind(
    "Giấy",
    Forestry,
    0,
    &["Công ty Cổ phần Giấy {o}", "Công ty Nguyên liệu giấy {c}"],
);
const CEMENT: Kind = kind(
    "Xi măng",
    Factory,
    150,
    &["Công ty Cổ phần Xi măng {o}", "Công ty Xi măng {b}"],
);
const STEEL: Kind = kind(
    "Thép",
    Factory,
    130,
    &["Công ty Cổ phần Gang thép {o}", "Công ty Cổ phần Thép {b}"],
);
const CHEMICALS: Kind = kind(
    "Hóa chất",
    Factory,
    300,
    &[
        "Công ty Cổ phần Phân đạm {o}",
        "Công ty Cổ phần Pin ắc quy {b}",
        "Công ty Cổ phần Cao su {b}",
    ],
);
const SHIPBUILDING: Kind = kind(
    "Đóng tàu",
    Factory,
    100,
    &[
        "Công ty TNHH MTV Đóng tàu {o}",
        "Công ty Cổ phần Công nghiệp tàu thủy {b}",
    ],
);
const BUILDER: Kind = kind(
    "Xây dựng",
    Construction,
    0,
    &[
        "Công ty Cổ phần Xây dựng số {n}",
        "Công ty Cổ phần Sông Đà {n}",
        "Công ty Cổ phần Thủy điện {b}",
    ],
);

/// Employers that may stand behind a CĐCS on a line: (ownership, kind, weight).
pub(super) type Mix = &'static [(&'static str, &'static Kind, u32)];

/// Industrial parks: FDI factories first, garment, footwear and electronics
/// leading.
pub(super) const PARK_MIX: Mix = &[
    ("fdi", &GARMENT_FDI, 16),
    ("fdi", &FOOTWEAR_FDI, 10),
    ("fdi", &ELECTRONICS_FDI, 20),
    ("fdi", &MECHANICAL_FDI, 9),
    ("fdi", &FOOD_FDI, 4),
    ("fdi", &PLASTICS_FDI, 5),
    ("fdi", &WOOD_FDI, 4),
    ("fdi", &LOGISTICS_FDI, 2),
    ("private", &GARMENT, 6),
    ("private", &FOOTWEAR, 2),
    ("private", &ELECTRONICS, 3),
    ("private", &MECHANICAL, 7),
    ("private", &FOOD, 5),
    ("private", &PLASTICS, 3),
    ("private", &WOOD, 2),
    ("private", &LOGISTICS, 2),
];

/// Communes and wards: small private firms, the commune's schools, clinic and
/// agencies, cooperatives.
pub(super) const COMMUNE_MIX: Mix = &[
    ("private", &GARMENT, 7),
    ("private", &FOOTWEAR, 2),
    ("private", &ELECTRONICS, 2),
    ("private", &MECHANICAL, 6),
    ("private", &FOOD, 5),
    ("private", &SEAFOOD, 2),
    ("private", &PLASTICS, 2),
    ("private", &WOOD, 2),
    ("private", &CONSTRUCTION, 8),
    ("private", &TRADE, 9),
    ("private", &TRANSPORT, 3),
    ("private", &TOURISM, 3),
    ("private", &PRIVATE_SCHOOL, 1),
    ("private", &PRIVATE_CLINIC, 1),
    ("fdi", &GARMENT_FDI, 2),
    ("fdi", &MECHANICAL_FDI, 1),
    ("fdi", &FOOD_FDI, 1),
    ("coop", &COOP, 6),
    ("public_full", &SCHOOL, 11),
    ("public_full", &HEALTH_STATION, 2),
    ("public_partial", &HIGH_SCHOOL, 4),
    ("public_partial", &HEALTH_CENTRE, 4),
    ("state_agency", &COMMUNE_AGENCY, 9),
    ("soe", &LOCAL_POWER, 3),
    ("foreign_org", &FOREIGN_ORG, 1),
];

/// Directly under the LĐLĐ tỉnh: the province's agencies and public units.
pub(super) const PROVINCE_MIX: Mix = &[
    ("state_agency", &PROVINCE_AGENCY, 40),
    ("public_partial", &HOSPITAL, 14),
    ("public_partial", &COLLEGE, 8),
    ("public_partial", &MEDIA, 5),
    ("public_full", &PROVINCE_CENTRE, 18),
    ("soe", &PROVINCE_COMPANY, 15),
];

/// A central sector union or a corporation union directly under the TLĐ.
#[derive(Debug)]
pub(super) struct Central {
    pub name: &'static str,
    pub sector: &'static str,
    /// Share of the CĐCS on central lines.
    pub weight: u32,
    /// Province (2025 code) of its seat.
    pub seat: u16,
    pub founded: Date,
    pub mix: Mix,
}

const fn central(
    name: &'static str,
    sector: &'static str,
    weight: u32,
    seat: u16,
    founded: Date,
    mix: Mix,
) -> Central {
    Central {
        name,
        sector,
        weight,
        seat,
        founded,
        mix,
    }
}

/// Central sector unions (CĐ ngành TW), codes "N01"…"N20".
#[rustfmt::skip]
pub(super) const SECTOR_UNIONS: [Central; 20] = [
    central("Công đoàn Giáo dục Việt Nam", "Giáo dục", 12, 1, date!(1951 - 06 - 09),
        &[("public_partial", &UNIVERSITY, 6), ("public_partial", &COLLEGE, 3), ("private", &PRIVATE_SCHOOL, 2)]),
    central("Công đoàn Y tế Việt Nam", "Y tế", 12, 1, date!(1957 - 03 - 14),
        &[("public_partial", &CENTRAL_HOSPITAL, 8), ("soe", &PHARMA, 1), ("private", &PHARMA, 2)]),
    central("Công đoàn Ngân hàng Việt Nam", "Ngân hàng", 8, 1, date!(1953 - 05 - 06),
        &[("soe", &BANK, 6), ("private", &BANK, 4)]),
    central("Công đoàn Công Thương Việt Nam", "Công Thương", 10, 1, date!(1988 - 01 - 22),
        &[("soe", &MECHANICAL, 3), ("private", &PLASTICS, 2), ("soe", &FOOD, 2), ("private", &TRADE, 2)]),
    central("Công đoàn Xây dựng Việt Nam", "Xây dựng", 8, 1, date!(1957 - 12 - 12),
        &[("soe", &CONSTRUCTION, 5), ("private", &CONSTRUCTION, 3), ("soe", &CEMENT, 2)]),
    central("Công đoàn Giao thông vận tải Việt Nam", "Giao thông vận tải", 7, 1, date!(1957 - 09 - 27),
        &[("soe", &ROADS, 4), ("soe", &TRANSPORT, 3), ("private", &LOGISTICS, 1)]),
    central("Công đoàn Nông nghiệp và Môi trường Việt Nam", "Nông nghiệp và Môi trường", 6, 1, date!(1957 - 03 - 01),
        &[("soe", &FORESTRY, 3), ("soe", &IRRIGATION, 3), ("public_partial", &INSTITUTE, 2)]),
    central("Công đoàn Bưu điện Việt Nam", "Bưu chính – Viễn thông", 4, 1, date!(1947 - 08 - 15),
        &[("soe", &POST, 1)]),
    central("Công đoàn Quốc phòng", "Quốc phòng", 8, 1, date!(1993 - 05 - 22),
        &[("soe", &DEFENCE, 1)]),
    central("Công đoàn Công an nhân dân", "Công an", 2, 1, date!(1993 - 08 - 19),
        &[("soe", &POLICE_COMPANY, 1)]),
    central("Công đoàn Tài chính Việt Nam", "Tài chính", 4, 1, date!(1963 - 05 - 10),
        &[("soe", &INSURANCE, 2), ("private", &INSURANCE, 1)]),
    central("Công đoàn Văn hóa, Thể thao và Du lịch Việt Nam", "Văn hóa – Du lịch", 3, 1, date!(1959 - 02 - 18),
        &[("public_partial", &CULTURE, 2), ("soe", &TOURISM, 1), ("private", &TOURISM, 1)]),
    central("Công đoàn Khoa học và Công nghệ Việt Nam", "Khoa học – Công nghệ", 3, 1, date!(1989 - 10 - 28),
        &[("public_partial", &INSTITUTE, 1)]),
    central("Công đoàn Hàng không Việt Nam", "Hàng không", 4, 1, date!(1989 - 04 - 15),
        &[("soe", &AVIATION, 1)]),
    central("Công đoàn Đường sắt Việt Nam", "Đường sắt", 3, 1, date!(1955 - 07 - 01),
        &[("soe", &RAILWAY, 1)]),
    central("Công đoàn Cao su Việt Nam", "Cao su", 6, 79, date!(1977 - 12 - 17),
        &[("soe", &RUBBER, 1)]),
    central("Công đoàn Dầu khí Việt Nam", "Dầu khí", 5, 1, date!(1976 - 09 - 06),
        &[("soe", &OIL, 1)]),
    central("Công đoàn Điện lực Việt Nam", "Điện lực", 7, 1, date!(1995 - 10 - 10),
        &[("soe", &POWER, 1)]),
    central("Công đoàn Than – Khoáng sản Việt Nam", "Than – Khoáng sản", 6, 22, date!(1995 - 12 - 26),
        &[("soe", &MINING, 1)]),
    central("Công đoàn Dệt May Việt Nam", "Dệt may", 8, 1, date!(1995 - 12 - 29),
        &[("soe", &GARMENT, 1), ("private", &GARMENT, 2)]),
];

/// Corporation unions (CĐ tập đoàn, tổng công ty) under the TLĐ, codes
/// "T01"…"T15".
#[rustfmt::skip]
pub(super) const CORPORATION_UNIONS: [Central; 15] = [
    central("Công đoàn Tập đoàn Công nghiệp – Viễn thông Quân đội", "Bưu chính – Viễn thông", 15, 1, date!(2010 - 01 - 14),
        &[("soe", &TELECOM, 1)]),
    central("Công đoàn Tổng công ty Hàng hải Việt Nam", "Hàng hải", 6, 1, date!(1995 - 06 - 29),
        &[("soe", &SHIPPING, 1)]),
    central("Công đoàn Tổng công ty Lương thực miền Nam", "Lương thực", 6, 79, date!(1995 - 06 - 27),
        &[("soe", &RICE, 1)]),
    central("Công đoàn Tổng công ty Cà phê Việt Nam", "Cà phê", 5, 66, date!(1995 - 10 - 12),
        &[("soe", &COFFEE, 1)]),
    central("Công đoàn Tổng công ty Thuốc lá Việt Nam", "Thuốc lá", 6, 1, date!(1995 - 07 - 07),
        &[("soe", &TOBACCO, 1)]),
    central("Công đoàn Tổng công ty Giấy Việt Nam", "Giấy", 3, 25, date!(1995 - 07 - 18),
        &[("soe", &PAPER, 1)]),
    central("Công đoàn Tổng công ty Công nghiệp Xi măng Việt Nam", "Xi măng", 8, 1, date!(1995 - 08 - 01),
        &[("soe", &CEMENT, 1)]),
    central("Công đoàn Tập đoàn Bảo Việt", "Tài chính", 6, 1, date!(2007 - 10 - 15),
        &[("soe", &INSURANCE, 1)]),
    central("Công đoàn Tổng công ty Thép Việt Nam", "Thép", 6, 1, date!(1995 - 06 - 29),
        &[("soe", &STEEL, 1)]),
    central("Công đoàn Tổng công ty Lâm nghiệp Việt Nam", "Lâm nghiệp", 4, 1, date!(1995 - 11 - 01),
        &[("soe", &FORESTRY, 1)]),
    central("Công đoàn Tập đoàn Hóa chất Việt Nam", "Hóa chất", 8, 1, date!(2010 - 01 - 15),
        &[("soe", &CHEMICALS, 1)]),
    central("Công đoàn Tổng công ty Sông Đà", "Xây dựng", 6, 1, date!(1995 - 12 - 01),
        &[("soe", &BUILDER, 1)]),
    central("Công đoàn Tổng công ty Công nghiệp tàu thủy", "Đóng tàu", 5, 31, date!(1996 - 01 - 31),
        &[("soe", &SHIPBUILDING, 1)]),
    central("Công đoàn Tổng công ty Bưu điện Việt Nam", "Bưu chính – Viễn thông", 10, 1, date!(2013 - 06 - 17),
        &[("soe", &POST, 1)]),
    central("Công đoàn Tổng công ty Xây dựng Hà Nội", "Xây dựng", 6, 1, date!(1995 - 12 - 01),
        &[("soe", &CONSTRUCTION, 1)]),
];

/// The office CĐCS of an upper-level union (its own staff).
pub(super) const UNION_OFFICE: Kind = kind("Công đoàn", UnionOffice, 0, &[]);

/// The head office of a corporation.
pub(super) const HEAD_OFFICE: Kind = kind("Quản lý doanh nghiệp", Agency, 0, &[]);

/// Picks an employer from a mix.
pub(super) fn pick(rng: &mut Rng, mix: Mix) -> (&'static str, &'static Kind) {
    let total: u64 = mix.iter().map(|(_, _, w)| u64::from(*w)).sum();
    let mut r = rng.below(total);
    for (own, kind, w) in mix {
        if r < u64::from(*w) {
            return (own, kind);
        }
        r -= u64::from(*w);
    }
    let (own, kind, _) = mix[mix.len() - 1];
    (own, kind)
}

/// What a name template can refer to.
pub(super) struct NameCtx<'a> {
    /// "Long Xuyên" (the commune without its kind).
    pub commune: &'a str,
    /// "Phường Long Xuyên" ("phường Long Xuyên" inside a name).
    pub commune_full: &'a str,
    /// "An Giang".
    pub province: &'a str,
    /// "tỉnh An Giang", "Thành phố Hà Nội".
    pub province_full: &'a str,
    /// The pre-2025 province the workplace is in, "Kiên Giang".
    pub old: &'a str,
}

const BRAND_FIRST: &[&str] = &[
    "Phú",
    "Hưng",
    "Minh",
    "Tân",
    "Hoàng",
    "An",
    "Thành",
    "Đại",
    "Kim",
    "Phương",
    "Thiên",
    "Vạn",
    "Trường",
    "Nam",
    "Bắc",
    "Hải",
    "Phúc",
    "Quang",
    "Đức",
    "Bảo",
    "Gia",
    "Hồng",
    "Thuận",
    "Tiến",
    "Sao",
];
const BRAND_SECOND: &[&str] = &[
    "Thành", "Thịnh", "Phát", "Việt", "Long", "Khang", "Dương", "Mai", "Nam", "Phú", "Sơn", "Tiến",
    "Á", "Lộc", "Hưng", "Minh", "An", "Hòa", "Đạt", "Lợi", "Tín", "Vinh", "Nguyên", "Quang", "Hải",
];
const FOREIGN_FIRST: &[&str] = &[
    "Han", "Sung", "Dae", "Chen", "Yuen", "Tai", "Kyo", "Shin", "Jin", "Hwa", "Tae", "Lian", "Fu",
    "Mei", "Sei", "Yama", "Poh", "Won", "Kor", "Nip",
];
const FOREIGN_SECOND: &[&str] = &[
    "wa", "il", "ho", "tek", "tex", "sung", "min", "lin", "da", "hung", "yang", "tech", "won",
    "ko", "shin", "tai", "ri", "po",
];
/// Patrons of high schools ("Trường THPT Nguyễn Du").
const PATRONS: &[&str] = &[
    "Nguyễn Du",
    "Lê Quý Đôn",
    "Trần Phú",
    "Nguyễn Trãi",
    "Lê Lợi",
    "Chu Văn An",
    "Nguyễn Huệ",
    "Phan Bội Châu",
    "Lý Thường Kiệt",
    "Trần Hưng Đạo",
    "Nguyễn Thị Minh Khai",
    "Võ Thị Sáu",
    "Hùng Vương",
    "Quang Trung",
];

/// Expands a name template: `{b}` a Vietnamese brand ("Phú Thành"), `{f}` a
/// foreign one ("Hansung"), `{c}`/`{C}` the commune without/with its kind,
/// `{p}`/`{P}` the province likewise, `{o}` the pre-2025 province, `{h}` a
/// school patron, `{n}` a small number, `{N}` a factory number.
pub(super) fn expand(rng: &mut Rng, template: &str, ctx: &NameCtx) -> String {
    let mut out = String::with_capacity(template.len() + 24);
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let key = rest[i + 1..].chars().next().unwrap_or('}');
        match key {
            'b' => {
                let a = *rng.pick(BRAND_FIRST);
                let mut b = *rng.pick(BRAND_SECOND);
                while b == a {
                    b = *rng.pick(BRAND_SECOND);
                }
                out.push_str(a);
                out.push(' ');
                out.push_str(b);
            }
            'f' => {
                out.push_str(rng.pick::<&str>(FOREIGN_FIRST));
                out.push_str(rng.pick::<&str>(FOREIGN_SECOND));
            }
            'c' => out.push_str(ctx.commune),
            'C' => {
                // "Ủy ban nhân dân phường Long Xuyên": the kind is lower case inside a name.
                let (kind, name) = congdoan_domain::divisions::split_ward(ctx.commune_full);
                out.push_str(kind);
                out.push(' ');
                out.push_str(name);
            }
            'p' => out.push_str(ctx.province),
            'P' => out.push_str(ctx.province_full),
            'o' => out.push_str(ctx.old),
            'h' => out.push_str(rng.pick::<&str>(PATRONS)),
            'n' => out.push_str(&rng.range(1, 12).to_string()),
            'N' => out.push_str(&rng.range(11, 199).to_string()),
            _ => out.push(key),
        }
        rest = &rest[i + 1 + key.len_utf8() + 1..];
    }
    out.push_str(rest);
    out
}

/// An employer's name for `kind`.
pub(super) fn employer_name(rng: &mut Rng, kind: &Kind, ctx: &NameCtx) -> String {
    let template = *rng.pick(kind.names);
    expand(rng, template, ctx)
}
