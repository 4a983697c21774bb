//! The terminal UI: state (app.rs), keys (keys.rs), one file per panel
//! (matrix, ring, cores, log, status, timeline, console), the frame layout
//! (draw.rs) and the terminal loop (run.rs).

pub mod app;
mod console;
mod cores;
pub mod draw;
pub mod keys;
mod log;
mod matrix;
mod ring;
pub mod run;
mod status;
pub mod timeline;

pub use app::{App, Screen};
pub use draw::draw;
pub use keys::{Action, Mode};
pub use timeline::TimelineView;
