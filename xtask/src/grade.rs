//! `cargo xtask grade`: the labs' autograder (docs/labs/README.md). Boots
//! the kernel (or a lab's student version), runs the lab's checks on the
//! serial console and the trace stream, and prints points or JSON.

pub mod doc;
pub mod host;
pub mod lab;
mod labs;
pub mod report;
pub mod session;
pub mod trace;

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Result, bail};
use clap::Args;

use crate::{kernel, setup, workspace};
use lab::{Lab, Miss};
use report::{CheckResult, Report, failure_detail, json_of_all};
use session::Session;

/// Every lab, in course order.
pub static LABS: [&Lab; 7] = [
    &labs::shell::LAB,
    &labs::ring::LAB,
    &labs::latency::LAB,
    &labs::reduce::LAB,
    &labs::trace::LAB,
    &labs::spmd::LAB,
    &labs::notify::LAB,
];

/// The lab called `name`, or numbered `name`.
pub fn find(name: &str) -> Option<&'static Lab> {
    LABS.iter()
        .copied()
        .find(|lab| lab.name == name || lab.number.to_string() == name)
}

/// What to grade a lab on.
#[derive(Clone, Debug)]
pub struct Options {
    /// The kernel ELF to boot; for a host lab, the program runner
    /// ([`host::build_runner`]).
    pub elf: PathBuf,
    /// Whether `elf` is a student version (only said in the report).
    pub student: bool,
    /// Where the trace recordings go, as `<lab>.trace`.
    pub work_dir: PathBuf,
}

/// Boots `options.elf` once for `lab`, runs every check in order and
/// returns the points. Never fails: a kernel that does not boot, hangs or
/// crashes fails the checks it spoils, with the reason.
pub fn grade(lab: &Lab, options: &Options) -> Report {
    let trace_file = lab.machine.trace.then(|| {
        let _ = std::fs::create_dir_all(&options.work_dir);
        options.work_dir.join(format!("{}.trace", lab.name))
    });
    let mut session = match lab.machine.host {
        true => Session::host(&options.elf),
        false => Session::boot(&options.elf, lab.machine, trace_file),
    };
    let mut report = Report::new(lab, options.student);
    for check in lab.checks {
        let start = Instant::now();
        // A check panics only if QEMU vanished under the harness; that
        // fails this check and, with the machine gone, the ones after it.
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| (check.run)(&mut session)))
            .unwrap_or_else(|cause| {
                let why = format!("the grader lost the machine: {}", panic_text(&*cause));
                session.abandon(&why);
                Err(Miss::new(why))
            });
        let transcript = session.take_transcript();
        let (passed, detail) = match outcome {
            Ok(note) => (true, note),
            Err(miss) => (false, failure_detail(&miss.why, &miss.lines, &transcript)),
        };
        report.push(CheckResult {
            name: check.name.into(),
            points: check.points,
            passed,
            detail,
            seconds: start.elapsed().as_secs_f64(),
        });
    }
    report
}

/// The message of a caught panic.
fn panic_text(cause: &(dyn Any + Send)) -> &str {
    match (cause.downcast_ref::<String>(), cause.downcast_ref::<&str>()) {
        (Some(text), _) => text,
        (None, Some(text)) => text,
        (None, None) => "a panic",
    }
}

/// Grade a lab: boot QEMU, run the lab's checks, print the points
/// (docs/labs/README.md).
#[derive(Debug, Args)]
pub struct Grade {
    /// The lab, by number or name (see --list), or `all`.
    #[arg(required_unless_present = "list")]
    pub lab: Option<String>,
    /// List the labs and their points instead of grading; with a lab, its
    /// checks and the points of each.
    #[arg(long)]
    pub list: bool,
    /// Grade the lab's student version: the kernel built with its feature.
    #[arg(long)]
    pub student: bool,
    /// Print JSON on stdout (for a course's grading server) instead of the table.
    #[arg(long)]
    pub json: bool,
}

