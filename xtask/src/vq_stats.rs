//! Reading back the kernel's `vq stats` tables (`bus::Stats`'s text): one
//! N×N matrix per title, for the QEMU tests, the grader and the bench.

/// The `title` table of `vq stats` output (`<title> (row = from, column =
/// to)`), as `[src][dst]` with the diagonal as 0; `None` if it is missing.
pub fn table(stats: &str, title: &str) -> Option<Vec<Vec<u64>>> {
    let heading = format!("{title} (row = from, column = to)");
    let mut lines = stats.lines().skip_while(|l| *l != heading);
    lines.next()?;
    let rows = lines.skip(1).take_while(|l| l.starts_with("  "));
    let matrix: Vec<Vec<u64>> = rows
        .map(|row| {
            let cells = row.split_whitespace().skip(1);
            cells.map(|cell| cell.parse().unwrap_or(0)).collect()
        })
        .collect();
    (!matrix.is_empty()).then_some(matrix)
}

/// The sum of `matrix`'s cells (src, dst) with both in `cores`.
pub fn sum_among(matrix: &[Vec<u64>], cores: &[usize]) -> u64 {
    let among = |core: &usize| cores.contains(core);
    let rows = matrix.iter().enumerate().filter(|(src, _)| among(src));
    rows.flat_map(|(_, row)| row.iter().enumerate().filter(|(dst, _)| among(dst)))
        .map(|(_, cell)| cell)
        .sum()
}

/// The sum of every cell of `matrix`.
pub fn total(matrix: &[Vec<u64>]) -> u64 {
    matrix.iter().flatten().sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATS: &str = "messages (row = from, column = to)\n          0    1    2\n\
                         \x20    0    -    1    2\n     1    4    -    8\n     2   16   32    -\n\
                         bytes (row = from, column = to)\n          0    1    2\n\
                         \x20    0    -    0    0\n     1    0    -    0\n     2    0    0    -\n";

    #[test]
    fn a_table_is_read_with_its_diagonal_as_zero() {
        let m = table(STATS, "messages").unwrap();
        assert_eq!(m, [vec![0, 1, 2], vec![4, 0, 8], vec![16, 32, 0]]);
        assert_eq!(total(&m), 63);
        assert_eq!(sum_among(&m, &[1, 2]), 8 + 32);
        assert_eq!(total(&table(STATS, "bytes").unwrap()), 0);
        assert_eq!(table(STATS, "notifications sent"), None);
    }
}
