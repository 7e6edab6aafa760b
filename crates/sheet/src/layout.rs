//! Where the header row is and which column holds which member field.
//!
//! Member lists come from many templates: title rows above the header,
//! merged header cells, Vietnamese names with or without accents, in any
//! case, sometimes with sub-headers ("Ngày sinh" over "Nam" | "Nữ").
//! Headers are compared accent-, case- and punctuation-insensitively.

use congdoan_domain::{Lang, Sex, fold};

use crate::cell::Cell;
use crate::error::SheetError;
use crate::legacy::Legacy;

/// Member fields an import understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    FullName,
    FamilyAndMiddle,
    GivenName,
    BirthDate,
    Sex,
    Cccd,
    Phone,
    Unit,
    UnitCode,
    JoinDate,
    CardNo,
    Ethnicity,
    Nationality,
    JobTitle,
    Employer,
    PartyMember,
    Status,
    Note,
    /// Row number column (STT); ignored on import.
    Seq,
    /// Column "Nam" of the old form layout with two columns "Nam" | "Nữ"
    /// (usually under "Ngày sinh" or "Năm sinh"): the birth date, or just a
    /// mark such as "x", written here means the member is male.
    BirthDateIfMale,
    /// Column "Nữ" of that layout; also a lone "Nữ" column marked "x" for
    /// women (blank meaning male).
    BirthDateIfFemale,
}

impl Field {
    pub const ALL: &'static [Field] = &[
        Field::FullName,
        Field::FamilyAndMiddle,
        Field::GivenName,
        Field::BirthDate,
        Field::Sex,
        Field::Cccd,
        Field::Phone,
        Field::Unit,
        Field::UnitCode,
        Field::JoinDate,
        Field::CardNo,
        Field::Ethnicity,
        Field::Nationality,
        Field::JobTitle,
        Field::Employer,
        Field::PartyMember,
        Field::Status,
        Field::Note,
        Field::Seq,
        Field::BirthDateIfMale,
        Field::BirthDateIfFemale,
    ];

    /// Stable code used in forms and the API for manual column choices.
    pub fn code(self) -> &'static str {
        match self {
            Field::FullName => "full_name",
            Field::FamilyAndMiddle => "family_and_middle",
            Field::GivenName => "given_name",
            Field::BirthDate => "birth_date",
            Field::Sex => "sex",
            Field::Cccd => "cccd",
            Field::Phone => "phone",
            Field::Unit => "unit",
            Field::UnitCode => "unit_code",
            Field::JoinDate => "join_date",
            Field::CardNo => "card_no",
            Field::Ethnicity => "ethnicity",
            Field::Nationality => "nationality",
            Field::JobTitle => "job_title",
            Field::Employer => "employer",
            Field::PartyMember => "party_member",
            Field::Status => "status",
            Field::Note => "note",
            Field::Seq => "seq",
            Field::BirthDateIfMale => "birth_date_if_male",
            Field::BirthDateIfFemale => "birth_date_if_female",
        }
    }

    pub fn parse(code: &str) -> Option<Field> {
        let code = code.trim();
        Field::ALL.iter().copied().find(|f| f.code() == code)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let (vi, en) = match self {
            Field::FullName => ("Họ và tên", "Full name"),
            Field::FamilyAndMiddle => ("Họ và tên đệm", "Family and middle name"),
            Field::GivenName => ("Tên", "Given name"),
            Field::BirthDate => ("Ngày sinh", "Date of birth"),
            Field::Sex => ("Giới tính", "Sex"),
            Field::Cccd => ("Số CCCD", "Citizen ID number (CCCD)"),
            Field::Phone => ("Số điện thoại", "Phone number"),
            Field::Unit => ("Đơn vị", "Unit"),
            Field::UnitCode => ("Mã đơn vị", "Unit code"),
            Field::JoinDate => ("Ngày vào công đoàn", "Union join date"),
            Field::CardNo => ("Số thẻ đoàn viên", "Member card number"),
            Field::Ethnicity => ("Dân tộc", "Ethnicity"),
            Field::Nationality => ("Quốc tịch", "Nationality"),
            Field::JobTitle => ("Chức vụ, nghề nghiệp", "Position or occupation"),
            Field::Employer => ("Đơn vị công tác", "Workplace"),
            Field::PartyMember => ("Đảng viên", "Party member"),
            Field::Status => ("Trạng thái", "Status"),
            Field::Note => ("Ghi chú", "Note"),
            Field::Seq => ("STT", "No."),
            Field::BirthDateIfMale => ("Ngày sinh (cột Nam)", "Date of birth (Male column)"),
            Field::BirthDateIfFemale => ("Ngày sinh (cột Nữ)", "Date of birth (Female column)"),
        };
        match lang {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    fn is_name(self) -> bool {
        matches!(
            self,
            Field::FullName | Field::FamilyAndMiddle | Field::GivenName
        )
    }
}

/// Where the header is and which column holds what.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// 0-based sheet row of the header; data starts on the next row. For a
    /// two-row header (merged cells over sub-headers) this is the lower row.
    pub header_row: usize,
    /// Column index → field, sorted by column.
    pub columns: Vec<(usize, Field)>,
    /// The header row's texts, for display (two-row headers joined as
    /// "Ngày sinh / Nam"); legacy-encoded headers are shown decoded.
    pub headers: Vec<String>,
}

