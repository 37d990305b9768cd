//! `CHANGELOG.md` beside the generated crate, in Keep a Changelog form:
//! `cargo xtask codegen --changelog` adds the API report's changes under
//! `## [Unreleased]`, in `### Added`, `### Changed` and `### Removed`,
//! each breaking one marked **Breaking**, and says which version they
//! call for. Released sections and anything a maintainer wrote are kept.

use super::diff::{Bump, ChangeKind, Report};

/// The file name beside the generated crate's `Cargo.toml`.
pub const CHANGELOG_FILE: &str = "CHANGELOG.md";

const UNRELEASED: &str = "## [Unreleased]";

const BREAKING: &str = "**Breaking:** ";

/// The sections the report fills, in Keep a Changelog's order.
const SECTIONS: [(ChangeKind, &str); 3] = [
    (ChangeKind::Added, "### Added"),
    (ChangeKind::Changed, "### Changed"),
    (ChangeKind::Removed, "### Removed"),
];

/// `existing` (or a new file) with the report's changes added to its
/// unreleased section; a change already listed is not listed twice.
pub fn update(existing: Option<&str>, report: &Report, crate_name: &str) -> String {
    let text = existing.map(str::to_string).unwrap_or_else(|| {
        format!(
            "# Changelog\n\nNotable changes to `{crate_name}`, in the form of [Keep a Changelog](https://keepachangelog.com/en/1.1.0/); `cargo xtask codegen --changelog` adds the public API's changes under Unreleased.\n"
        )
    });
    let lines: Vec<&str> = text.lines().collect();
    // The unreleased section: from its heading to the next `## `.
    let start = lines.iter().position(|l| l.trim() == UNRELEASED);
    let (head, mut section, tail): (Vec<&str>, Vec<String>, Vec<&str>) = match start {
        Some(s) => {
            let end = lines[s + 1..]
                .iter()
                .position(|l| l.starts_with("## "))
                .map_or(lines.len(), |e| s + 1 + e);
            (
                lines[..s].to_vec(),
                lines[s + 1..end].iter().map(|l| l.to_string()).collect(),
                lines[end..].to_vec(),
            )
        }
        None => {
            // Before the first release's section, else at the end.
            let first = lines
                .iter()
                .position(|l| l.starts_with("## "))
                .unwrap_or(lines.len());
            (lines[..first].to_vec(), Vec::new(), lines[first..].to_vec())
        }
    };
    for (kind, heading) in SECTIONS {
        for change in report.changes.iter().filter(|c| c.kind == kind) {
            let entry = format!(
                "- {}{}",
                if change.rust_breaking { BREAKING } else { "" },
                change.what
            );
            if section.iter().any(|l| l.trim() == entry) {
                continue;
            }
            add_entry(&mut section, heading, entry);
        }
    }
    let next = next_line(&section, &report.from);
    let body: Vec<String> = section
        .into_iter()
        .filter(|l| !l.starts_with(NEXT_PREFIX))
        .collect();
    let mut out = String::new();
    for l in head {
        out.push_str(l);
        out.push('\n');
    }
    trim_blank_end(&mut out);
    out.push_str("\n\n");
    out.push_str(UNRELEASED);
    out.push_str("\n\n");
    if let Some(next) = next {
        out.push_str(&next);
        out.push_str("\n\n");
    }
    let body = body.join("\n");
    let body = body.trim();
    if !body.is_empty() {
        out.push_str(body);
        out.push('\n');
    }
    if !tail.is_empty() {
        out.push('\n');
        for l in tail {
            out.push_str(l);
            out.push('\n');
        }
    }
    trim_blank_end(&mut out);
    out.push('\n');
    out
}

const NEXT_PREFIX: &str = "Next version: ";

/// What the unreleased changes call for, from the released version:
/// a breaking entry anywhere in the section makes it a major bump.
fn next_line(section: &[String], from: &str) -> Option<String> {
    let entries: Vec<&String> = section.iter().filter(|l| l.starts_with("- ")).collect();
    if entries.is_empty() {
        return None;
    }
    let bump = if entries
        .iter()
        .any(|l| l.starts_with(&format!("- {BREAKING}")))
    {
        Bump::Major
    } else {
        Bump::Minor
    };
    let to = super::diff::next_version(from, bump);
    let why = match bump {
        Bump::Major => "breaking changes",
        _ => "additions only",
    };
    Some(format!("{NEXT_PREFIX}{to} (from {from}: {why})."))
}

