//! Emulation scoring (thi đua, chấm điểm, phân hạng): criteria sets as data, the
//! score of a unit against a set, the difference between its self-assessment and
//! the upper level's appraisal (thẩm định), class bands, vetoes, ranking within a
//! cluster and the share of units per class against a target. Pure rules: the
//! store keeps the sets and the points, the pages show them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

mod rank;
pub use rank::{RankEntry, Ranked, Target, TargetResult, class_counts, rank, target_met};

#[cfg(test)]
mod tests;

/// Points in tenths (criteria sheets give half points: "0,5 điểm"). Kept as an
/// integer so totals add exactly; written in JSON as a decimal number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pts(pub i64);

impl Pts {
    pub const ZERO: Pts = Pts(0);
    pub fn from_points(p: i64) -> Pts {
        Pts(p * 10)
    }
    pub fn tenths(self) -> i64 {
        self.0
    }
    /// Parses "7", "7,5" or "7.5" (at most one decimal place, not negative).
    pub fn parse(s: &str) -> Option<Pts> {
        let s = s.trim().replace(',', ".");
        if s.is_empty() || s.starts_with('-') || s.starts_with('+') {
            return None;
        }
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, f),
            None => (s.as_str(), ""),
        };
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        if !int.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let frac = frac.trim_end_matches('0');
        if frac.len() > 1 || int.len() > 6 {
            return None;
        }
        let i: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
        let f: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().ok()?
        };
        Some(Pts(i * 10 + f))
    }
    fn from_f64(v: f64) -> Option<Pts> {
        let t = (v * 10.0).round();
        if !v.is_finite() || (v * 10.0 - t).abs() > 1e-6 || t.abs() > 1e9 {
            return None;
        }
        Some(Pts(t as i64))
    }
}

/// Vietnamese writing: "7,5", "90".
impl fmt::Display for Pts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        if a.is_multiple_of(10) {
            write!(f, "{sign}{}", a / 10)
        } else {
            write!(f, "{sign}{},{}", a / 10, a % 10)
        }
    }
}

impl Serialize for Pts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % 10 == 0 {
            s.serialize_i64(self.0 / 10)
        } else {
            s.serialize_f64(self.0 as f64 / 10.0)
        }
    }
}

impl<'de> Deserialize<'de> for Pts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Pts, D::Error> {
        let v = f64::deserialize(d)?;
        Pts::from_f64(v)
            .ok_or_else(|| serde::de::Error::custom("points must have at most one decimal place"))
    }
}

/// Unit types a criteria set may apply to (the `unit_type` codes scored with it).
pub const UNIT_TYPES: &[(&str, &str)] = &[
    ("CDCS", "Công đoàn cơ sở"),
    ("NGHIEP_DOAN", "Nghiệp đoàn cơ sở"),
    ("CDCS_THANH_VIEN", "Công đoàn cơ sở thành viên"),
    ("CD_BO_PHAN", "Công đoàn bộ phận"),
    ("TO_CD", "Tổ công đoàn"),
];

/// Employer ownership of a CĐCS (the values of `unit.employer_ownership`).
pub const OWNERSHIPS: &[(&str, &str)] = &[
    ("state_agency", "Cơ quan nhà nước"),
    ("public_full", "Đơn vị sự nghiệp công lập tự chủ"),
    ("public_partial", "Đơn vị sự nghiệp công lập"),
    ("soe", "Doanh nghiệp nhà nước"),
    ("private", "Doanh nghiệp ngoài nhà nước"),
    ("fdi", "Doanh nghiệp có vốn đầu tư nước ngoài"),
    ("coop", "Hợp tác xã"),
    ("foreign_org", "Tổ chức nước ngoài"),
];

/// A criteria set as its author wrote it. Stored as JSON: keep it stable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriteriaSet {
    /// "CDCS-NN-2025".
    pub code: String,
    pub title: String,
    pub year: i32,
    /// Unit type codes scored with it (see [`UNIT_TYPES`]).
    #[serde(default)]
    pub unit_types: Vec<String>,
    /// Employer ownerships of the CĐCS it is meant for; empty = any.
    #[serde(default)]
    pub ownership: Vec<String>,
    /// The full score (100).
    #[serde(default = "default_scale")]
    pub scale: Pts,
    pub groups: Vec<Group>,
    /// Yes/no questions answered while scoring; "yes" forces the lowest class.
    #[serde(default)]
    pub vetoes: Vec<Veto>,
    /// Highest class first.
    pub bands: Vec<Band>,
}