impl Layout {
    /// Column holding `field`, if any.
    pub fn column_of(&self, field: Field) -> Option<usize> {
        self.columns
            .iter()
            .find(|(_, f)| *f == field)
            .map(|(c, _)| *c)
    }

    pub fn has(&self, field: Field) -> bool {
        self.column_of(field).is_some()
    }
}

/// How many of the first rows are searched for a header.
pub const HEADER_SEARCH_ROWS: usize = 30;

/// Folded header aliases. `exact` aliases only match the whole header
/// (short words such as "Tên", "Nam", "TT" would match too much as
/// prefixes); the others also match a header that starts with them, such
/// as "Ngày sinh (dd/mm/yyyy)". The longest matching alias wins, so
/// "Đơn vị công tác" is Employer, not Unit.
const ALIASES: &[(&str, Field, bool)] = &[
    ("ho va ten", Field::FullName, false),
    ("ho ten", Field::FullName, false),
    ("ho va ten doan vien", Field::FullName, false),
    ("ho ten doan vien", Field::FullName, false),
    ("ten doan vien", Field::FullName, false),
    ("full name", Field::FullName, false),
    ("ho va ten dem", Field::FamilyAndMiddle, false),
    ("ho va ten lot", Field::FamilyAndMiddle, false),
    ("ho va chu lot", Field::FamilyAndMiddle, false),
    ("ho va dem", Field::FamilyAndMiddle, false),
    ("ho dem", Field::FamilyAndMiddle, false),
    ("ho lot", Field::FamilyAndMiddle, false),
    ("ho", Field::FamilyAndMiddle, true),
    ("ten", Field::GivenName, true),
    ("ten goi", Field::GivenName, true),
    ("ngay sinh", Field::BirthDate, false),
    ("ngay thang nam sinh", Field::BirthDate, false),
    ("ngay thang sinh", Field::BirthDate, false),
    ("sinh ngay", Field::BirthDate, false),
    ("nam sinh", Field::BirthDate, false),
    ("ns", Field::BirthDate, true),
    ("date of birth", Field::BirthDate, false),
    ("gioi tinh", Field::Sex, false),
    ("nam nu", Field::Sex, false),
    ("gioi", Field::Sex, true),
    ("phai", Field::Sex, true),
    ("gt", Field::Sex, true),
    ("sex", Field::Sex, true),
    ("gender", Field::Sex, true),
    ("nam", Field::BirthDateIfMale, true),
    ("nu", Field::BirthDateIfFemale, true),
    ("cccd", Field::Cccd, false),
    ("so cccd", Field::Cccd, false),
    ("so cmnd cccd", Field::Cccd, false),
    ("cmnd cccd", Field::Cccd, false),
    ("so cccd cmnd", Field::Cccd, false),
    ("cccd cmnd", Field::Cccd, false),
    ("so cmnd", Field::Cccd, false),
    ("cmnd", Field::Cccd, false),
    ("so cmt", Field::Cccd, false),
    ("so dinh danh", Field::Cccd, false),
    ("so dinh danh ca nhan", Field::Cccd, false),
    ("ma dinh danh", Field::Cccd, false),
    ("can cuoc cong dan", Field::Cccd, false),
    ("so can cuoc", Field::Cccd, false),
    ("so can cuoc cong dan", Field::Cccd, false),
    ("so dien thoai", Field::Phone, false),
    ("dien thoai", Field::Phone, false),
    ("sdt", Field::Phone, false),
    ("so dt", Field::Phone, false),
    ("dt", Field::Phone, true),
    ("dtdd", Field::Phone, false),
    ("di dong", Field::Phone, false),
    ("phone", Field::Phone, false),
    ("mobile", Field::Phone, false),
    ("don vi", Field::Unit, false),
    ("ten don vi", Field::Unit, false),
    ("to cong doan", Field::Unit, false),
    ("to cd", Field::Unit, false),
    ("bo phan", Field::Unit, false),
    ("phong ban", Field::Unit, false),
    ("cong doan co so", Field::Unit, false),
    ("cong doan bo phan", Field::Unit, false),
    ("cdcs", Field::Unit, true),
    ("to", Field::Unit, true),
    ("ma don vi", Field::UnitCode, false),
    ("ma cong doan", Field::UnitCode, false),
    ("ma cdcs", Field::UnitCode, false),
    ("ngay vao cong doan", Field::JoinDate, false),
    ("ngay vao cd", Field::JoinDate, false),
    ("ngay ket nap", Field::JoinDate, false),
    ("ngay gia nhap", Field::JoinDate, false),
    ("nam vao cong doan", Field::JoinDate, false),
    ("so the", Field::CardNo, false),
    ("so the doan vien", Field::CardNo, false),
    ("ma the", Field::CardNo, false),
    ("dan toc", Field::Ethnicity, false),
    ("quoc tich", Field::Nationality, false),
    ("chuc vu", Field::JobTitle, false),
    ("chuc danh", Field::JobTitle, false),
    ("nghe nghiep", Field::JobTitle, false),
    ("cong viec", Field::JobTitle, false),
    ("vi tri cong viec", Field::JobTitle, false),
    ("don vi cong tac", Field::Employer, false),
    ("noi lam viec", Field::Employer, false),
    ("noi cong tac", Field::Employer, false),
    ("co quan", Field::Employer, false),
    ("co quan don vi", Field::Employer, false),
    ("dang vien", Field::PartyMember, false),
    ("la dang vien", Field::PartyMember, false),
    ("trang thai", Field::Status, false),
    ("tinh trang", Field::Status, false),
    ("ghi chu", Field::Note, false),
    ("note", Field::Note, true),
    ("stt", Field::Seq, false),
    ("tt", Field::Seq, true),
    ("so tt", Field::Seq, true),
    ("so thu tu", Field::Seq, true),
    ("thu tu", Field::Seq, true),
];

