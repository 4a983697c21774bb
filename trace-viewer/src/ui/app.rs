//! The viewer's state between frames: the model, what the user selected
//! (queue, filters, scroll, pause) and how far the display trails the
//! reader. Drawing reads it (draw.rs); keys change it (keys.rs).

use trace_wire::Level;

use super::keys::Action;
use crate::bus::QueueId;
use crate::input::Status;
use crate::item::Item;
use crate::model::{Filter, Model};

/// Everything a frame is drawn from.
#[derive(Debug)]
pub struct App {
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

    /// Does what the user asked.
    pub fn handle(&mut self, action: Action) {
        let cores = self.model.core_count();
        match action {
            Action::Quit => self.quit = true,
            Action::Pause => self.toggle_pause(),
            Action::SrcNext => self.queue.src = step(self.queue.src, self.queue.dst, cores, true),
            Action::SrcPrev => self.queue.src = step(self.queue.src, self.queue.dst, cores, false),
            Action::DstNext => self.queue.dst = step(self.queue.dst, self.queue.src, cores, true),
            Action::DstPrev => self.queue.dst = step(self.queue.dst, self.queue.src, cores, false),
            Action::CoreNext => self.filter.core = next_core(self.filter.core, cores),
            Action::LevelNext => self.filter.min_level = next_level(self.filter.min_level),
            Action::ClearFilters => self.filter = Filter::default(),
            Action::ScrollBack(n) => self.scroll = self.scroll.saturating_add(n),
            Action::ScrollForward(n) => self.scroll = self.scroll.saturating_sub(n),
            Action::Follow => self.scroll = 0,
            edit => self.edit(edit),
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
