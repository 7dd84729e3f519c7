//! Names that become file or folder names, or parts of them (scenario
//! folders, batch folders), or that commands refer to (`--solve senior`,
//! `--target senior.expected_loss`): one safe alphabet for all of them, so
//! no name can climb out of the output folder, collide with another on a
//! case-insensitive file system, or break a file format.

/// Longest name accepted.
pub const MAX_NAME_LEN: usize = 64;

/// Words that mean something else where names are used (`--scenario all`).
pub const RESERVED_NAMES: &[&str] = &["all"];

/// `name` is 1 to [`MAX_NAME_LEN`] ASCII letters, digits, `_` or `-`,
/// starting with a letter or digit, and not a reserved word (in any case);
/// `what` names the thing named, for the message.
pub fn check_safe_name(name: &str, what: &str) -> Result<(), String> {
    let first_ok = name
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric());
    let rest_ok = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !(first_ok && rest_ok && name.len() <= MAX_NAME_LEN) {
        return Err(format!(
            "`{}` is not a valid {what} name; expected 1 to {MAX_NAME_LEN} ASCII letters, digits, `_` \
             or `-`, starting with a letter or digit (it becomes part of file names)",
            super::error::excerpt(name)
        ));
    }
    if RESERVED_NAMES.iter().any(|r| r.eq_ignore_ascii_case(name)) {
        return Err(format!(
            "`{name}` is a reserved word; choose another {what} name"
        ));
    }
    Ok(())
}

/// `text` with every character outside the safe alphabet replaced by `_`,
/// cut to [`MAX_NAME_LEN`] characters (for names taken from the file
/// system, such as a batch facility's folder).
pub fn sanitised_name(text: &str) -> String {
    let name: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(MAX_NAME_LEN)
        .collect();
    let reserved = RESERVED_NAMES.iter().any(|r| r.eq_ignore_ascii_case(&name));
    if name
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric())
        && !reserved
    {
        name
    } else {
        format!(
            "f{}",
            name.chars().take(MAX_NAME_LEN - 1).collect::<String>()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_and_odd_names_are_refused() {
        for bad in [
            "",
            ".",
            "..",
            "../../../X",
            "/abs/path",
            "a/b",
            "a\\b",
            "all",
            "ALL",
            "a\0b",
            "-x",
            "_x",
            "café",
            "a b",
            &"x".repeat(65),
        ] {
            assert!(check_safe_name(bad, "scenario").is_err(), "{bad:?}");
        }
        for good in [
            "base_case",
            "lithium-crash",
            "S1",
            "first_loss",
            &"x".repeat(64),
        ] {
            assert_eq!(check_safe_name(good, "scenario"), Ok(()), "{good}");
        }
    }

    #[test]
    fn sanitised_names_are_safe() {
        for text in [
            "..",
            "a/b",
            "",
            "résumé fund",
            "-x",
            "all",
            &"é".repeat(100),
        ] {
            let name = sanitised_name(text);
            assert_eq!(
                check_safe_name(&name, "facility"),
                Ok(()),
                "{text:?} -> {name}"
            );
        }
        assert_eq!(sanitised_name("us-rok_2"), "us-rok_2");
    }
}