/// The field a header text names, if any.
pub fn classify_header(text: &str) -> Option<Field> {
    let key = fold(text);
    if key.is_empty() {
        return None;
    }
    ALIASES
        .iter()
        .filter(|(alias, _, exact)| {
            key == *alias
                || (!exact && key.len() > alias.len() && key.starts_with(alias) && {
                    key.as_bytes()[alias.len()] == b' '
                })
        })
        .max_by_key(|(alias, _, _)| alias.len())
        .map(|(_, f, _)| *f)
}

fn cell_text(row: Option<&Vec<Cell>>, col: usize, legacy: Option<Legacy>) -> String {
    let text = row
        .and_then(|r| r.get(col))
        .map(Cell::as_text)
        .unwrap_or_default();
    match legacy {
        Some(l) => l.decode(&text),
        None => text,
    }
}

/// A candidate header reading: per column, its display text and field.
struct Candidate {
    header_row: usize,
    headers: Vec<String>,
    fields: Vec<Option<Field>>,
}

impl Candidate {
    /// Keeps the first column of each field; later duplicates (two "Đơn vị"
    /// columns) stay unmapped rather than fighting over the value.
    fn columns(&self) -> Vec<(usize, Field)> {
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for (c, f) in self.fields.iter().enumerate() {
            if let Some(f) = f
                && !seen.contains(f)
            {
                seen.push(*f);
                out.push((c, *f));
            }
        }
        out
    }

    /// Distinct non-STT fields, when the columns include a name;
    /// None when they cannot be a member list header.
    fn score(&self) -> Option<usize> {
        let cols = self.columns();
        let has = |f: Field| cols.iter().any(|(_, g)| *g == f);
        let named = has(Field::FullName) || has(Field::GivenName);
        let others = cols
            .iter()
            .filter(|(_, f)| !f.is_name() && *f != Field::Seq)
            .count();
        (named && others >= 1).then_some(others + usize::from(named))
    }
}