fn default_scale() -> Pts {
    Pts::from_points(100)
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub code: String,
    pub title: String,
    #[serde(default)]
    pub order: u32,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub code: String,
    pub text: String,
    pub max: Pts,
    #[serde(default, skip_serializing_if = "is_false")]
    pub evidence: bool,
    /// Scoring this item zero forces the lowest class (e.g. every item of
    /// standard 1 in the older "vững mạnh" scheme).
    #[serde(default, skip_serializing_if = "is_false")]
    pub veto_if_zero: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Veto {
    /// "fatal_accident".
    pub code: String,
    /// "Trong năm có tai nạn lao động chết người?"
    pub question: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    /// "xuat_sac".
    pub code: String,
    pub name_vi: String,
    /// Lowest total in this class (inclusive).
    pub min: Pts,
    /// Upper bound (exclusive) when the source states one ("70 đến dưới 90"):
    /// it must meet the next higher class's minimum, or the table has a gap or
    /// an overlap. Omitted, the band reaches the next class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<Pts>,
    /// Conditions the source adds, shown with the class ("100% nhiệm vụ đúng hạn").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

/// A refused criteria set or score, naming the item or field, with a stable
/// code (VL10xx).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{code} {field}: {en}")]
pub struct CriteriaError {
    pub code: &'static str,
    /// "groups.1.items.3.max", "bands", an item code…
    pub field: String,
    pub vi: String,
    pub en: String,
}

fn err(
    code: &'static str,
    field: impl Into<String>,
    vi: impl Into<String>,
    en: impl Into<String>,
) -> CriteriaError {
    CriteriaError {
        code,
        field: field.into(),
        vi: vi.into(),
        en: en.into(),
    }
}

/// A criteria set that passed [`check`]: only these are scored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    set: CriteriaSet,
}

impl Checked {
    pub fn def(&self) -> &CriteriaSet {
        &self.set
    }
    pub fn into_def(self) -> CriteriaSet {
        self.set
    }
    /// Items in order, each with its group.
    pub fn items(&self) -> impl Iterator<Item = (&Group, &Item)> {
        self.set
            .groups
            .iter()
            .flat_map(|g| g.items.iter().map(move |i| (g, i)))
    }
    pub fn item(&self, code: &str) -> Option<&Item> {
        self.items().map(|(_, i)| i).find(|i| i.code == code)
    }
    pub fn item_count(&self) -> usize {
        self.set.groups.iter().map(|g| g.items.len()).sum()
    }
    pub fn band(&self, code: &str) -> Option<&Band> {
        self.set.bands.iter().find(|b| b.code == code)
    }
    pub fn lowest_band(&self) -> &Band {
        self.set.bands.last().expect("checked sets have bands")
    }
    /// The class of a total, vetoes aside.
    pub fn band_of(&self, total: Pts) -> &Band {
        self.set
            .bands
            .iter()
            .find(|b| total >= b.min)
            .unwrap_or_else(|| self.lowest_band())
    }
}

/// Checks a criteria set: every problem, each naming its group, item or band.
pub fn check(mut set: CriteriaSet) -> Result<Checked, Vec<CriteriaError>> {
    set.code = crate::nfc(&set.code);
    set.title = crate::nfc(&set.title);
    let mut errs = Vec::new();
    if set.code.is_empty() || set.code.chars().count() > 40 {
        errs.push(err(
            "VL1001",
            "code",
            "Mã bộ tiêu chí phải có từ 1 đến 40 ký tự.",
            "The criteria set code must have 1 to 40 characters.",
        ));
    }
    if set.title.is_empty() {
        errs.push(err(
            "VL1001",
            "title",
            "Tên bộ tiêu chí không được để trống.",
            "The criteria set title is required.",
        ));
    }
    if !(2000..=2100).contains(&set.year) {
        errs.push(err(
            "VL1014",
            "year",
            format!("Năm {} không hợp lệ (2000–2100).", set.year),
            format!("Year {} is out of range (2000–2100).", set.year),
        ));
    }
    for t in &set.unit_types {
        if !UNIT_TYPES.iter().any(|(c, _)| c == t) {
            errs.push(err(
                "VL1013",
                "unit_types",
                format!("Loại đơn vị '{t}' không được chấm điểm theo bộ tiêu chí."),
                format!("Unit type '{t}' is not scored with criteria sets."),
            ));
        }
    }
    for o in &set.ownership {
        if !OWNERSHIPS.iter().any(|(c, _)| c == o) {
            errs.push(err(
                "VL1013",
                "ownership",
                format!("Loại hình đơn vị '{o}' không có trong danh mục."),
                format!("Unknown ownership type '{o}'."),
            ));
        }
    }
    if set.scale.0 <= 0 {
        errs.push(err(
            "VL1005",
            "scale",
            "Thang điểm phải lớn hơn 0.",
            "The scale must be above 0.",
        ));
    }
    if set.groups.is_empty() {
        errs.push(err(
            "VL1006",
            "groups",
            "Bộ tiêu chí phải có ít nhất một nhóm tiêu chí.",
            "A criteria set needs at least one group.",
        ));
    }
    let mut group_codes = BTreeSet::new();
    let mut item_codes = BTreeSet::new();
    let mut sum = Pts::ZERO;
    for (gi, g) in set.groups.iter_mut().enumerate() {
        g.code = g.code.trim().to_string();
        g.title = crate::nfc(&g.title);
        let gname = if g.title.is_empty() {
            format!("nhóm {}", gi + 1)
        } else {
            format!("nhóm '{}'", g.title)
        };
        if g.code.is_empty() || !group_codes.insert(g.code.clone()) {
            errs.push(err(
                "VL1002",
                format!("groups.{gi}.code"),
                format!("Mã của {gname} bị trống hoặc trùng ('{}').", g.code),
                format!("Group {} code is empty or repeated ('{}').", gi + 1, g.code),
            ));
        }
        if g.items.is_empty() {
            errs.push(err(
                "VL1006",
                format!("groups.{gi}.items"),
                format!("{} chưa có tiêu chí nào.", capitalize(&gname)),
                format!("Group {} has no items.", gi + 1),
            ));
        }
        for (ii, it) in g.items.iter_mut().enumerate() {
            it.code = it.code.trim().to_string();
            it.text = crate::nfc(&it.text);
            if it.code.is_empty() || !item_codes.insert(it.code.clone()) {
                errs.push(err(
                    "VL1003",
                    format!("groups.{gi}.items.{ii}.code"),
                    format!(
                        "Mã tiêu chí '{}' ({gname}, dòng {}) bị trống hoặc trùng.",
                        it.code,
                        ii + 1
                    ),
                    format!("Item code '{}' is empty or repeated.", it.code),
                ));
            }
            if it.text.is_empty() {
                errs.push(err(
                    "VL1001",
                    format!("groups.{gi}.items.{ii}.text"),
                    format!("Tiêu chí '{}' chưa có nội dung.", it.code),
                    format!("Item '{}' has no text.", it.code),
                ));
            }
            if it.max.0 <= 0 {
                errs.push(err(
                    "VL1004",
                    format!("groups.{gi}.items.{ii}.max"),
                    format!(
                        "Điểm tối đa của tiêu chí '{}' phải lớn hơn 0 (đang là {}).",
                        it.code, it.max
                    ),
                    format!(
                        "Item '{}' maximum must be above 0 (is {}).",
                        it.code, it.max
                    ),
                ));
            }
            sum.0 += it.max.0;
        }
    }
    if !set.groups.is_empty() && sum != set.scale {
        errs.push(err(
            "VL1005",
            "groups",
            format!(
                "Tổng điểm tối đa của các tiêu chí là {sum}, phải bằng thang điểm {}.",
                set.scale
            ),
            format!("Item maxima add up to {sum}, not the scale {}.", set.scale),
        ));
    }
    let mut veto_codes = BTreeSet::new();
    for (vi, v) in set.vetoes.iter_mut().enumerate() {
        v.code = v.code.trim().to_string();
        v.question = crate::nfc(&v.question);
        if v.code.is_empty() || !veto_codes.insert(v.code.clone()) || v.question.is_empty() {
            errs.push(err(
                "VL1012",
                format!("vetoes.{vi}"),
                format!(
                    "Điều kiện loại trừ '{}' bị trống, trùng mã hoặc thiếu câu hỏi.",
                    v.code
                ),
                format!("Veto '{}' is empty, repeated or has no question.", v.code),
            ));
        }
    }
    check_bands(&mut set, &mut errs);
    if errs.is_empty() {
        Ok(Checked { set })
    } else {
        Err(errs)
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn check_bands(set: &mut CriteriaSet, errs: &mut Vec<CriteriaError>) {
    if set.bands.is_empty() {
        errs.push(err(
            "VL1007",
            "bands",
            "Bộ tiêu chí phải có bảng xếp loại.",
            "A criteria set needs class bands.",
        ));
        return;
    }
    let mut codes = BTreeSet::new();
    for (bi, b) in set.bands.iter_mut().enumerate() {
        b.code = b.code.trim().to_string();
        b.name_vi = crate::nfc(&b.name_vi);
        if b.code.is_empty() || !codes.insert(b.code.clone()) || b.name_vi.is_empty() {
            errs.push(err(
                "VL1011",
                format!("bands.{bi}"),
                format!(
                    "Loại '{}' (dòng {}) bị trống, trùng mã hoặc thiếu tên.",
                    b.code,
                    bi + 1
                ),
                format!("Class '{}' is empty, repeated or unnamed.", b.code),
            ));
        }
    }
    let top = &set.bands[0];
    if top.min > set.scale {
        errs.push(err(
            "VL1009",
            "bands.0.min",
            format!(
                "Mức thấp nhất của loại '{}' ({}) vượt thang điểm {}.",
                top.name_vi, top.min, set.scale
            ),
            format!("Class '{}' starts above the scale.", top.code),
        ));
    }
    for w in 0..set.bands.len() {
        let b = &set.bands[w];
        if w > 0 {
            let higher = &set.bands[w - 1];
            if b.min >= higher.min {
                errs.push(err(
                    "VL1009",
                    format!("bands.{w}.min"),
                    format!(
                        "Loại '{}' (từ {}) chồng lên loại '{}' (từ {}): xếp các loại từ cao xuống thấp, mức sau thấp hơn mức trước.",
                        b.name_vi, b.min, higher.name_vi, higher.min
                    ),
                    format!(
                        "Class '{}' overlaps class '{}': list classes from highest down.",
                        b.code, higher.code
                    ),
                ));
            } else if let Some(below) = b.below {
                if below < higher.min {
                    errs.push(err(
                        "VL1008",
                        format!("bands.{w}.below"),
                        format!(
                            "Bảng xếp loại bị hở: loại '{}' đến dưới {}, loại '{}' từ {}; tổng điểm từ {} đến dưới {} không thuộc loại nào.",
                            b.name_vi, below, higher.name_vi, higher.min, below, higher.min
                        ),
                        format!(
                            "Gap between class '{}' (below {}) and '{}' (from {}).",
                            b.code, below, higher.code, higher.min
                        ),
                    ));
                } else if below > higher.min {
                    errs.push(err(
                        "VL1009",
                        format!("bands.{w}.below"),
                        format!(
                            "Bảng xếp loại bị chồng: loại '{}' đến dưới {} nhưng loại '{}' đã bắt đầu từ {}.",
                            b.name_vi, below, higher.name_vi, higher.min
                        ),
                        format!(
                            "Class '{}' (below {}) overlaps '{}' (from {}).",
                            b.code, below, higher.code, higher.min
                        ),
                    ));
                }
            }
        } else if let Some(below) = b.below
            && below <= set.scale
        {
            errs.push(err(
                "VL1008",
                "bands.0.below",
                format!(
                    "Bảng xếp loại bị hở: loại cao nhất '{}' dừng dưới {}, không tính tới điểm tối đa {}.",
                    b.name_vi, below, set.scale
                ),
                format!("The top class stops below {below}, not reaching the scale."),
            ));
        }
        if b.below.is_some_and(|x| x <= b.min) {
            errs.push(err(
                "VL1009",
                format!("bands.{w}.below"),
                format!("Loại '{}': mức trên phải lớn hơn mức dưới.", b.name_vi),
                format!("Class '{}': upper bound must exceed the minimum.", b.code),
            ));
        }
    }
    let last = set.bands.last().expect("not empty");
    if last.min != Pts::ZERO {
        errs.push(err(
            "VL1008",
            format!("bands.{}.min", set.bands.len() - 1),
            format!(
                "Bảng xếp loại bị hở: loại thấp nhất '{}' bắt đầu từ {}, tổng điểm dưới {} không thuộc loại nào (mức thấp nhất phải là 0).",
                last.name_vi, last.min, last.min
            ),
            format!(
                "Gap: the lowest class starts at {}, not 0.",
                last.min
            ),
        ));
    }
}

/// Points given to one unit: per item, and the vetoes answered "yes".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scores {
    #[serde(default)]
    pub items: BTreeMap<String, Pts>,
    #[serde(default)]
    pub vetoes: BTreeSet<String>,
}

/// Why a unit falls to the lowest class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VetoBy {
    /// A veto question answered "yes".
    Condition { code: String, question: String },
    /// An item marked "veto if zero" scored zero.
    ZeroItem { code: String, text: String },
}

impl VetoBy {
    pub fn text_vi(&self) -> String {
        match self {
            VetoBy::Condition { question, .. } => question.clone(),
            VetoBy::ZeroItem { code, text } => format!("Tiêu chí {code} bị 0 điểm: {text}"),
        }
    }
}

/// A unit's result against a set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub total: Pts,
    /// Per group code, in the set's order.
    pub per_group: Vec<(String, Pts)>,
    /// The band's code.
    pub class: String,
    pub class_name: String,
    pub vetoed_by: Vec<VetoBy>,
}

