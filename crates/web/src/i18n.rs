//! Per-request language. Vietnamese is the default; English is chosen with the `lang`
//! cookie. Texts sit side by side at the point of use (`tr.s("Đoàn viên", "Members")`),
//! so a page can never show a missing key.

use congdoan_domain::Lang;

/// A Copy value passed by value or by (nested) reference, as askama passes arguments.
pub trait Val<T> {
    fn val(self) -> T;
}
impl<T: Copy> Val<T> for T {
    fn val(self) -> T {
        self
    }
}
impl<T: Copy> Val<T> for &T {
    fn val(self) -> T {
        *self
    }
}
impl<T: Copy> Val<T> for &&T {
    fn val(self) -> T {
        **self
    }
}

/// The translator handed to every template.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }
    /// Picks the Vietnamese or the English text.
    pub fn s<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        match self.lang {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }
    pub fn code(&self) -> &'static str {
        self.lang.code()
    }
    pub fn date(&self, d: impl Val<time::Date>) -> String {
        congdoan_domain::date::format_vn_date(d.val())
    }
    pub fn opt_date(&self, d: impl Val<Option<time::Date>>) -> String {
        d.val()
            .map(congdoan_domain::date::format_vn_date)
            .unwrap_or_default()
    }
    pub fn datetime(&self, t: impl Val<time::OffsetDateTime>) -> String {
        congdoan_domain::date::format_vn_datetime(t.val())
    }
    pub fn import_state(&self, s: impl Val<congdoan_store::ImportState>) -> &'static str {
        s.val().label(self.lang)
    }
    pub fn int(&self, n: impl Val<i64>) -> String {
        congdoan_domain::money::format_int(n.val())
    }
    pub fn vnd(&self, n: impl Val<i64>) -> String {
        congdoan_domain::money::format_vnd(n.val())
    }
    pub fn sex(&self, code: &str) -> String {
        congdoan_domain::member::Sex::parse(code)
            .map(|s| s.label(self.lang).to_string())
            .unwrap_or_default()
    }
    pub fn status(&self, code: &str) -> String {
        congdoan_domain::member::MemberStatus::parse(code)
            .map(|s| s.label(self.lang).to_string())
            .unwrap_or_else(|_| code.to_string())
    }
    pub fn event(&self, code: &str) -> String {
        congdoan_domain::member::MemberEventKind::parse(code)
            .map(|s| s.label(self.lang).to_string())
            .unwrap_or_else(|_| match code {
                "apply" => self.s("Nộp đơn gia nhập", "Applied").to_string(),
                other => other.to_string(),
            })
    }
    pub fn field<'a>(&self, key: &'a str) -> &'a str {
        congdoan_domain::error::field_label(key, self.lang)
    }
}
