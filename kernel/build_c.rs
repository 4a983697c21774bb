//! Build script part: compiles every `programs/c/NAME.c` with clang for the
//! kernel's ABI (soft float) and links it with programs/c/libc into a
//! position-independent image; writes the table that embeds them (docs/c-programs.md).

use std::path::{Path, PathBuf};
use std::process::Command;

/// clang's flags: the kernel's ABI (no SSE, soft float, no red zone), PIC;
/// a frame bigger than a page probes each page as it grows, so a large
/// local array meets the stack's guard page instead of jumping past it into
/// memory below (another core's stack). (The driver drops
/// `-fstack-clash-protection` for an OS-less target; the compiler proper
/// takes it.)
const CFLAGS: &[&str] = &[
    "-Xclang",
    "-fstack-clash-protection",
    "--target=x86_64-unknown-none",
    "-ffreestanding",
    "-msoft-float",
    "-mno-sse",
    "-mno-sse2",
    "-mno-mmx",
    "-mno-80387",
    "-mno-red-zone",
    "-fPIC",
    "-fno-stack-protector",
    "-O2",
    "-Wall",
];

/// Builds every image and writes `c_programs.rs` into OUT_DIR.
pub fn build() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let c_dir = manifest.join("../programs/c");
    println!("cargo:rerun-if-changed={}", c_dir.display());
    let libc: Vec<PathBuf> = c_files(&c_dir.join("libc"))
        .iter()
        .map(|source| compile(source, &c_dir, &out))
        .collect();
    let mut table = String::from("&[\n");
    for source in c_files(&c_dir) {
        let name = source
            .file_stem()
            .expect("a .c file")
            .to_string_lossy()
            .into_owned();
        let shown = format!("programs/c/{name}.c");
        if let Err(clash) = crate::build_names::check(&shown, &name) {
            panic!("{clash}");
        }
        let mut objects = vec![compile(&source, &c_dir, &out)];
        objects.extend(libc.iter().cloned());
        let image = out.join(format!("{name}.so"));
        link(&objects, &image);
        table.push_str(&entry(&name, &summary(&source), &image));
    }
    table.push(']');
    std::fs::write(out.join("c_programs.rs"), table).expect("OUT_DIR is writable");
}

/// The `.c` files directly in `dir`, sorted.
fn c_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "c"))
        .collect();
    files.sort();
    files
}

/// Compiles `source` into OUT_DIR; returns the object's path.
fn compile(source: &Path, c_dir: &Path, out: &Path) -> PathBuf {
    let parent = source
        .parent()
        .and_then(Path::file_name)
        .expect("in a directory");
    let object = out.join(format!(
        "{}-{}.o",
        parent.to_string_lossy(),
        source.file_stem().expect("a .c file").to_string_lossy()
    ));
    let include = c_dir.join("include");
    run(Command::new(clang())
        .args(CFLAGS)
        .arg("-I")
        .arg(&include)
        .arg("-c")
        .arg(source)
        .arg("-o")
        .arg(&object));
    object
}

/// Links `objects` into a shared object whose only unresolved symbols are
/// the kernel's exports (bound at load time, docs/c-programs.md).
fn link(objects: &[PathBuf], image: &Path) {
    run(Command::new(rust_lld())
        .args([
            "-flavor",
            "gnu",
            "-shared",
            "-Bsymbolic",
            "-z",
            "now",
            "--hash-style=gnu",
        ])
        .args(["--entry", "__ringlab_start", "-o"])
        .arg(image)
        .args(objects));
}

/// The program's one-line summary: its first line, a `//` comment.
fn summary(source: &Path) -> String {
    let text = std::fs::read_to_string(source).expect("a readable .c file");
    let first = text.lines().next().unwrap_or_default();
    match first.strip_prefix("//") {
        Some(summary) => summary.trim().to_string(),
        None => panic!("{}: the first line must be a // summary", source.display()),
    }
}

/// One `Program` entry of the generated table.
fn entry(name: &str, summary: &str, image: &Path) -> String {
    format!(
        "    Program {{ name: {name:?}, summary: {summary:?}, usage: \"{name} [args...]\", \
         source: \"programs/c/{name}.c\", check: accept_any, \
         main: |instance| {{ static IMAGE: &Aligned<[u8]> = &Aligned(*include_bytes!({image:?})); \
         run_image({name:?}, &IMAGE.0, instance) }} }},\n",
        image = image.display().to_string()
    )
}

fn clang() -> String {
    std::env::var("RINGLAB_CLANG").unwrap_or_else(|_| "clang".to_string())
}

/// The linker Rust ships (rust-lld in the toolchain's sysroot).
fn rust_lld() -> PathBuf {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let sysroot = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .expect("rustc runs");
    let sysroot = String::from_utf8(sysroot.stdout).expect("a UTF-8 path");
    let host = std::env::var("HOST").expect("cargo sets HOST");
    PathBuf::from(sysroot.trim()).join(format!("lib/rustlib/{host}/bin/rust-lld"))
}

fn run(command: &mut Command) {
    let status = command.status().unwrap_or_else(|e| {
        panic!(
            "cannot start {:?} ({e}); `cargo xtask build` installs clang (as root) or says how",
            command.get_program()
        )
    });
    assert!(status.success(), "{command:?} failed");
}
