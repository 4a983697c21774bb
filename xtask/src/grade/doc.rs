//! The grading table of a lab's handout (docs/labs/N-name.md), read back so
//! a test can hold it to the grader's own check list: names, points, total.

/// The `## Grading` table of a handout.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GradingTable {
    /// Each check row: the check's name as written, its points.
    pub rows: Vec<(String, u32)>,
    /// The bold `total` row's points, if there is one.
    pub total: Option<u32>,
}

/// Reads the first table under the `## Grading` heading of `markdown`:
/// a header row, a separator, then `| name | points |` rows and at most one
/// `| **total** | **N** |` row. `None` without such a heading.
pub fn grading_table(markdown: &str) -> Option<GradingTable> {
    let mut lines = markdown.lines().skip_while(|l| l.trim() != "## Grading");
    lines.next()?;
    let rows = lines
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2);
    let mut table = GradingTable::default();
    for row in rows {
        let cells: Vec<&str> = row.trim().trim_matches('|').split(" | ").collect();
        let [name, points] = cells[..] else {
            continue;
        };
        let (name, points) = (name.trim(), points.trim());
        match points.trim_matches('*').parse() {
            Ok(points) if name == "**total**" => table.total = Some(points),
            Ok(points) => table.rows.push((name.to_string(), points)),
            Err(_) => {}
        }
    }
    Some(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_under_grading_is_read() {
        let doc = "# Lab\n\n| not | this |\n|---|---|\n| x | 9 |\n\n## Grading\n\nText.\n\n\
                   | check | points |\n|---|---|\n| `hello` prints a line | 2 |\n\
                   | `help` lists it | 1 |\n| **total** | **3** |\n\nAfter.\n| y | 4 |\n";
        let table = grading_table(doc).unwrap();
        assert_eq!(
            table.rows,
            [
                ("`hello` prints a line".into(), 2),
                ("`help` lists it".into(), 1)
            ]
        );
        assert_eq!(table.total, Some(3));
        assert_eq!(grading_table("# No grading here"), None);
    }
}