/// Scores a unit: every item over its maximum, unknown item or veto is an
/// error naming it; missing items count zero (a draft).
pub fn score(set: &Checked, s: &Scores) -> Result<Outcome, Vec<CriteriaError>> {
    let mut errs = Vec::new();
    // One look-up table per call: a province scores thousands of 100-item sheets.
    let items: std::collections::HashMap<&str, &Item> =
        set.items().map(|(_, i)| (i.code.as_str(), i)).collect();
    for (code, p) in &s.items {
        match items.get(code.as_str()).copied() {
            None => errs.push(err(
                "VL1023",
                code.clone(),
                format!("Tiêu chí '{code}' không có trong bộ tiêu chí."),
                format!("Item '{code}' is not in the criteria set."),
            )),
            Some(it) if *p > it.max => errs.push(err(
                "VL1020",
                code.clone(),
                format!(
                    "Tiêu chí {code} ({}): {p} điểm vượt điểm tối đa {}.",
                    it.text, it.max
                ),
                format!("Item {code}: {p} points exceed its maximum {}.", it.max),
            )),
            Some(_) if p.0 < 0 => errs.push(err(
                "VL1021",
                code.clone(),
                format!("Tiêu chí {code}: điểm không được âm."),
                format!("Item {code}: points cannot be negative."),
            )),
            Some(_) => {}
        }
    }
    for v in &s.vetoes {
        if !set.def().vetoes.iter().any(|x| &x.code == v) {
            errs.push(err(
                "VL1024",
                v.clone(),
                format!("Điều kiện loại trừ '{v}' không có trong bộ tiêu chí."),
                format!("Veto '{v}' is not in the criteria set."),
            ));
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    let mut total = Pts::ZERO;
    let mut per_group = Vec::with_capacity(set.def().groups.len());
    let mut vetoed_by = Vec::new();
    for v in &set.def().vetoes {
        if s.vetoes.contains(&v.code) {
            vetoed_by.push(VetoBy::Condition {
                code: v.code.clone(),
                question: v.question.clone(),
            });
        }
    }
    for g in &set.def().groups {
        let mut gsum = Pts::ZERO;
        for it in &g.items {
            let p = s.items.get(&it.code).copied().unwrap_or_default();
            gsum.0 += p.0;
            if it.veto_if_zero && p == Pts::ZERO {
                vetoed_by.push(VetoBy::ZeroItem {
                    code: it.code.clone(),
                    text: it.text.clone(),
                });
            }
        }
        total.0 += gsum.0;
        per_group.push((g.code.clone(), gsum));
    }
    let band = if vetoed_by.is_empty() {
        set.band_of(total)
    } else {
        set.lowest_band()
    };
    Ok(Outcome {
        total,
        per_group,
        class: band.code.clone(),
        class_name: band.name_vi.clone(),
        vetoed_by,
    })
}

/// One item's self-assessed and appraised points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemDiff {
    pub code: String,
    pub text: String,
    pub max: Pts,
    pub self_points: Option<Pts>,
    pub appraised: Option<Pts>,
    /// Self minus appraised (positive: the unit scored itself higher).
    pub delta: Pts,
}

/// The difference between a self-assessment and the appraisal, per item and
/// summed: the seed's "không chạy theo thành tích" made visible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    pub items: Vec<ItemDiff>,
    pub self_total: Pts,
    pub appraised_total: Pts,
    pub delta: Pts,
}

