//! [`Mpi`]: one core's MPI library instance — its transport, its links to the
//! other cores, its unexpected-message queue and its abort check.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;

use crate::error::Error;
use crate::hang::{Blocked, WaitHook};
use crate::inbox::Inbox;
use crate::link::Link;
use crate::request::Posted;
use crate::transport::{Transport, TransportError};
use crate::wire::HEADER_LEN;

/// The abort check: `true` stops every blocking call with [`Error::Aborted`].
pub type AbortCheck = Box<dyn Fn() -> bool + Send>;

/// One core's MPI: every call of this crate goes through it.
///
/// Make one per core (per rank) around that core's [`Transport`]; it is not
/// shared between cores, so it needs no locks. Communicators ([`Comm`]) are
/// plain values made from it; point-to-point calls and collectives are its
/// methods and take the communicator, as MPI's C functions do.
///
/// # Blocking and abort
///
/// A blocking call loops: try to send the next fragment, else move one
/// arrived frame into the inbox, else ask the abort check and
/// [`pause`](Transport::pause). When the check returns `true` the call
/// returns [`Error::Aborted`] at once, on every core that is waiting; a call
/// that never has to wait completes. See docs/mpi.md, "Abort".
///
/// [`Comm`]: crate::Comm
pub struct Mpi<T: Transport> {
    /// The link to the other cores.
    pub(crate) transport: T,
    /// This core's id.
    pub(crate) core: usize,
    /// Payload bytes per fragment: `max_message - HEADER_LEN`.
    pub(crate) chunk: usize,
    /// The outgoing frame being built (header + payload).
    pub(crate) frame_out: Vec<u8>,
    /// The incoming frame buffer, `max_message` bytes.
    pub(crate) frame_in: Vec<u8>,
    /// Per peer core: sequence numbers and reassembly.
    pub(crate) links: Vec<Link>,
    /// Whole messages not yet received (the unexpected-message queue).
    pub(crate) inbox: Inbox,
    /// Contexts whose late messages are dropped on arrival ([`Mpi::retire`]).
    pub(crate) retired: Vec<u16>,
    /// Next context id [`Mpi::create`](crate::Mpi::create) may propose.
    pub(crate) next_agreed: u16,
    /// Receives posted by `irecv` and not yet completed, in posting order.
    pub(crate) posted: Vec<Posted>,
    /// The next request's number.
    pub(crate) next_request: u64,
    /// Asked at each idle turn of a blocking call.
    abort: Option<AbortCheck>,
    /// Told what this rank is blocked on, and when it moves again.
    wait_hook: Option<WaitHook>,
    /// Whether the hook was last told "blocked".
    told_blocked: bool,
}

impl<T: Transport> Mpi<T> {
    /// MPI over `transport`. Fails if the transport's core id is out of
    /// range or its `max_message` leaves no room for a payload byte.
    pub fn new(transport: T) -> Result<Self, Error> {
        let (core, cores, max) = (transport.core(), transport.cores(), transport.max_message());
        if core >= cores {
            return Err(Error::InvalidCore { core, cores });
        }
        if max <= HEADER_LEN {
            return Err(Error::Transport(TransportError::new(
                "max_message leaves no room for a payload",
            )));
        }
        Ok(Self {
            transport,
            core,
            chunk: max - HEADER_LEN,
            frame_out: Vec::with_capacity(max),
            frame_in: vec![0; max],
            links: (0..cores).map(|_| Link::default()).collect(),
            inbox: Inbox::default(),
            retired: Vec::new(),
            next_agreed: crate::comm::AGREED_CONTEXTS.start,
            posted: Vec::new(),
            next_request: 0,
            abort: None,
            wait_hook: None,
            told_blocked: false,
        })
    }

    /// The same, with `check` as the abort check (e.g. "Ctrl-C was pressed").
    pub fn with_abort(mut self, check: impl Fn() -> bool + Send + 'static) -> Self {
        self.set_abort(Some(Box::new(check)));
        self
    }

    /// Replaces the abort check (`None`: blocking calls wait forever).
    pub fn set_abort(&mut self, check: Option<AbortCheck>) {
        self.abort = check;
    }

    /// The same, with `hook` told what a blocking call waits for (see
    /// [`WaitHook`]; the kernel publishes it for its hang report).
    pub fn with_wait_hook(mut self, hook: impl FnMut(Option<Blocked>) + Send + 'static) -> Self {
        self.set_wait_hook(Some(Box::new(hook)));
        self
    }

    /// Replaces the wait hook (`None`: nobody is told).
    pub fn set_wait_hook(&mut self, hook: Option<WaitHook>) {
        self.wait_hook = hook;
        self.told_blocked = false;
    }

    /// This core's id.
    pub fn core(&self) -> usize {
        self.core
    }

    /// How many cores the transport connects.
    pub fn cores(&self) -> usize {
        self.links.len()
    }

    /// The transport, e.g. to read its statistics.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Gives the transport back.
    pub fn into_transport(self) -> T {
        self.transport
    }

    /// Messages in the unexpected-message queue now.
    pub fn unexpected(&self) -> usize {
        self.inbox.len()
    }

    /// Receives posted by `irecv` that the engine still holds: not yet
    /// completed, or dropped with their message not yet come.
    pub fn posted_receives(&self) -> usize {
        self.posted.len()
    }

    /// Most messages the unexpected-message queue ever held at once.
    pub fn unexpected_peak(&self) -> usize {
        self.inbox.peak
    }

    /// Messages peers abandoned half-sent (their sends were aborted).
    pub fn discarded(&self) -> u64 {
        self.links.iter().map(|l| l.discarded).sum()
    }

    /// [`Error::Aborted`] if the abort check says so. Every turn of a
    /// blocking loop that is still waiting asks, not only the idle ones: a
    /// long transfer whose fragments keep arriving never idles. A long
    /// computation that makes no MPI call asks now and then, so that it
    /// can be stopped too (MPI itself has no such call).
    pub fn check_abort(&self) -> Result<(), Error> {
        if self.abort.as_ref().is_some_and(|check| check()) {
            return Err(Error::Aborted);
        }
        Ok(())
    }

    /// One idle turn blocked on `why`: abort if asked, else tell the wait
    /// hook and pause.
    pub(crate) fn idle(&mut self, why: Blocked) -> Result<(), Error> {
        self.check_abort()?;
        if let Some(hook) = self.wait_hook.as_mut() {
            hook(Some(why));
            self.told_blocked = true;
        }
        self.transport.pause();
        Ok(())
    }

    /// Something moved: tells the wait hook, once, if it was told "blocked".
    pub(crate) fn moved(&mut self) {
        if self.told_blocked {
            self.told_blocked = false;
            if let Some(hook) = self.wait_hook.as_mut() {
                hook(None);
            }
        }
    }
}
