//! A graded lab: each check's result and points, printed as the points
//! table students read or as the JSON a course's grading server reads.
//! No grading here: `grade.rs` fills these in.

use std::fmt::{self, Write as _};

use serde::Serialize;

use super::lab::Lab;
use super::session::{Exchange, shown};

/// One check's outcome.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckResult {
    /// The check's name (as in the lab's grading table).
    pub name: String,
    /// The points it is worth.
    pub points: u32,
    /// Whether it passed.
    pub passed: bool,
    /// Passed: a note, often a measured value, or empty. Failed: why, then
    /// the lines that show it.
    pub detail: String,
    /// Wall time the check took, in seconds.
    pub seconds: f64,
}

/// One lab's grade.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The lab's name, e.g. `ring`.
    pub lab: String,
    /// Its number.
    pub number: u32,
    /// Its title.
    pub title: String,
    /// Whether the student version (the lab's feature) was graded.
    pub student: bool,
    /// Every check, in order.
    pub checks: Vec<CheckResult>,
    /// Points earned.
    pub total: u32,
    /// Points possible.
    pub max: u32,
}

impl Report {
    /// An empty report for `lab`; [`Report::push`] adds the checks.
    pub fn new(lab: &Lab, student: bool) -> Self {
        Self {
            lab: lab.name.into(),
            number: lab.number,
            title: lab.title.into(),
            student,
            checks: Vec::new(),
            total: 0,
            max: 0,
        }
    }

    /// Adds a check's result and counts its points.
    pub fn push(&mut self, result: CheckResult) {
        self.max += result.points;
        if result.passed {
            self.total += result.points;
        }
        self.checks.push(result);
    }

    /// Whether every check passed.
    pub fn full_marks(&self) -> bool {
        self.total == self.max
    }
}

/// The detail of a failed check: `why`, then the lines that show it, or
/// else the last command the check typed and (the start of) its output.
pub fn failure_detail(why: &str, lines: &[String], transcript: &[Exchange]) -> String {
    let mut detail = why.to_string();
    let shown_lines = match (lines.is_empty(), transcript.last()) {
        (false, _) => lines.to_vec(),
        (true, Some(last)) => {
            let mut v = vec![format!("ringlab> {}", last.command)];
            v.extend(shown(&last.output));
            v
        }
        (true, None) => Vec::new(),
    };
    for line in shown_lines {
        detail.push('\n');
        detail.push_str(&line);
    }
    detail
}

/// Width of the check-name column in the table.
const NAME_WIDTH: usize = 66;

impl fmt::Display for Report {
    /// The points table: a GOOD/BAD line per check with its points, the
    /// failure's detail under a BAD line, and the score.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let version = if self.student {
            ", student version"
        } else {
            ""
        };
        writeln!(
            f,
            "== lab {} {}: {}{version} ==",
            self.number, self.lab, self.title
        )?;
        for check in &self.checks {
            let mut name = check.name.clone();
            if name.len() < NAME_WIDTH {
                name.push(' ');
                while name.len() < NAME_WIDTH {
                    name.push('.');
                }
            }
            let (verdict, earned) = if check.passed {
                ("GOOD", check.points)
            } else {
                ("BAD ", 0)
            };
            let mut line = format!("{name} {verdict} {earned:>2}/{:<2}", check.points);
            let _ = write!(line, " ({:.1}s)", check.seconds);
            writeln!(f, "{line}")?;
            let mut detail = check.detail.lines();
            if check.passed {
                if let Some(note) = detail.next().filter(|note| !note.is_empty()) {
                    writeln!(f, "    {note}")?;
                }
            } else {
                for line in detail {
                    writeln!(f, "    {line}")?;
                }
            }
        }
        writeln!(f, "Score: {}/{}", self.total, self.max)
    }
}

/// The JSON a grading server reads for several labs: each lab's report, and
/// the sums.
pub fn json_of_all(reports: &[Report]) -> serde_json::Value {
    let total: u32 = reports.iter().map(|r| r.total).sum();
    let max: u32 = reports.iter().map(|r| r.max).sum();
    serde_json::json!({ "labs": reports, "total": total, "max": max })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(name: &str, points: u32, passed: bool, detail: &str) -> CheckResult {
        CheckResult {
            name: name.into(),
            points,
            passed,
            detail: detail.into(),
            seconds: 0.25,
        }
    }

    fn report() -> Report {
        let mut report = Report {
            lab: "ring".into(),
            number: 2,
            title: "virtqueues".into(),
            student: true,
            checks: Vec::new(),
            total: 0,
            max: 0,
        };
        report.push(result("`ping 0 1` gets its pong", 2, true, "note"));
        report.push(result("the dump", 3, false, "used.idx is 0\nvq 0->1 ..."));
        report
    }

    #[test]
    fn the_table_has_good_and_bad_lines_the_detail_and_the_score() {
        let text = report().to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "== lab 2 ring: virtqueues, student version ==");
        assert!(
            lines[1].starts_with("`ping 0 1` gets its pong ...."),
            "{text}"
        );
        assert!(lines[1].ends_with(" GOOD  2/2  (0.2s)"), "{text}");
        assert_eq!(lines[2], "    note");
        assert!(lines[3].ends_with(" BAD   0/3  (0.2s)"), "{text}");
        assert_eq!(
            &lines[4..],
            ["    used.idx is 0", "    vq 0->1 ...", "Score: 2/5"]
        );
    }

    #[test]
    fn the_json_has_the_fields_a_server_reads() {
        let json = serde_json::to_value(report()).unwrap();
        assert_eq!(json["lab"], "ring");
        assert_eq!(
            (json["total"].as_u64(), json["max"].as_u64()),
            (Some(2), Some(5))
        );
        let check = &json["checks"][1];
        assert_eq!(check["name"], "the dump");
        assert_eq!(
            (check["points"].as_u64(), check["passed"].as_bool()),
            (Some(3), Some(false))
        );
        assert!(
            check["detail"]
                .as_str()
                .unwrap()
                .starts_with("used.idx is 0")
        );
        let all = json_of_all(&[report(), report()]);
        assert_eq!(
            (all["total"].as_u64(), all["max"].as_u64()),
            (Some(4), Some(10))
        );
    }

    #[test]
    fn a_failure_without_lines_shows_the_last_command() {
        let transcript = [Exchange {
            command: "ping 0 1".into(),
            output: "Core[0] -> Core[1]: ping\n".into(),
        }];
        let detail = failure_detail("no pong", &[], &transcript);
        assert_eq!(
            detail,
            "no pong\nringlab> ping 0 1\nCore[0] -> Core[1]: ping"
        );
        let detail = failure_detail("no pong", &["a line".into()], &transcript);
        assert_eq!(detail, "no pong\na line");
    }
}
