//! The terminal UI: state (app.rs), keys (keys.rs), one file per panel
//! (matrix, ring, cores, log, status), the frame layout (draw.rs) and the
//! terminal loop (run.rs).

pub mod app;
mod cores;
pub mod draw;
pub mod keys;
mod log;
mod matrix;
mod ring;
pub mod run;
mod status;

pub use app::App;
pub use draw::draw;
pub use keys::Action;
