//! Helpers shared by the viewer's integration tests: synthetic traces as
//! bytes and items, and a screen rendered on ratatui's TestBackend as text.

#![allow(dead_code)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use trace_viewer::item::{Item, decode_all};
use trace_viewer::synth;
use trace_viewer::ui::{App, draw};
use trace_wire::RecordBuf;

/// The records of a linear reduce on 4 cores.
pub fn reduce_records() -> Vec<RecordBuf> {
    synth::linear_reduce_trace(4)
}

/// The bytes of a linear reduce on 4 cores.
pub fn reduce_bytes() -> Vec<u8> {
    synth::encode(&reduce_records()).expect("synthetic records encode")
}

/// The decoded items of a linear reduce on 4 cores.
pub fn reduce_items() -> Vec<Item> {
    decode_all(&reduce_bytes())
}

/// `app` drawn on a `width`×`height` test terminal, one string per row.
pub fn screen(app: &App, width: u16, height: u16) -> Vec<String> {
    let mut term = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    term.draw(|f| draw(f, app)).expect("draw");
    let buf = term.backend().buffer().clone();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect()
}

/// The first row containing `needle`.
pub fn row_with<'a>(screen: &'a [String], needle: &str) -> &'a str {
    screen
        .iter()
        .find(|r| r.contains(needle))
        .unwrap_or_else(|| panic!("no row contains {needle:?}:\n{}", screen.join("\n")))
}
