//! IAM wildcard matching (`*` any run of characters, `?` one character, case-insensitive) and
//! expansion of action patterns to the known actions they name.

use crate::db::{ActionSet, db};

/// Matches `text` against an IAM wildcard `pattern`, ASCII case-insensitively.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti) = (0, 0);
    // Position of the last `*` in the pattern and the text position it was tried at.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi].eq_ignore_ascii_case(&t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// True when the pattern holds `*` or `?`.
pub fn has_wildcard(pattern: &str) -> bool {
    pattern.contains(['*', '?'])
}

/// What an action pattern names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expansion {
    /// The known actions it matches (non-empty).
    Actions(ActionSet),
    /// The service prefix is unknown (`lamda:InvokeFunction`), or the text is not `service:action`.
    UnknownService,
    /// The service is known but no action of it matches (`lambda:InvokeFuction`), or a
    /// wildcard service part matched nothing.
    UnknownAction,
}

/// Expands an action pattern (`s3:Get*`, `*`, `iam:Put?olePolicy`) to the known actions.
pub fn expand(pattern: &str) -> Expansion {
    let pattern = pattern.trim();
    if pattern.chars().all(|c| c == '*') && !pattern.is_empty() {
        return Expansion::Actions(ActionSet::all());
    }
    let Some((service, action)) = pattern.split_once(':') else {
        return Expansion::UnknownService;
    };
    let mut set = ActionSet::new();
    let db = db();
    if has_wildcard(service) {
        for (prefix, range) in db.services() {
            if wildcard_match(service, prefix) {
                add_matching(&mut set, range, action);
            }
        }
    } else {
        let Some(range) = db.service_range(service) else {
            return Expansion::UnknownService;
        };
        add_matching(&mut set, range, action);
    }
    if set.is_empty() {
        Expansion::UnknownAction
    } else {
        Expansion::Actions(set)
    }
}

fn add_matching(set: &mut ActionSet, range: std::ops::Range<u32>, action: &str) {
    if action.chars().all(|c| c == '*') && !action.is_empty() {
        set.insert_range(range);
        return;
    }
    if !has_wildcard(action) {
        let db = db();
        for i in range {
            let id = crate::db::ActionId(i);
            if db.action(id).name.eq_ignore_ascii_case(action) {
                set.insert(id);
                return;
            }
        }
        return;
    }
    for i in range {
        let id = crate::db::ActionId(i);
        if wildcard_match(action, db().action(id).name) {
            set.insert(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wildcard matching follows IAM: `*` any run (empty included), `?` one character, and
    /// letters compare case-insensitively.
    #[test]
    fn wildcard_table() {
        let cases = [
            ("*", "", true),
            ("*", "anything", true),
            ("s3:Get*", "s3:GetObject", true),
            ("s3:get*", "S3:GETOBJECT", true),
            ("s3:Get*", "s3:PutObject", false),
            ("iam:Put?olePolicy", "iam:PutRolePolicy", true),
            ("iam:Put?olePolicy", "iam:PutRRolePolicy", false),
            ("*Object", "s3:GetObject", true),
            ("*Obj*t*", "s3:GetObjectAcl", true),
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "aXbYd", false),
            ("", "", true),
            ("", "x", false),
        ];
        for (p, t, want) in cases {
            assert_eq!(wildcard_match(p, t), want, "{p} vs {t}");
        }
    }

    /// Patterns expand to the known actions they match; typos and unknown prefixes are told
    /// apart.
    #[test]
    fn expansion_table() {
        let names = |p: &str| match expand(p) {
            Expansion::Actions(s) => s.actions().map(ToString::to_string).collect::<Vec<_>>(),
            other => panic!("{p}: {other:?}"),
        };
        assert_eq!(names("lambda:createfunction"), ["lambda:CreateFunction"]);
        let put = names("iam:Put*Policy");
        assert!(put.contains(&"iam:PutRolePolicy".to_owned()));
        assert!(put.contains(&"iam:PutUserPolicy".to_owned()));
        assert!(put.iter().all(|a| a.starts_with("iam:Put")));
        assert!(names("s3:*").len() > 100);
        assert!(matches!(expand("*"), Expansion::Actions(s) if s.is_all()));
        assert!(matches!(expand("*:*"), Expansion::Actions(s) if s.is_all()));
        assert_eq!(expand("lambda:InvokeFuction"), Expansion::UnknownAction);
        assert_eq!(expand("lamda:InvokeFunction"), Expansion::UnknownService);
        assert_eq!(expand("InvokeFunction"), Expansion::UnknownService);
        assert_eq!(expand("lambda:Zzz*"), Expansion::UnknownAction);
    }
}