fn single_row(rows: &[Vec<Cell>], r: usize, legacy: Option<Legacy>) -> Candidate {
    let width = rows[r].len();
    let headers: Vec<String> = (0..width)
        .map(|c| cell_text(rows.get(r), c, legacy))
        .collect();
    let fields = headers.iter().map(|h| classify_header(h)).collect();
    Candidate {
        header_row: r,
        headers,
        fields,
    }
}

/// Header over two rows: row `r` holds merged group titles ("Ngày sinh"
/// spanning two columns; merged cells keep their text in the first cell
/// only), row `r + 1` the sub-headers ("Nam" | "Nữ"). A column whose lower
/// cell is empty was merged vertically and keeps its upper text.
///
/// None unless both rows look like headers: the upper one has two or more
/// cells and names at least one field, and every text of the lower one is
/// a known header, so a first data row ("Nam" under "Giới tính") is never
/// taken for sub-headers.
fn double_row(rows: &[Vec<Cell>], r: usize, legacy: Option<Legacy>) -> Option<Candidate> {
    // A one-cell upper row is a title ("Đơn vị: …"), not group headers.
    if rows[r].iter().filter(|c| !c.is_empty()).count() < 2 {
        return None;
    }
    let width = rows[r].len().max(rows[r + 1].len());
    let mut headers = Vec::with_capacity(width);
    let mut fields = Vec::with_capacity(width);
    let mut parent = String::new();
    let mut top_known = false;
    let mut sub_known = false;
    for c in 0..width {
        let top = cell_text(rows.get(r), c, legacy);
        let sub = cell_text(rows.get(r + 1), c, legacy);
        let top_field = classify_header(&top);
        top_known |= top_field.is_some_and(|f| f != Field::Seq);
        if !top.is_empty() {
            parent = top.clone();
        }
        if sub.is_empty() {
            fields.push(top_field);
            headers.push(top);
            continue;
        }
        let field = match classify_header(&sub) {
            Some(f) => {
                sub_known = true;
                Some(f)
            }
            None => {
                // An unknown sub-header ("Cố định" under "Số điện thoại")
                // takes its group's field, unless the row is data: values
                // with dates or IDs, or a name under the name header.
                let cell = rows[r + 1].get(c).unwrap_or(&Cell::Empty);
                if looks_like_value(cell) {
                    return None;
                }
                let f = classify_header(&format!("{parent} {sub}"));
                if f.is_some_and(Field::is_name) {
                    return None;
                }
                f
            }
        };
        fields.push(field);
        headers.push(if parent.is_empty() || parent == sub {
            sub
        } else {
            format!("{parent} / {sub}")
        });
    }
    (top_known && sub_known).then_some(Candidate {
        header_row: r + 1,
        headers,
        fields,
    })
}

/// Dates, years and IDs: what a data row holds and a header never does.
fn looks_like_value(cell: &Cell) -> bool {
    match cell {
        Cell::Date(_) => true,
        Cell::Number(n) => n.abs() >= 1000.0,
        Cell::Text(s) => s.bytes().filter(u8::is_ascii_digit).count() >= 4,
        _ => false,
    }
}

/// A merged "Họ và tên" header spanning two columns with no sub-header,
/// data split as "Nguyễn Văn" | "An": the column right of the name has an
/// empty header and holds single words.
fn split_name_column(cand: &mut Candidate, rows: &[Vec<Cell>], legacy: Option<Legacy>) {
    let Some(c) = cand.fields.iter().position(|f| *f == Some(Field::FullName)) else {
        return;
    };
    let next_free = cand.headers.get(c + 1).is_none_or(|h| h.is_empty())
        && cand.fields.get(c + 1).copied().flatten().is_none();
    if !next_free {
        return;
    }
    let data = rows.iter().skip(cand.header_row + 1).take(10);
    let mut seen = 0;
    for row in data {
        let left = cell_text(Some(row), c, legacy);
        let right = cell_text(Some(row), c + 1, legacy);
        if left.is_empty() && right.is_empty() {
            continue;
        }
        // Given names are one capitalised word, and never "Nam"/"Nữ"/"x"
        // (an unlabelled sex column must not be glued to the names).
        let one_word = !right.is_empty()
            && !right.contains(' ')
            && right.chars().next().is_some_and(char::is_uppercase)
            && right.chars().all(|ch| ch.is_alphabetic() || ch == '\'')
            && Sex::parse(&right).is_err()
            && !matches!(fold(&right).as_str(), "x" | "v" | "co" | "khong");
        if !one_word || left.chars().any(|ch| ch.is_ascii_digit()) {
            return;
        }
        seen += 1;
    }
    if seen > 0 {
        if cand.fields.len() <= c + 1 {
            cand.fields.resize(c + 2, None);
            cand.headers.resize(c + 2, String::new());
        }
        cand.fields[c] = Some(Field::FamilyAndMiddle);
        cand.fields[c + 1] = Some(Field::GivenName);
    }
}