impl Grade {
    /// Lists, or builds and grades; exits 0 only on full marks.
    pub fn run(self) -> Result<ExitCode> {
        let name = self.lab.as_deref().unwrap_or("all");
        let chosen: Vec<&Lab> = match (name, find(name)) {
            ("all", _) => LABS.to_vec(),
            (_, Some(lab)) => vec![lab],
            (_, None) => bail!("no lab called {name:?}; `cargo xtask grade --list` lists them"),
        };
        if self.list {
            match chosen[..] {
                [lab] => self.print_checks(lab),
                _ => self.print_list(),
            }
            return Ok(ExitCode::SUCCESS);
        }
        setup::ensure()?;
        let mut reports = Vec::new();
        for lab in chosen {
            let options = Options {
                elf: self.kernel_for(lab)?,
                student: self.student,
                work_dir: workspace::target_dir().join("grade"),
            };
            let report = grade(lab, &options);
            if !self.json {
                println!("{report}");
            }
            reports.push(report);
        }
        self.print_summary(&reports)?;
        let full = reports.iter().all(Report::full_marks);
        Ok(if full {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        })
    }

    /// Builds the kernel to grade `lab` on: the student version with
    /// `--student`, else the kernel as `cargo xtask build` makes it. A host
    /// lab gets the program runner, built the same two ways.
    fn kernel_for(&self, lab: &Lab) -> Result<PathBuf> {
        if lab.machine.host {
            host::build_runner(self.student.then_some(lab.feature))
        } else if self.student {
            kernel::build_with_features(kernel::Profile::Release, &[lab.feature])
        } else {
            kernel::build(kernel::Profile::Release)
        }
    }

    /// After the tables: the JSON (all of the output with `--json`), or the
    /// course total when several labs were graded.
    fn print_summary(&self, reports: &[Report]) -> Result<()> {
        if self.json {
            let json = match reports {
                [one] => serde_json::to_value(one)?,
                all => json_of_all(all),
            };
            println!("{}", serde_json::to_string_pretty(&json)?);
        } else if reports.len() > 1 {
            let total: u32 = reports.iter().map(|r| r.total).sum();
            let max: u32 = reports.iter().map(|r| r.max).sum();
            println!("Total: {total}/{max}");
        }
        Ok(())
    }

    /// `--list`: a line per lab, or JSON.
    fn print_list(&self) {
        if self.json {
            let labs: Vec<serde_json::Value> = LABS
                .iter()
                .map(|lab| {
                    serde_json::json!({
                        "lab": lab.name, "number": lab.number, "title": lab.title,
                        "max": lab.max_points(), "feature": lab.feature, "removes": lab.removes,
                        "needs": lab.needs, "doc": lab.doc(),
                    })
                })
                .collect();
            println!("{}", serde_json::Value::Array(labs));
            return;
        }
        println!("{}", list_table());
    }

    /// `LAB --list`: the lab's checks and their points, or JSON.
    fn print_checks(&self, lab: &Lab) {
        if self.json {
            let checks: Vec<serde_json::Value> = lab
                .checks
                .iter()
                .map(|check| serde_json::json!({ "name": check.name, "points": check.points }))
                .collect();
            let json = serde_json::json!({
                "lab": lab.name, "number": lab.number, "title": lab.title,
                "max": lab.max_points(), "checks": checks,
            });
            println!("{json}");
            return;
        }
        println!("{}", checks_table(lab));
    }
}

/// `cargo xtask grade LAB --list`: the lab's title and handout, each check
/// with its points, in the order they run, and the total.
pub fn checks_table(lab: &Lab) -> String {
    let mut text = format!(
        "lab {} {}: {} ({})\n",
        lab.number,
        lab.name,
        lab.title,
        lab.doc()
    );
    text.push_str("points  check\n");
    for check in lab.checks {
        text.push_str(&format!("{:>6}  {}\n", check.points, check.name));
    }
    text.push_str(&format!("{:>6}  total", lab.max_points()));
    text
}

/// `cargo xtask grade --list`: number, name, points, title and handout of
/// every lab, then the course's total.
pub fn list_table() -> String {
    let mut text = String::from(" #  lab       points  title\n");
    for lab in LABS {
        text.push_str(&format!(
            "{:>2}  {:<9} {:>6}  {} ({})\n",
            lab.number,
            lab.name,
            lab.max_points(),
            lab.title,
            lab.doc()
        ));
    }
    let total: u32 = LABS.iter().map(|lab| lab.max_points()).sum();
    text.push_str(&format!("    total     {total:>6}"));
    text
}
