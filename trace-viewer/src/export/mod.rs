//! `trace-viewer export`: a recorded trace as a timeline (timeline.rs), with
//! messages matched into flows (flows.rs), written as Chrome JSON
//! (chrome.rs) or native Perfetto protobuf (perfetto.rs, proto.rs).

pub mod chrome;
pub mod flows;
pub mod perfetto;
pub mod proto;
pub mod timeline;

pub use timeline::{Entry, FlowEnd, Mark, Notes, Timeline};

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Perfetto's protobuf TrackEvent format.
    Perfetto,
    /// Chrome's Trace Event JSON format.
    ChromeJson,
}

/// The bytes of `t` in `format`.
pub fn render(t: &Timeline, format: Format) -> Vec<u8> {
    match format {
        Format::Perfetto => perfetto::encode(t),
        Format::ChromeJson => chrome::document(t).to_string().into_bytes(),
    }
}
