//! Materialised paths of units in the union tree ("/1/23/456/").
//!
//! Storing the path lets both SQLite and PostgreSQL select a whole subtree
//! with one indexed range scan instead of a recursive query.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, ErrorCode};

/// Path of unit ids from the root, each followed by '/'. The root is "/".
/// Ids are written in canonical decimal (no leading zeros, no '+').
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrgPath(String);

impl OrgPath {
    pub fn root() -> OrgPath {
        OrgPath("/".to_owned())
    }

    pub fn child(&self, id: i64) -> OrgPath {
        OrgPath(format!("{}{id}/", self.0))
    }

    pub fn parse(s: &str) -> Result<OrgPath, DomainError> {
        let err = || DomainError::new(ErrorCode::OrgPathInvalid, "path");
        if s == "/" {
            return Ok(OrgPath::root());
        }
        let inner = s
            .strip_prefix('/')
            .and_then(|rest| rest.strip_suffix('/'))
            .filter(|inner| !inner.is_empty())
            .ok_or_else(err)?;
        for seg in inner.split('/') {
            let id: i64 = seg.parse().map_err(|_| err())?;
            if id.to_string() != seg {
                return Err(err());
            }
        }
        Ok(OrgPath(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Unit ids from the root down to this unit.
    pub fn ids(&self) -> Vec<i64> {
        self.segments().filter_map(|s| s.parse().ok()).collect()
    }

    /// Number of ids; the root has depth 0.
    pub fn depth(&self) -> usize {
        self.segments().count()
    }

    /// Id of the unit this path points to; `None` for the root.
    pub fn last_id(&self) -> Option<i64> {
        self.segments().last().and_then(|s| s.parse().ok())
    }

    /// The unit just below the national root on this path (a provincial federation, a
    /// central sector or corporation union): the level whose subtree a member search
    /// narrows to by a token. `None` for the root and the national unit itself.
    pub fn top_id(&self) -> Option<i64> {
        self.segments().nth(1).and_then(|s| s.parse().ok())
    }

    /// `None` for the root.
    pub fn parent(&self) -> Option<OrgPath> {
        let trimmed = self.0.strip_suffix('/')?;
        let cut = trimmed.rfind('/')?;
        Some(OrgPath(self.0[..=cut].to_owned()))
    }

    pub fn is_root(&self) -> bool {
        self.0 == "/"
    }

    /// True when `other` is this unit or lies below it. Because every id is
    /// followed by '/', a string prefix test cannot confuse /1/ with /12/.
    pub fn is_ancestor_of(&self, other: &OrgPath) -> bool {
        other.0.starts_with(&self.0)
    }

    /// Exclusive upper bound of the subtree: the path with its final '/'
    /// replaced by '0', the next byte. In bytewise (C collation) order the
    /// subtree, this unit included, is exactly
    /// `path >= self.as_str() AND path < self.range_end()`:
    /// any string in that range shares everything but the last byte of
    /// `self`, and the only byte in ['/', '0') is '/'.
    pub fn range_end(&self) -> String {
        let mut end = self.0.clone();
        end.pop();
        end.push('0');
        end
    }

    fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/').filter(|s| !s.is_empty())
    }
}

impl Default for OrgPath {
    fn default() -> Self {
        OrgPath::root()
    }
}

impl fmt::Display for OrgPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for OrgPath {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OrgPath::parse(s)
    }
}

impl TryFrom<String> for OrgPath {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        OrgPath::parse(&s)
    }
}

