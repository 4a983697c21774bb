//! Tests of the labs' autograder: every lab gets full marks on the reference
//! kernel (a host lab: the reference program runner); each lab's student
//! version fails all of that lab's checks and passes every lab that does not
//! build on it; the handouts match the grader.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;

use xtask::grade::doc::grading_table;
use xtask::grade::host::build_runner;
use xtask::grade::lab::Lab;
use xtask::grade::report::Report;
use xtask::grade::{LABS, Options, find, grade};
use xtask::harness::kernel_elf;
use xtask::kernel::{self, Profile};
use xtask::workspace;

/// Grades `labs` on `elf`, in parallel (the harness runs at most two QEMUs
/// at once), each recording its trace under target/grade-tests/`tag`/.
/// Host labs run on the program runner instead, built as `tag` says.
fn grade_all(labs: &[&'static Lab], elf: &Path, tag: &str) -> Vec<Report> {
    let options = Options {
        elf: elf.to_path_buf(),
        student: tag != "reference",
        work_dir: workspace::target_dir().join("grade-tests").join(tag),
    };
    // A kernel lab's student version leaves the programs as they are.
    let student_programs = LABS.iter().any(|l| l.machine.host && l.feature == tag);
    let runner = labs.iter().any(|l| l.machine.host).then(|| Options {
        elf: build_runner(student_programs.then_some(tag)).expect("the program runner builds"),
        ..options.clone()
    });
    thread::scope(|scope| {
        let graders: Vec<_> = labs
            .iter()
            .map(|&lab| {
                let options = match &runner {
                    Some(runner) if lab.machine.host => runner,
                    _ => &options,
                };
                scope.spawn(move || grade(lab, options))
            })
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

/// Fails unless every check of `report` (graded on `feature`) failed.
fn assert_fails_every_check(report: &Report, feature: &str) {
    let passed: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| c.passed)
        .map(|c| c.name.as_str())
        .collect();
    assert!(
        passed.is_empty(),
        "{feature} should fail every check of lab {}, but these passed: {passed:?}\n{report}",
        report.lab
    );
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
    assert_fails_every_check(&reports[0], lab.feature);
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
fn student_version_of_lab_7_fails_only_lab_7() {
    student_version_fails_only("notify");
}

/// Lab 6 alone, on the reference runner: no QEMU, so it runs in seconds.
#[test]
fn lab_6_gets_full_marks_on_the_reference_runner() {
    let report = &grade_all(
        &[find("spmd").unwrap()],
        Path::new("(no kernel)"),
        "reference",
    )[0];
    assert_full_marks(report, "the reference program runner");
}

/// Lab 6's student version is a feature of `programs`, not of the kernel:
/// it changes only the program runner, so only lab 6 is graded on it.
#[test]
fn student_version_of_lab_6_fails_lab_6() {
    let lab = find("spmd").unwrap();
    // No kernel lab is graded here, so no kernel is needed.
    let own = &grade_all(&[lab], Path::new("(no kernel)"), lab.feature)[0];
    assert_fails_every_check(own, lab.feature);
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
    let read = |path: &str| std::fs::read_to_string(workspace::root().join(path)).unwrap();
    for lab in LABS {
        // A host lab's student version is a feature of the programs crate.
        let crate_manifest = if lab.machine.host {
            "programs/Cargo.toml"
        } else {
            "kernel/Cargo.toml"
        };
        let declared = format!("\n{} = [", lab.feature);
        assert!(
            read(crate_manifest).contains(&declared),
            "{crate_manifest} lacks {}",
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
    assert_eq!(
        names,
        [
            "shell", "ring", "latency", "reduce", "trace", "spmd", "notify"
        ]
    );
    // With a lab, --list lists its checks (it used to list every lab).
    let checks = Command::new(xtask)
        .args(["grade", "ring", "--list"])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&checks.stdout);
    assert!(checks.status.success(), "{checks:?}");
    let ring = xtask::grade::find("ring").unwrap();
    assert!(table.starts_with("lab 2 ring: "), "{table}");
    for check in ring.checks {
        let line = format!("{:>6}  {}", check.points, check.name);
        assert!(
            table.lines().any(|l| l == line),
            "{line:?} missing:\n{table}"
        );
    }
    let total = format!("{:>6}  total", ring.max_points());
    assert_eq!(table.lines().last(), Some(total.as_str()), "{table}");
    let json = Command::new(xtask)
        .args(["grade", "ring", "--list", "--json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["lab"], "ring");
    assert_eq!(json["checks"].as_array().unwrap().len(), ring.checks.len());
    let unknown = Command::new(xtask)
        .args(["grade", "nosuch", "--list"])
        .output()
        .unwrap();
    assert!(!unknown.status.success(), "{unknown:?}");
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no lab called \"nosuch\""));
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