/// Finds the header row among the first rows and maps its columns.
///
/// Title rows, merged cells and blank rows above the header are skipped;
/// the row (or pair of rows, for merged group headers over sub-headers)
/// naming the most known fields wins, the earliest on a tie. Headers typed
/// in TCVN3 or VNI are decoded first. Returns None when no row has a name
/// column and at least one other known column.
pub fn detect_layout(first_rows: &[Vec<Cell>]) -> Option<Layout> {
    let rows = &first_rows[..first_rows.len().min(HEADER_SEARCH_ROWS + 1)];
    let legacy = Legacy::detect_rows(first_rows);
    // Score, then a two-row reading before a one-row one: sub-headers
    // refine their group title ("Họ và tên" → "Họ đệm" | "Tên").
    let mut best: Option<((usize, bool), Candidate)> = None;
    let mut consider = |cand: Candidate, double: bool| {
        if let Some(s) = cand.score()
            && best.as_ref().is_none_or(|(b, _)| (s, double) > *b)
        {
            best = Some(((s, double), cand));
        }
    };
    for r in 0..rows.len().min(HEADER_SEARCH_ROWS) {
        if rows[r].iter().all(Cell::is_empty) {
            continue;
        }
        consider(single_row(rows, r, legacy), false);
        if r + 1 < rows.len()
            && let Some(double) = double_row(rows, r, legacy)
        {
            consider(double, true);
        }
    }
    let (_, mut cand) = best?;
    split_name_column(&mut cand, first_rows, legacy);
    Some(Layout {
        header_row: cand.header_row,
        columns: cand.columns(),
        headers: cand.headers,
    })
}

