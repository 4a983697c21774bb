//! trace-viewer: will decode the kernel's trace stream (COM2), draw ring
//! traffic live and export it to Perfetto. Not built yet; see README.md.

fn main() {
    eprintln!("trace-viewer: not implemented yet (see trace-viewer/README.md)");
    std::process::exit(2);
}
