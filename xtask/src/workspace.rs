//! Where things are in the ringlab workspace: its root, the cargo target
//! directory, and which packages have which test and bench targets.

use std::env;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::cmd;

/// The workspace root (the parent of `xtask/`).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
}

/// cargo's target directory: `$CARGO_TARGET_DIR` when set (relative to the
/// workspace root if relative), else `target/` in the root.
pub fn target_dir() -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root().join(dir),
        _ => root().join("target"),
    }
}

/// A cargo target of a workspace package, as `cargo metadata` names it.
#[derive(Clone, Copy, Debug)]
pub struct TargetRef {
    /// The package, e.g. `bus`.
    pub package: &'static str,
    /// The target kind: `test`, `bench`, `bin`, `lib`, ...
    pub kind: &'static str,
    /// The target name, e.g. `loom` for `tests/loom.rs`.
    pub name: &'static str,
}

impl TargetRef {
    /// The integration test `tests/NAME.rs` of `package`.
    pub const fn test(package: &'static str, name: &'static str) -> Self {
        Self {
            package,
            kind: "test",
            name,
        }
    }

    /// The bench `benches/NAME.rs` of `package`.
    pub const fn bench(package: &'static str, name: &'static str) -> Self {
        Self {
            package,
            kind: "bench",
            name,
        }
    }
}

impl std::fmt::Display for TargetRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} target `{}` of package `{}`",
            self.kind, self.name, self.package
        )
    }
}

/// The part of `cargo metadata`'s output we read.
#[derive(Deserialize)]
struct Metadata {
    packages: Vec<Package>,
}

/// One workspace package in `cargo metadata`.
#[derive(Deserialize)]
struct Package {
    name: String,
    targets: Vec<Target>,
}

/// One target of a package in `cargo metadata`.
#[derive(Deserialize)]
struct Target {
    name: String,
    kind: Vec<String>,
}

/// Whether the workspace has `target` (asks `cargo metadata` once per process).
pub fn has_target(target: TargetRef) -> Result<bool> {
    static METADATA: OnceLock<Metadata> = OnceLock::new();
    let metadata = match METADATA.get() {
        Some(metadata) => metadata,
        None => {
            let loaded = load_metadata()?;
            METADATA.get_or_init(|| loaded)
        }
    };
    Ok(contains(metadata, target))
}

/// Runs `cargo metadata` for the workspace's own packages.
fn load_metadata() -> Result<Metadata> {
    let json = cmd::stdout(cmd::cargo().args(["metadata", "--no-deps", "--format-version", "1"]))?;
    serde_json::from_str(&json).context("cannot parse `cargo metadata` output")
}

/// Whether `metadata` lists `target`.
fn contains(metadata: &Metadata, target: TargetRef) -> bool {
    metadata
        .packages
        .iter()
        .filter(|package| package.name == target.package)
        .flat_map(|package| &package.targets)
        .any(|t| t.name == target.name && t.kind.iter().any(|kind| kind == target.kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_matches_package_kind_and_name() {
        let json = r#"{"packages": [{"name": "bus", "targets": [
            {"name": "bus", "kind": ["lib"]}, {"name": "loom", "kind": ["test"]}]}]}"#;
        let metadata: Metadata = serde_json::from_str(json).unwrap();
        let loom = TargetRef {
            package: "bus",
            kind: "test",
            name: "loom",
        };
        assert!(contains(&metadata, loom));
        assert!(!contains(
            &metadata,
            TargetRef {
                kind: "bench",
                ..loom
            }
        ));
        assert!(!contains(
            &metadata,
            TargetRef {
                package: "mpi",
                ..loom
            }
        ));
    }

    #[test]
    fn the_workspace_has_this_crates_smoke_tests() {
        let smoke = TargetRef {
            package: "xtask",
            kind: "test",
            name: "smoke",
        };
        assert!(has_target(smoke).unwrap());
        assert!(root().join("Cargo.toml").is_file());
    }
}
