//! The viewer's state between frames: the model, what the user selected
//! (screen, queue, timeline view, filters, scroll, pause), the console pane
//! if there is one, and how far the display trails the reader. Drawing
//! reads it (draw.rs); keys change it (keys.rs, [`App::key`]).

use ratatui::crossterm::event::KeyEvent;
use trace_wire::Level;

use super::keys::{self, Action, Mode};
use super::timeline::TimelineView;
use crate::bus::QueueId;
use crate::console::Console;
use crate::input::Status;
use crate::item::Item;
use crate::model::{Filter, Model};

/// The two screens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    /// Matrix, ring, cores and log.
    Rings,
    /// The timeline and the log.
    Timeline,
}

/// Everything a frame is drawn from.
#[derive(Debug)]
pub struct App {
    /// The screen shown.
    pub screen: Screen,
    /// Where the timeline looks.
    pub timeline: TimelineView,
    /// The console pane's machine, if the viewer started one.
    pub console: Option<Console>,
    /// Whether keys go to the console pane.
    pub console_focus: bool,
    /// The live model, always up to date.
    pub model: Model,
    /// The model as it was when the user paused; drawn instead while set.
    frozen: Option<Box<Model>>,
    /// The queue whose ring is drawn.
    pub queue: QueueId,
    /// The log filter in force.
    pub filter: Filter,
    /// The filter being typed, if any.
    pub editing: Option<String>,
    /// Log lines scrolled back from the newest.
    pub scroll: usize,
    /// What the viewer reads, e.g. "live target/trace.sock".
    pub source: String,
    /// The source's state.
    pub status: Status,
    /// Items the reader has decoded (from its shared counter).
    pub decoded: u64,
    /// Set when the user quits.
    pub quit: bool,
}

impl App {
    /// A fresh app reading `source`; the ring shown is queue 1→0, where a
    /// reduce to core 0 arrives.
    pub fn new(source: String) -> Self {
        Self {
            screen: Screen::Rings,
            timeline: TimelineView::default(),
            console: None,
            console_focus: false,
            model: Model::default(),
            frozen: None,
            queue: QueueId { src: 1, dst: 0 },
            filter: Filter::default(),
            editing: None,
            scroll: 0,
            source,
            status: Status::Waiting(0),
            decoded: 0,
            quit: false,
        }
    }

    /// Applies a batch of items to the live model.
    pub fn apply(&mut self, items: &[Item]) {
        for item in items {
            self.model.apply(item);
        }
    }

    /// The model to draw: frozen while paused.
    pub fn shown(&self) -> &Model {
        self.frozen.as_deref().unwrap_or(&self.model)
    }

    /// Whether the display is paused.
    pub fn paused(&self) -> bool {
        self.frozen.is_some()
    }

    /// Items decoded but not yet applied: how far the display trails.
    pub fn behind(&self) -> u64 {
        self.decoded.saturating_sub(self.model.counts.items)
    }

    /// Items that arrived since the pause.
    pub fn since_pause(&self) -> u64 {
        self.frozen
            .as_ref()
            .map_or(0, |f| self.model.counts.items - f.counts.items)
    }

    /// A fresh app reading `source` with `console` in a pane, which gets
    /// the keys first.
    pub fn with_console(source: String, console: Console) -> Self {
        Self {
            console: Some(console),
            console_focus: true,
            ..Self::new(source)
        }
    }

    /// Takes in what the console's machine wrote, on a console pane sized
    /// for a screen of `screen`.
    pub fn poll_console(&mut self, screen: ratatui::layout::Rect) {
        if let Some(console) = self.console.as_mut() {
            let (rows, cols) = super::draw::console_size(screen);
            console.resize(rows, cols);
            console.poll();
        }
    }

    /// What keys are for now (when they are not the console's).
    pub fn mode(&self) -> Mode {
        match (self.editing.is_some(), self.screen) {
            (true, _) => Mode::Editing,
            (false, Screen::Rings) => Mode::Rings,
            (false, Screen::Timeline) => Mode::Timeline,
        }
    }