/// Manual override: the user's own column → field choice, validated: no
/// field or column twice, and a name ("Họ và tên", or "Tên" with an
/// optional "Họ và tên đệm").
pub fn layout_with(
    header_row: usize,
    headers: Vec<String>,
    mut columns: Vec<(usize, Field)>,
) -> Result<Layout, SheetError> {
    columns.sort_by_key(|(c, _)| *c);
    for w in columns.windows(2) {
        if w[0].0 == w[1].0 {
            return Err(SheetError::DuplicateColumn { column: w[0].0 });
        }
    }
    for (i, (_, f)) in columns.iter().enumerate() {
        if columns[..i].iter().any(|(_, g)| g == f) {
            return Err(SheetError::DuplicateField { field: *f });
        }
    }
    let has = |f: Field| columns.iter().any(|(_, g)| *g == f);
    if !(has(Field::FullName) || has(Field::GivenName)) {
        return Err(SheetError::NoNameColumn);
    }
    Ok(Layout {
        header_row,
        columns,
        headers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::text(s)
    }

    fn row(texts: &[&str]) -> Vec<Cell> {
        texts.iter().map(|s| t(s)).collect()
    }

    #[test]
    fn field_codes_round_trip() {
        for f in Field::ALL {
            assert_eq!(Field::parse(f.code()), Some(*f));
            assert!(!f.label(Lang::Vi).is_empty());
            assert!(!f.label(Lang::En).is_empty());
        }
        assert_eq!(Field::parse("nope"), None);
        let mut codes: Vec<&str> = Field::ALL.iter().map(|f| f.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Field::ALL.len());
    }

    #[test]
    fn header_names() {
        let cases = [
            ("Họ và tên", Field::FullName),
            ("HỌ VÀ TÊN", Field::FullName),
            ("Ho va ten", Field::FullName),
            ("Họ tên", Field::FullName),
            ("Họ và tên (chữ in hoa)", Field::FullName),
            ("Họ và tên đệm", Field::FamilyAndMiddle),
            ("Họ đệm", Field::FamilyAndMiddle),
            ("Tên", Field::GivenName),
            ("Ngày sinh", Field::BirthDate),
            ("Ngày, tháng, năm sinh", Field::BirthDate),
            ("Ngày sinh (dd/mm/yyyy)", Field::BirthDate),
            ("NS", Field::BirthDate),
            ("Năm sinh", Field::BirthDate),
            ("Giới tính", Field::Sex),
            ("Nam/Nữ", Field::Sex),
            ("Nam", Field::BirthDateIfMale),
            ("Nữ", Field::BirthDateIfFemale),
            ("Số CCCD", Field::Cccd),
            ("CCCD", Field::Cccd),
            ("Số CMND/CCCD", Field::Cccd),
            ("Số định danh cá nhân", Field::Cccd),
            ("Số điện thoại", Field::Phone),
            ("SĐT", Field::Phone),
            ("Điện thoại", Field::Phone),
            ("Đơn vị", Field::Unit),
            ("Tổ công đoàn", Field::Unit),
            ("Bộ phận", Field::Unit),
            ("Công đoàn cơ sở", Field::Unit),
            ("Mã đơn vị", Field::UnitCode),
            ("Ngày vào công đoàn", Field::JoinDate),
            ("Ngày kết nạp", Field::JoinDate),
            ("Số thẻ", Field::CardNo),
            ("Số thẻ đoàn viên", Field::CardNo),
            ("Dân tộc", Field::Ethnicity),
            ("Quốc tịch", Field::Nationality),
            ("Chức vụ", Field::JobTitle),
            ("Nghề nghiệp", Field::JobTitle),
            ("Công việc", Field::JobTitle),
            ("Đơn vị công tác", Field::Employer),
            ("Nơi làm việc", Field::Employer),
            ("Đảng viên", Field::PartyMember),
            ("Trạng thái", Field::Status),
            ("Ghi chú", Field::Note),
            ("STT", Field::Seq),
            ("TT", Field::Seq),
        ];
        for (h, f) in cases {
            assert_eq!(classify_header(h), Some(f), "{h}");
        }
        for h in [
            "",
            "Tên đệm và họ của vợ",
            "Tổng",
            "Danh sách đoàn viên",
            "Toán",
        ] {
            assert_eq!(classify_header(h), None, "{h}");
        }
    }

    #[test]
    fn finds_header_below_title_rows() {
        let rows = vec![
            row(&["DANH SÁCH ĐOÀN VIÊN CÔNG ĐOÀN CƠ SỞ TRƯỜNG THCS KIM LIÊN"]),
            vec![],
            row(&["(Kèm theo Quyết định số 12/QĐ-CĐ)"]),
            row(&[
                "STT",
                "Họ và tên",
                "Ngày sinh",
                "Giới tính",
                "Số CCCD",
                "Ghi chú",
            ]),
            row(&[
                "1",
                "Nguyễn Văn An",
                "01/02/1990",
                "Nam",
                "001090000001",
                "",
            ]),
        ];
        let l = detect_layout(&rows).unwrap();
        assert_eq!(l.header_row, 3);
        assert_eq!(
            l.columns,
            vec![
                (0, Field::Seq),
                (1, Field::FullName),
                (2, Field::BirthDate),
                (3, Field::Sex),
                (4, Field::Cccd),
                (5, Field::Note),
            ]
        );
        assert_eq!(l.headers[1], "Họ và tên");
    }

    #[test]
    fn two_row_header_with_nam_nu() {
        let rows = vec![
            row(&["TT", "Họ và tên", "Ngày sinh", "", "Đơn vị"]),
            row(&["", "", "Nam", "Nữ", ""]),
            row(&["(1)", "(2)", "(3)", "(4)", "(5)"]),
        ];
        let l = detect_layout(&rows).unwrap();
        assert_eq!(l.header_row, 1);
        assert_eq!(
            l.columns,
            vec![
                (0, Field::Seq),
                (1, Field::FullName),
                (2, Field::BirthDateIfMale),
                (3, Field::BirthDateIfFemale),
                (4, Field::Unit),
            ]
        );
        assert_eq!(l.headers[2], "Ngày sinh / Nam");
        assert_eq!(l.headers[3], "Ngày sinh / Nữ");
    }

    #[test]
    fn two_row_header_with_split_name() {
        let rows = vec![
            row(&["STT", "Họ và tên", "", "Năm sinh", "Giới tính"]),
            row(&["", "Họ đệm", "Tên", "", ""]),
            row(&["1", "Nguyễn Văn", "An", "1985", "Nam"]),
        ];
        let l = detect_layout(&rows).unwrap();
        assert_eq!(l.header_row, 1);
        assert_eq!(l.column_of(Field::FamilyAndMiddle), Some(1));
        assert_eq!(l.column_of(Field::GivenName), Some(2));
        assert_eq!(l.column_of(Field::BirthDate), Some(3));
        assert_eq!(l.column_of(Field::Sex), Some(4));
    }

    #[test]
    fn merged_name_header_without_subheaders() {
        let rows = vec![
            row(&["STT", "Họ và tên", "", "Ngày sinh"]),
            row(&["1", "Nguyễn Văn", "An", "01/01/1990"]),
            row(&["2", "Trần Thị", "Bích", "02/02/1991"]),
        ];
        let l = detect_layout(&rows).unwrap();
        assert_eq!(l.header_row, 0);
        assert_eq!(l.column_of(Field::FamilyAndMiddle), Some(1));
        assert_eq!(l.column_of(Field::GivenName), Some(2));
    }

    #[test]
    fn sub_headers_of_one_group() {
        let rows = vec![
            row(&["STT", "Họ và tên", "Số điện thoại", "", "Ngày sinh"]),
            row(&["", "", "Di động", "Cố định", ""]),
            row(&["1", "Lê An", "0912345678", "02838221234", "1990"]),
        ];
        let l = detect_layout(&rows).unwrap();
        assert_eq!(l.header_row, 1);
        assert_eq!(l.column_of(Field::Phone), Some(2));
        assert_eq!(l.headers[3], "Số điện thoại / Cố định");
        // The first data row is never read as sub-headers.
        let rows = vec![
            row(&["STT", "Họ và tên", "Giới tính", "Ngày sinh"]),
            row(&["1", "Lê An", "Nam", ""]),
        ];
        let l = detect_layout(&rows).unwrap();
        assert_eq!(l.header_row, 0);
        assert_eq!(l.column_of(Field::Sex), Some(2));
    }

    #[test]
    fn unlabelled_sex_column_is_not_a_given_name() {
        let rows = vec![
            row(&["STT", "Họ và tên", "", "Ngày sinh"]),
            row(&["1", "Nguyễn Văn An", "Nam", "01/01/1990"]),
            row(&["2", "Trần Thị Bích", "Nữ", "02/02/1991"]),
        ];
        let l = detect_layout(&rows).unwrap();
        assert_eq!(l.column_of(Field::FullName), Some(1));
        assert_eq!(l.column_of(Field::GivenName), None);
    }

    #[test]
    fn no_header() {
        assert_eq!(detect_layout(&[]), None);
        let rows = vec![row(&["Họ và tên", "Xyz"]), row(&["STT", "Họ và tên"])];
        assert_eq!(detect_layout(&rows), None);
        let rows = vec![row(&["a", "b"]), row(&["1", "2"])];
        assert_eq!(detect_layout(&rows), None);
    }

    #[test]
    fn legacy_headers_are_decoded() {
        let rows = vec![
            row(&["STT", "Hä vµ tªn", "Ngµy sinh", "Giíi tÝnh"]),
            row(&["1", "NguyÔn V¨n §øc", "01/01/1990", "Nam"]),
            row(&["2", "TrÇn ThÞ Hoa", "01/01/1991", "N÷"]),
        ];
        let l = detect_layout(&rows).unwrap();
        assert_eq!(l.headers[1], "Họ và tên");
        assert_eq!(l.column_of(Field::Sex), Some(3));
    }

    #[test]
    fn manual_layout_is_validated() {
        let h = vec!["A".to_owned(), "B".to_owned()];
        let l = layout_with(
            2,
            h.clone(),
            vec![(1, Field::BirthDate), (0, Field::FullName)],
        )
        .unwrap();
        assert_eq!(l.columns, vec![(0, Field::FullName), (1, Field::BirthDate)]);
        let e = layout_with(
            0,
            h.clone(),
            vec![(0, Field::FullName), (1, Field::FullName)],
        );
        assert_eq!(e.unwrap_err().code(), "SH007");
        let e = layout_with(0, h.clone(), vec![(0, Field::FullName), (0, Field::Sex)]);
        assert_eq!(e.unwrap_err().code(), "SH008");
        let e = layout_with(0, h.clone(), vec![(0, Field::FamilyAndMiddle)]);
        assert_eq!(e.unwrap_err().code(), "SH009");
        assert!(layout_with(0, h, vec![(0, Field::GivenName)]).is_ok());
    }
}
