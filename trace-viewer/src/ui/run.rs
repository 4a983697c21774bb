//! The terminal loop: take what the reader sent (within a time budget),
//! draw, handle keys. The only part of the UI that touches a real terminal;
//! everything it calls is tested on ratatui's TestBackend.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::mpsc::TryRecvError;
use std::time::{Duration, Instant};

use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{self, Event, KeyEventKind};

use super::app::App;
use super::draw::draw;
use crate::input::{Feed, Msg};

/// Longest time spent applying items between two frames.
const APPLY_BUDGET: Duration = Duration::from_millis(25);
/// How long to wait for a key before drawing again (about 30 frames/s).
const FRAME: Duration = Duration::from_millis(33);

/// Runs the UI on the real terminal until the user quits.
pub fn run(feed: &Feed, source: String) -> anyhow::Result<()> {
    run_app(feed, App::new(source))
}

/// Runs `app` (which may hold a console pane) on the real terminal until
/// the user quits; the console's machine ends with it.
pub fn run_app(feed: &Feed, mut app: App) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "the viewer draws in a terminal and reads its keys, but stdin or stdout is not one; \
             run it in a terminal (`stats` and `export` read a recorded file without one)"
        );
    }
    let mut terminal =
        ratatui::try_init().map_err(|e| anyhow::anyhow!("cannot take over the terminal: {e}"))?;
    let result = event_loop(&mut terminal, feed, &mut app);
    ratatui::restore();
    result
}

/// Frames until quit.
fn event_loop(terminal: &mut DefaultTerminal, feed: &Feed, app: &mut App) -> anyhow::Result<()> {
    while !app.quit {
        take(app, feed, APPLY_BUDGET);
        let size = terminal.size()?;
        app.poll_console(ratatui::layout::Rect::new(0, 0, size.width, size.height));
        terminal.draw(|f| draw(f, app))?;
        if event::poll(FRAME)?
            && let Event::Key(key) = event::read()?
            && key.kind == KeyEventKind::Press
        {
            app.key(key);
        }
        feed.shared.paused.store(app.paused(), Relaxed);
    }
    Ok(())
}

/// Applies what the reader sent, for at most `budget`. What is left stays
/// in the channel and shows as "behind by N events".
pub fn take(app: &mut App, feed: &Feed, budget: Duration) {
    let start = Instant::now();
    while start.elapsed() < budget {
        match feed.rx.try_recv() {
            Ok(Msg::Items(batch)) => app.apply(&batch),
            Ok(Msg::Status(s)) => app.status = s,
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
        }
    }
    app.decoded = feed.shared.decoded.load(Relaxed);
}