/// Appends `entry` under `heading`, adding the heading in Keep a
/// Changelog's order when the section does not have it yet.
fn add_entry(section: &mut Vec<String>, heading: &str, entry: String) {
    if let Some(h) = section.iter().position(|l| l.trim() == heading) {
        let end = section[h + 1..]
            .iter()
            .position(|l| l.starts_with('#'))
            .map_or(section.len(), |e| h + 1 + e);
        // After the heading's last entry.
        let last = section[h + 1..end]
            .iter()
            .rposition(|l| !l.trim().is_empty())
            .map_or(h + 1, |p| h + 2 + p);
        section.insert(last, entry);
        return;
    }
    let order = |l: &str| SECTIONS.iter().position(|(_, s)| *s == l.trim());
    let mine = order(heading).unwrap_or(SECTIONS.len());
    let at = section
        .iter()
        .position(|l| order(l).is_some_and(|o| o > mine))
        .unwrap_or(section.len());
    let mut block = vec![heading.to_string(), String::new(), entry];
    if at < section.len() {
        block.push(String::new());
    } else if section.last().is_some_and(|l| !l.trim().is_empty()) {
        block.insert(0, String::new());
    }
    section.splice(at..at, block);
}

fn trim_blank_end(s: &mut String) {
    while s.ends_with('\n') || s.ends_with(' ') {
        s.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::super::diff::{Change, Verdict};
    use super::*;

    fn report(changes: Vec<(ChangeKind, &str, bool)>) -> Report {
        Report {
            changes: changes
                .into_iter()
                .map(|(kind, what, rust_breaking)| Change {
                    kind,
                    what: what.to_string(),
                    wire: Verdict {
                        breaking: rust_breaking,
                        rule: None,
                    },
                    rust_breaking,
                })
                .collect(),
            bump: Bump::Minor,
            from: "0.1.0".into(),
            to: "0.1.1".into(),
        }
    }

    #[test]
    fn a_new_changelog_has_an_unreleased_section() {
        let text = update(
            None,
            &report(vec![
                (ChangeKind::Added, "operation `A_Get` added", false),
                (ChangeKind::Removed, "operation `B_Get` removed", true),
            ]),
            "widgets",
        );
        assert!(text.starts_with("# Changelog\n"), "{text}");
        let unreleased = &text[text.find(UNRELEASED).unwrap_or(0)..];
        assert_eq!(
            unreleased,
            "## [Unreleased]\n\nNext version: 0.2.0 (from 0.1.0: breaking changes).\n\n### Added\n\n- operation `A_Get` added\n\n### Removed\n\n- **Breaking:** operation `B_Get` removed\n"
        );
    }

    #[test]
    fn later_changes_join_the_section_and_releases_stay() {
        let existing = "# Changelog\n\nOurs.\n\n## [Unreleased]\n\n### Added\n\n- operation `A_Get` added\n\n## [0.1.0] - 2026-11-01\n\n### Added\n\n- Everything.\n";
        let text = update(
            Some(existing),
            &report(vec![
                (ChangeKind::Added, "operation `A_Get` added", false),
                (ChangeKind::Added, "operation `C_Get` added", false),
                (ChangeKind::Changed, "`m::T.n` type i32 → i64", true),
            ]),
            "widgets",
        );
        assert_eq!(
            text,
            "# Changelog\n\nOurs.\n\n## [Unreleased]\n\nNext version: 0.2.0 (from 0.1.0: breaking changes).\n\n### Added\n\n- operation `A_Get` added\n- operation `C_Get` added\n\n### Changed\n\n- **Breaking:** `m::T.n` type i32 → i64\n\n## [0.1.0] - 2026-11-01\n\n### Added\n\n- Everything.\n"
        );
        // The same report again adds nothing.
        let again = update(
            Some(&text),
            &report(vec![(ChangeKind::Added, "operation `C_Get` added", false)]),
            "widgets",
        );
        assert_eq!(again, text);
    }
}
