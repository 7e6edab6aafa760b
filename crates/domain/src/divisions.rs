//! Vietnam's 34 provinces and 3,321 communes after the 2025 merger (compiled in).

use serde::Deserialize;
use std::sync::OnceLock;

const RAW: &str = include_str!("../assets/vn-divisions-2025.json");

#[derive(Debug)]
pub struct Province {
    pub code: i64,
    pub name: String,
    pub communes: Vec<(i64, String)>,
}

#[derive(Deserialize)]
struct RawProvince {
    code: i64,
    name: String,
    wards: Vec<RawWard>,
}

#[derive(Deserialize)]
struct RawWard {
    code: i64,
    name: String,
}

fn all() -> &'static [Province] {
    static P: OnceLock<Vec<Province>> = OnceLock::new();
    P.get_or_init(|| {
        let raw: Vec<RawProvince> = serde_json::from_str(RAW).unwrap_or_default();
        raw.into_iter()
            .map(|p| Province {
                code: p.code,
                name: p.name,
                communes: p.wards.into_iter().map(|w| (w.code, w.name)).collect(),
            })
            .collect()
    })
}

pub fn provinces() -> Vec<(i64, &'static str)> {
    all().iter().map(|p| (p.code, p.name.as_str())).collect()
}

pub fn province(code: i64) -> Option<&'static Province> {
    all().iter().find(|p| p.code == code)
}

/// "Xã X, Tỉnh Y" for a unit's address line.
pub fn place_name(province_code: Option<i64>, commune_code: Option<i64>) -> String {
    let Some(p) = province_code.and_then(province) else {
        return String::new();
    };
    match commune_code.and_then(|c| p.communes.iter().find(|(code, _)| *code == c)) {
        Some((_, name)) => format!("{name}, {}", p.name),
        None => p.name.clone(),
    }
}

/// "Phường Long Xuyên" → ("phường", "Long Xuyên"): the kind in lower case, as
/// written after "Công đoàn", and the proper name.
pub fn split_ward(name: &str) -> (&'static str, &str) {
    for (prefix, kind) in [
        ("Phường ", "phường"),
        ("Xã ", "xã"),
        ("Đặc khu ", "đặc khu"),
    ] {
        if let Some(rest) = name.strip_prefix(prefix) {
            return (kind, rest);
        }
    }
    ("xã", name)
}

/// The name of the commune union seated in a commune: "Công đoàn phường Long Xuyên".
pub fn commune_union_name(ward: &str) -> String {
    let (kind, name) = split_ward(ward);
    format!("Công đoàn {kind} {name}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_2025_list_is_complete() {
        assert_eq!(super::provinces().len(), 34);
        let communes: usize = super::all().iter().map(|p| p.communes.len()).sum();
        assert_eq!(communes, 3321);
        assert_eq!(super::place_name(Some(91), None), "An Giang");
    }
}