pub fn diff(set: &Checked, own: &Scores, appraisal: &Scores) -> Diff {
    let mut items = Vec::with_capacity(set.item_count());
    let (mut st, mut at) = (Pts::ZERO, Pts::ZERO);
    for (_, it) in set.items() {
        let s = own.items.get(&it.code).copied();
        let a = appraisal.items.get(&it.code).copied();
        let (sv, av) = (s.unwrap_or_default(), a.unwrap_or_default());
        st.0 += sv.0;
        at.0 += av.0;
        items.push(ItemDiff {
            code: it.code.clone(),
            text: it.text.clone(),
            max: it.max,
            self_points: s,
            appraised: a,
            delta: Pts(sv.0 - av.0),
        });
    }
    Diff {
        items,
        self_total: st,
        appraised_total: at,
        delta: Pts(st.0 - at.0),
    }
}

/// The 100-point bands borrowed from QĐ 366-QĐ/TW (2025) (domain.md §4.1).
pub fn bands_366() -> Vec<Band> {
    let b = |code: &str, name: &str, min: i64, below: Option<i64>, cond: Option<&str>| Band {
        code: code.into(),
        name_vi: name.into(),
        min: Pts::from_points(min),
        below: below.map(Pts::from_points),
        condition: cond.map(str::to_string),
    };
    vec![
        b("xuat_sac", "Hoàn thành xuất sắc nhiệm vụ", 90, None, None),
        b(
            "tot",
            "Hoàn thành tốt nhiệm vụ",
            70,
            Some(90),
            Some("100% nhiệm vụ hoàn thành đúng hạn"),
        ),
        b(
            "hoan_thanh",
            "Hoàn thành nhiệm vụ",
            50,
            Some(70),
            Some("Không quá 20% nhiệm vụ chậm tiến độ"),
        ),
        b(
            "khong_hoan_thanh",
            "Không hoàn thành nhiệm vụ",
            0,
            Some(50),
            None,
        ),
    ]
}

/// The older "vững mạnh" scheme (domain.md §4.1, CUALO-2010).
pub fn bands_vung_manh() -> Vec<Band> {
    let b = |code: &str, name: &str, min: i64| Band {
        code: code.into(),
        name_vi: name.into(),
        min: Pts::from_points(min),
        below: None,
        condition: None,
    };
    vec![
        b("vung_manh_xuat_sac", "CĐCS vững mạnh xuất sắc", 96),
        b("vung_manh", "CĐCS vững mạnh", 90),
        b("kha", "CĐCS khá", 70),
        b("trung_binh", "CĐCS trung bình", 50),
        b("yeu", "CĐCS yếu", 0),
    ]
}