impl From<OrgPath> for String {
    fn from(p: OrgPath) -> String {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn path(ids: &[i64]) -> OrgPath {
        ids.iter().fold(OrgPath::root(), |p, &id| p.child(id))
    }

    fn in_range(ancestor: &OrgPath, p: &OrgPath) -> bool {
        p.as_str() >= ancestor.as_str() && p.as_str() < ancestor.range_end().as_str()
    }

    #[test]
    fn build_and_inspect() {
        let root = OrgPath::root();
        assert_eq!(root.as_str(), "/");
        assert_eq!(root.depth(), 0);
        assert!(root.ids().is_empty());
        assert!(root.is_root());
        assert_eq!(root.parent(), None);
        assert_eq!(root.last_id(), None);

        let p = root.child(1).child(23).child(456);
        assert_eq!(p.as_str(), "/1/23/456/");
        assert_eq!(p.ids(), vec![1, 23, 456]);
        assert_eq!(p.depth(), 3);
        assert_eq!(p.last_id(), Some(456));
        assert_eq!(p.top_id(), Some(23));
        assert_eq!(root.child(1).top_id(), None);
        assert_eq!(root.top_id(), None);
        assert_eq!(p.parent(), Some(OrgPath::parse("/1/23/").unwrap()));
        assert_eq!(root.child(7).parent(), Some(root.clone()));
        assert_eq!(p.to_string(), "/1/23/456/");
        assert_eq!(OrgPath::default(), root);
    }

    #[test]
    fn parse_validates() {
        for ok in ["/", "/1/", "/1/23/456/", "/0/"] {
            assert_eq!(OrgPath::parse(ok).unwrap().as_str(), ok);
        }
        for bad in [
            "",
            "1/",
            "/1",
            "//",
            "/1//2/",
            "/a/",
            "/01/",
            "/+1/",
            "/1/2",
            " /1/",
            "/1 /",
            "/99999999999999999999/",
        ] {
            let e = OrgPath::parse(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::OrgPathInvalid, "{bad:?}");
        }
    }

    #[test]
    fn ancestry_and_range() {
        let p1 = path(&[1]);
        let p12 = path(&[12]);
        let p1_2 = path(&[1, 2]);
        assert!(p1.is_ancestor_of(&p1));
        assert!(p1.is_ancestor_of(&p1_2));
        assert!(!p1.is_ancestor_of(&p12));
        assert!(!p1_2.is_ancestor_of(&p1));
        assert!(OrgPath::root().is_ancestor_of(&p12));
        assert_eq!(p1.range_end(), "/10");
        assert_eq!(OrgPath::root().range_end(), "0");
        assert!(in_range(&p1, &p1_2));
        assert!(!in_range(&p1, &p12));
        assert!(in_range(&OrgPath::root(), &p12));
    }

    #[test]
    fn serde_conversions_validate() {
        assert!(OrgPath::try_from("/1/2/".to_string()).is_ok());
        assert!(OrgPath::try_from("/1/2".to_string()).is_err());
        assert_eq!(String::from(path(&[5])), "/5/");
        assert_eq!("/5/".parse::<OrgPath>().unwrap(), path(&[5]));
    }

    fn ids() -> impl Strategy<Value = Vec<i64>> {
        // Small ids so that /1/ vs /12/ style near-collisions are common.
        proptest::collection::vec(prop_oneof![1i64..30, 1i64..i64::MAX], 0..5)
    }

    proptest! {
        #[test]
        fn ancestor_agrees_with_range(a in ids(), b in ids()) {
            let pa = path(&a);
            let pb = path(&b);
            prop_assert_eq!(pa.is_ancestor_of(&pb), in_range(&pa, &pb));
            prop_assert_eq!(pa.is_ancestor_of(&pb), b.starts_with(&a));
        }

        #[test]
        fn descendants_are_in_range(a in ids(), extra in ids()) {
            let pa = path(&a);
            let mut all = a.clone();
            all.extend(&extra);
            let pb = path(&all);
            prop_assert!(pa.is_ancestor_of(&pb));
            prop_assert!(in_range(&pa, &pb));
        }

        #[test]
        fn parse_round_trips(a in ids()) {
            let p = path(&a);
            let parsed = OrgPath::parse(p.as_str()).unwrap();
            prop_assert_eq!(&parsed, &p);
            prop_assert_eq!(p.ids(), a.clone());
            prop_assert_eq!(p.depth(), a.len());
        }
    }
}