    /// A key press: typed into the console while it has the keys and its
    /// machine runs (F2 takes them back), else turned into an action.
    pub fn key(&mut self, key: KeyEvent) {
        let focus = self.console_focus;
        let typing = self
            .console
            .as_mut()
            .filter(|c| focus && c.ended().is_none());
        if let Some(console) = typing {
            match key.code == keys::CONSOLE_KEY {
                true => self.console_focus = false,
                false => console.type_key(key),
            }
            return;
        }
        if let Some(action) = keys::action(key, self.mode()) {
            self.handle(action);
        }
    }

    /// Does what the user asked.
    pub fn handle(&mut self, action: Action) {
        let cores = self.model.core_count();
        match action {
            Action::Quit => self.quit = true,
            Action::Pause => self.toggle_pause(),
            Action::ToggleScreen => {
                self.screen = match self.screen {
                    Screen::Rings => Screen::Timeline,
                    Screen::Timeline => Screen::Rings,
                }
            }
            Action::FocusConsole => self.console_focus = self.console.is_some(),
            Action::Follow => {
                self.scroll = 0;
                self.timeline.follow();
            }
            Action::SrcNext => self.queue.src = step(self.queue.src, self.queue.dst, cores, true),
            Action::SrcPrev => self.queue.src = step(self.queue.src, self.queue.dst, cores, false),
            Action::DstNext => self.queue.dst = step(self.queue.dst, self.queue.src, cores, true),
            Action::DstPrev => self.queue.dst = step(self.queue.dst, self.queue.src, cores, false),
            Action::CoreNext => self.filter.core = next_core(self.filter.core, cores),
            Action::LevelNext => self.filter.min_level = next_level(self.filter.min_level),
            Action::ClearFilters => self.filter = Filter::default(),
            Action::ScrollBack(n) => self.scroll = self.scroll.saturating_add(n),
            Action::ScrollForward(n) => self.scroll = self.scroll.saturating_sub(n),
            timeline @ (Action::Scroll(_)
            | Action::ZoomIn
            | Action::ZoomOut
            | Action::Fit
            | Action::MessageNext
            | Action::MessagePrev) => self.timeline_action(timeline),
            edit => self.edit(edit),
        }
    }

    /// The timeline's actions, on the model shown.
    fn timeline_action(&mut self, action: Action) {
        let m = self.frozen.as_deref().unwrap_or(&self.model);
        let view = &mut self.timeline;
        match action {
            Action::Scroll(cols) => view.scroll(m, cols),
            Action::ZoomIn => view.zoom(m, true),
            Action::ZoomOut => view.zoom(m, false),
            Action::Fit => view.fit(m),
            Action::MessageNext => view.select(m, true),
            Action::MessagePrev => view.select(m, false),
            _ => {}
        }
    }

    /// The filter-typing actions.
    fn edit(&mut self, action: Action) {
        match action {
            Action::FilterStart => self.editing = Some(self.filter.text.clone()),
            Action::FilterChar(c) => self.editing.get_or_insert_with(String::new).push(c),
            Action::FilterBackspace => {
                self.editing.as_mut().map(String::pop);
            }
            Action::FilterApply => {
                self.filter.text = self.editing.take().unwrap_or_default();
                self.scroll = 0;
            }
            Action::FilterCancel => self.editing = None,
            _ => {}
        }
    }

    /// Freezes the display, or unfreezes it.
    fn toggle_pause(&mut self) {
        self.frozen = match self.frozen.take() {
            Some(_) => None,
            None => Some(Box::new(self.model.clone())),
        };
    }
}

/// The next (or previous) core after `from` among `cores`, skipping `not`.
fn step(from: u16, not: u16, cores: u16, forward: bool) -> u16 {
    let n = cores.max(2);
    let mut c = from;
    for _ in 0..n {
        c = if forward {
            (c + 1) % n
        } else {
            (c + n - 1) % n
        };
        if c != not {
            return c;
        }
    }
    from
}

/// All cores → core 0 → … → last core → all cores.
fn next_core(current: Option<u16>, cores: u16) -> Option<u16> {
    match current {
        None => Some(0),
        Some(c) if c + 1 < cores => Some(c + 1),
        Some(_) => None,
    }
}

/// TRACE → DEBUG → … → ERROR → TRACE.
fn next_level(l: Level) -> Level {
    let i = Level::ALL.iter().position(|&x| x == l).unwrap_or(0);
    Level::ALL[(i + 1) % Level::ALL.len()]
}
