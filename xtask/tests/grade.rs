//! Tests of the labs' autograder: every lab gets full marks on the reference
//! kernel; each lab's student version fails all of that lab's checks and
//! passes every lab that does not build on it; the handouts match the grader.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;

use xtask::grade::doc::grading_table;
use xtask::grade::lab::Lab;
use xtask::grade::report::Report;
use xtask::grade::{LABS, Options, find, grade};
use xtask::harness::kernel_elf;
use xtask::kernel::{self, Profile};
use xtask::workspace;

/// Grades `labs` on `elf`, in parallel (the harness runs at most two QEMUs
/// at once), each recording its trace under target/grade-tests/`tag`/.
fn grade_all(labs: &[&'static Lab], elf: &Path, tag: &str) -> Vec<Report> {
    let options = Options {
        elf: elf.to_path_buf(),
        student: tag != "reference",
        work_dir: workspace::target_dir().join("grade-tests").join(tag),
    };
    thread::scope(|scope| {
        let graders: Vec<_> = labs
            .iter()
            .map(|&lab| scope.spawn(|| grade(lab, &options)))
            .collect();
        graders.into_iter().map(|g| g.join().unwrap()).collect()
    })
}

/// Fails with the whole table unless `report` has full marks.
fn assert_full_marks(report: &Report, kernel: &str) {
    assert!(
        report.full_marks(),
        "lab {} should get full marks on {kernel}:\n{report}",
        report.lab
    );
}

#[test]
fn every_lab_gets_full_marks_on_the_reference() {
    for report in grade_all(&LABS, kernel_elf(), "reference") {
        assert_full_marks(&report, "the reference kernel");
    }
}

/// Builds `lab`'s student version, then grades it and every lab that does
/// not build on it: the lab must fail every check, the others none.
fn student_version_fails_only(name: &str) {
    let lab = find(name).expect("a lab by that name");
    let elf: PathBuf = kernel::build_with_features(Profile::Release, &[lab.feature])
        .unwrap_or_else(|err| panic!("cannot build {}: {err:#}", lab.feature));
    let others = LABS
        .iter()
        .copied()
        .filter(|other| other.name != lab.name && !other.builds_on(lab));
    let labs: Vec<&Lab> = std::iter::once(lab).chain(others).collect();
    let reports = grade_all(&labs, &elf, lab.feature);
    let own = &reports[0];
    let passed: Vec<&str> = own
        .checks
        .iter()
        .filter(|c| c.passed)
        .map(|c| c.name.as_str())
        .collect();
    assert!(
        passed.is_empty(),
        "{} should fail every check of lab {name}, but these passed: {passed:?}\n{own}",
        lab.feature
    );
    for report in &reports[1..] {
        assert_full_marks(report, &format!("the {} student version", lab.feature));
    }
}

#[test]
fn student_version_of_lab_1_fails_only_lab_1() {
    student_version_fails_only("shell");
}

#[test]
fn student_version_of_lab_2_fails_only_lab_2_and_the_labs_on_top() {
    student_version_fails_only("ring");
}

#[test]
fn student_version_of_lab_3_fails_only_lab_3() {
    student_version_fails_only("latency");
}

#[test]
fn student_version_of_lab_4_fails_only_lab_4() {
    student_version_fails_only("reduce");
}

#[test]
fn student_version_of_lab_5_fails_only_lab_5() {
    student_version_fails_only("trace");
}

#[test]
fn every_handout_table_matches_the_graders_checks() {
    for lab in LABS {
        let path = workspace::root().join(lab.doc());
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
        let table = grading_table(&text)
            .unwrap_or_else(|| panic!("{} has no `## Grading` section", lab.doc()));
        let checks: Vec<(String, u32)> = lab
            .checks
            .iter()
            .map(|c| (c.name.to_string(), c.points))
            .collect();
        assert_eq!(table.rows, checks, "the grading table of {}", lab.doc());
        assert_eq!(
            table.total,
            Some(lab.max_points()),
            "the total of {}",
            lab.doc()
        );
    }
}

#[test]
fn the_course_readme_lists_every_lab_with_its_points() {
    let readme = std::fs::read_to_string(workspace::root().join("docs/labs/README.md")).unwrap();
    for lab in LABS {
        let row = format!(
            "| {} | [{}]({}-{}.md) | {} | `{}` | {} |",
            lab.number,
            lab.title,
            lab.number,
            lab.name,
            lab.name,
            lab.feature,
            lab.max_points()
        );
        assert!(
            readme.contains(&row),
            "docs/labs/README.md lacks the row\n{row}"
        );
    }
}

#[test]
fn every_student_feature_is_a_kernel_feature_and_labs_build_on_known_labs() {
    let manifest = std::fs::read_to_string(workspace::root().join("kernel/Cargo.toml")).unwrap();
    for lab in LABS {
        let declared = format!("\n{} = [", lab.feature);
        assert!(
            manifest.contains(&declared),
            "kernel/Cargo.toml lacks {}",
            lab.feature
        );
        for need in lab.needs {
            assert!(
                find(need).is_some(),
                "lab {} needs an unknown lab {need}",
                lab.name
            );
        }
    }
}

#[test]
fn the_cli_lists_the_labs_and_grades_one_as_json() {
    let xtask = env!("CARGO_BIN_EXE_xtask");
    let list = Command::new(xtask)
        .args(["grade", "--list", "--json"])
        .output()
        .unwrap();
    assert!(list.status.success(), "{list:?}");
    let labs: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let names: Vec<&str> = labs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["lab"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["shell", "ring", "latency", "reduce", "trace"]);
    let graded = Command::new(xtask)
        .args(["grade", "1", "--json"])
        .current_dir(workspace::root())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&graded.stdout);
    assert!(
        graded.status.success(),
        "exit {:?}\n{stdout}",
        graded.status
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["lab"], "shell");
    assert_eq!(report["total"], report["max"]);
    for check in report["checks"].as_array().unwrap() {
        assert!(
            check["name"].is_string() && check["points"].is_u64(),
            "{check}"
        );
        assert_eq!(check["passed"], true, "{check}");
        assert!(check["detail"].is_string(), "{check}");
    }
}
