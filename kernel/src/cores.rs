//! The cores and the job model. Core 0 runs the shell; every other core sits
//! in `job_loop`, halted until the shell hands it a job through its mailbox
//! and wakes it with an IPI. The shell core sees each core's state.

use alloc::boxed::Box;
use core::ptr::NonNull;
use core::sync::atomic::{
    AtomicBool, AtomicPtr, AtomicU8, AtomicU32, AtomicU64, AtomicUsize, Ordering,
};

use spin::{Mutex, Once};

use crate::arch::VirtAddr;
use crate::arch::paging::{self, GuardedStack};
use crate::arch::vectors::WAKE as WAKE_VECTOR;
use crate::arch::{apic, cpu, smp};
use crate::{idle, input, time};

/// Most cores ringlab drives (the MADT may list more; they stay unused).
pub const MAX_CORES: usize = crate::arch::acpi::MAX_CPUS;
/// Each core's kernel stack.
pub const STACK_BYTES: usize = 128 * 1024;
/// Each core's double-fault stack (IST), so a stack overflow can be reported.
pub const FAULT_STACK_BYTES: usize = 16 * 1024;
/// How long the boot core waits for a started core to check in.
const START_TIMEOUT_US: u64 = 2_000_000;

/// What a core is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum CoreState {
    /// Not started, or did not answer the start-up IPIs.
    Offline = 0,
    /// Runs the shell (core 0).
    Shell = 1,
    /// Waiting for a job.
    Idle = 2,
    /// Running a job.
    Running = 3,
    /// Took an exception; parked until `cores restart` (see [`restart`]).
    Faulted = 4,
}

impl CoreState {
    fn from_u8(value: u8) -> Self {
        match value {
            1 => CoreState::Shell,
            2 => CoreState::Idle,
            3 => CoreState::Running,
            4 => CoreState::Faulted,
            _ => CoreState::Offline,
        }
    }
}

/// Work handed to a core.
pub type Work = Box<dyn FnOnce(&JobContext) + Send>;

/// A set of cores (the kernel passes peers and demos' cores as one).
pub use shell::CoreSet;

/// What a running job can ask about itself.
pub struct JobContext {
    core: usize,
    /// The other cores of the same demo.
    peers: CoreSet,
}

impl JobContext {
    /// The context for the shell core's own part of a demo, run inline,
    /// with `peers` the demo's other cores.
    pub fn on_shell_core(peers: CoreSet) -> Self {
        CORES[0].abort.store(false, Ordering::Relaxed);
        JobContext { core: 0, peers }
    }

    /// The core running the job.
    pub fn core(&self) -> usize {
        self.core
    }

    /// Whether the job should stop (see `stop_requested`). Check it in
    /// every loop that waits.
    pub fn should_abort(&self) -> bool {
        stop_requested(self.core, self.peers)
    }

    /// The other cores of the same demo.
    pub fn peers(&self) -> CoreSet {
        self.peers
    }
}

/// Whether the job on `core` should stop: the shell asked (Ctrl-C), or one
/// of its `peers` faulted, so waiting for it would never end.
/// On core 0 this is also where a Ctrl-C typed during the job is noticed.
pub fn stop_requested(core: usize, peers: CoreSet) -> bool {
    if core == 0 && input::take_interrupt() {
        CORES[0].abort.store(true, Ordering::Relaxed);
    }
    // Acquire pairs with the Release store in request_abort.
    let asked = CORES[core].abort.load(Ordering::Acquire);
    asked
        || peers
            .iter()
            .any(|other| other < count() && state(other) == CoreState::Faulted)
}

/// A fault that parked a core, for `cores`.
#[derive(Debug, Clone, Copy)]
pub struct FaultRecord {
    /// Exception name, e.g. "page fault".
    pub exception: &'static str,
    /// Where it struck.
    pub rip: u64,
}

/// One core's slot, padded to a cache line so cores polling their own slot
/// do not share a line.
#[repr(align(64))]
struct Core {
    /// Local APIC id; written once by the boot core before the core starts.
    apic_id: AtomicU32,
    /// A CoreState. Written by the shell core (Idle -> Running, when it
    /// submits) and by the core itself (-> Idle, -> Faulted); every write is
    /// Release and every read Acquire, so a reader sees what came before.
    state: AtomicU8,
    /// The submitted job, or null. The shell stores it (Release) after
    /// claiming the core; the core swaps it out (Acquire).
    mailbox: AtomicPtr<Work>,
    /// Name of the current job. Lock rule: written by the shell core while
    /// the state is Running and the mailbox still empty; read by anyone.
    job_name: Mutex<&'static str>,
    /// TSC when the current job was submitted.
    job_started: AtomicU64,
    /// Jobs finished. The core increments it (Release) just before it sets
    /// Idle, and `restart` for the job a fault ended; waiters load it
    /// (Acquire).
    finished: AtomicU64,
    /// Set by the shell (Release) to ask the job to stop; read by the job.
    abort: AtomicBool,
    /// The current job's peer cores (`CoreSet::bits`); written by the
    /// shell core before publishing the mailbox, read by the job (ordered
    /// by the mailbox's Release/Acquire pair, hence Relaxed).
    peers: AtomicU64,
    /// Stacks, mapped once at boot by the boot core.
    stacks: Once<(GuardedStack, GuardedStack)>,
    /// Why the core faulted. Lock rule: set by the core itself when it
    /// faults (then it halts), cleared by the shell core in [`restart`]
    /// while the core is parked; read by anyone.
    fault: Mutex<Option<FaultRecord>>,
}

static CORES: [Core; MAX_CORES] = [const {
    Core {
        apic_id: AtomicU32::new(0),
        state: AtomicU8::new(CoreState::Offline as u8),
        mailbox: AtomicPtr::new(core::ptr::null_mut()),
        job_name: Mutex::new(""),
        job_started: AtomicU64::new(0),
        finished: AtomicU64::new(0),
        abort: AtomicBool::new(false),
        peers: AtomicU64::new(0),
        stacks: Once::new(),
        fault: Mutex::new(None),
    }
}; MAX_CORES];
/// Cores found in the MADT (online or not); set once at boot.
static CORE_COUNT: AtomicUsize = AtomicUsize::new(1);

/// GS targets, one per core, so `cpu::core_index` works everywhere.
static CORE_LOCALS: [cpu::CoreLocal; MAX_CORES] = {
    let mut locals = [const { cpu::CoreLocal::new(0) }; MAX_CORES];
    let mut i = 0;
    while i < MAX_CORES {
        locals[i] = cpu::CoreLocal::new(i);
        i += 1;
    }
    locals
};

/// Points GS at the calling core's CoreLocal: the first thing each core does.
pub fn set_core_identity(index: usize) {
    cpu::set_core_local(&CORE_LOCALS[index]);
}

/// Number of cores the firmware listed (up to MAX_CORES).
pub fn count() -> usize {
    CORE_COUNT.load(Ordering::Relaxed)
}

/// A core's state now.
pub fn state(core: usize) -> CoreState {
    // Acquire pairs with the Release stores of `state` (ap_entry, job_loop,
    // mark_faulted, enter_boot_core_stack) and the claim in `submit`.
    CoreState::from_u8(CORES[core].state.load(Ordering::Acquire))
}

/// A core's APIC id.
pub fn apic_id(core: usize) -> u32 {
    CORES[core].apic_id.load(Ordering::Relaxed)
}

/// The job a core is running and for how many cycles, if it runs one.
pub fn current_job(core: usize) -> Option<(&'static str, u64)> {
    (state(core) == CoreState::Running).then(|| {
        (
            *CORES[core].job_name.lock(),
            time::now() - CORES[core].job_started.load(Ordering::Relaxed),
        )
    })
}

/// Why a core parked itself, if it did.
pub fn fault_record(core: usize) -> Option<FaultRecord> {
    *CORES[core].fault.lock()
}

/// Number of cores online (shell core included).
pub fn online_count() -> usize {
    (0..count())
        .filter(|&core| state(core) != CoreState::Offline)
        .count()
}

/// Which core's stack has its guard page at `address`, if any.
pub fn guard_page_owner(address: u64) -> Option<usize> {
    let address = VirtAddr::try_new(address).ok()?;
    (0..count()).find(|&core| {
        CORES[core]
            .stacks
            .get()
            .is_some_and(|(stack, fault_stack)| {
                stack.guard().contains(&address) || fault_stack.guard().contains(&address)
            })
    })
}

/// Bytes of stack mapped for all cores (for `mem`).
pub fn stack_bytes() -> usize {
    (0..count())
        .filter(|&core| CORES[core].stacks.get().is_some())
        .count()
        * (STACK_BYTES + FAULT_STACK_BYTES)
}

/// A core's kernel stack, bottom to top (mapped; its guard page lies below).
pub fn stack_range(core: usize) -> Option<core::ops::Range<VirtAddr>> {
    let (stack, _) = CORES.get(core)?.stacks.get()?;
    Some(stack.bottom..stack.top)
}

/// The top of a core's kernel stack (where a restarted core begins again).
pub fn stack_top(core: usize) -> VirtAddr {
    CORES[core]
        .stacks
        .get()
        .expect("stacks are mapped at boot")
        .0
        .top
}

fn map_stacks(core: usize) -> (GuardedStack, GuardedStack) {
    *CORES[core].stacks.call_once(|| {
        (
            paging::map_guarded_stack(STACK_BYTES),
            paging::map_guarded_stack(FAULT_STACK_BYTES),
        )
    })
}

/// Records the cores the firmware listed, and maps every core's stacks.
pub fn init(apic_ids: impl ExactSizeIterator<Item = u32>) {
    CORE_COUNT.store(apic_ids.len().clamp(1, MAX_CORES), Ordering::Relaxed);
    for (core, apic_id) in apic_ids.take(MAX_CORES).enumerate() {
        CORES[core].apic_id.store(apic_id, Ordering::Relaxed);
        map_stacks(core);
    }
}

/// Per-core CPU set-up every core runs on itself: GDT/TSS with its fault
/// stack, the shared IDT, its local APIC.
pub fn init_this_core(core: usize) {
    let (_, fault_stack) = map_stacks(core);
    crate::arch::gdt::init_core(core, fault_stack.top);
    crate::arch::idt::load();
    apic::init_core();
}

/// Moves the boot core onto its guarded stack and continues in `next`.
pub fn enter_boot_core_stack(next: extern "C" fn(usize) -> !) -> ! {
    CORES[0].apic_id.store(apic::id(), Ordering::Relaxed);
    CORES[0]
        .state
        .store(CoreState::Shell as u8, Ordering::Release); // Acquire: `state`
    cpu::run_on_stack(stack_top(0), next, 0)
}

/// Starts every other core; returns how many came up and the cycles taken.
pub fn start_application_processors() -> (usize, u64) {
    let start = time::now();
    smp::install_trampoline();
    smp::reset_cores((1..count()).map(apic_id));
    let mut started = 0;
    for core in 1..count() {
        if start_core(core, || state(core) != CoreState::Offline) {
            started += 1;
        } else {
            crate::println!(
                "smp: core {core} (APIC id {}) did not start within {} ms; continuing without it",
                apic_id(core),
                START_TIMEOUT_US / 1000
            );
        }
    }
    (started, time::now() - start)
}

/// Why [`restart`] did not bring a core back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartError {
    /// No such core on this machine.
    NoSuchCore {
        /// Number of cores.
        count: usize,
    },
    /// Core 0 runs the shell, which restarts itself after a fault.
    ShellCore,
    /// Only a faulted core is restarted; this one is in another state.
    NotFaulted(CoreState),
    /// It was sent INIT and STARTUP but did not check in.
    DidNotStart,
}

/// Brings faulted `core` back to idle, as at boot: INIT (which ends its
/// parked halt for good), then STARTUP into [`ap_entry`] on its own stack
/// from the top, so nothing of the faulted code's frames survives. Its
/// fault record and abort flag are cleared. The caller frees the locks the
/// faulted code may have held and drains its queues (those live above this
/// layer). Returns the cycles the restart took.
pub fn restart(core: usize) -> Result<u64, RestartError> {
    if core >= count() {
        return Err(RestartError::NoSuchCore { count: count() });
    }
    if core == 0 {
        return Err(RestartError::ShellCore);
    }
    match state(core) {
        CoreState::Faulted => {}
        other => return Err(RestartError::NotFaulted(other)),
    }
    let start = time::now();
    smp::reset_cores(core::iter::once(apic_id(core)));
    *CORES[core].fault.lock() = None;
    CORES[core].abort.store(false, Ordering::Relaxed); // no job reads it until the next submit's Release
    // The faulted job is over: a ticket for it must count as such once the
    // core is Idle again. Release, partner: the Acquire in `Ticket::is_over`.
    CORES[core].finished.fetch_add(1, Ordering::Release);
    let mailbox = CORES[core]
        .mailbox
        .swap(core::ptr::null_mut(), Ordering::Acquire); // Release: submit
    if let Some(job) = NonNull::new(mailbox) {
        // SAFETY: as in `job_loop`: a non-null mailbox holds a Box from
        // `submit`, and the swap made us its only owner (the core is reset).
        drop(unsafe { Box::from_raw(job.as_ptr()) });
    }
    // `ap_entry` stores Idle (Release) once the core is set up again.
    if start_core(core, || state(core) == CoreState::Idle) {
        Ok(time::now() - start)
    } else {
        Err(RestartError::DidNotStart)
    }
}

/// INIT-SIPI-SIPI `core` onto its stack at `ap_entry`; `true` once `up`
/// says it arrived, within [`START_TIMEOUT_US`].
fn start_core(core: usize, up: impl Fn() -> bool) -> bool {
    smp::start_core(
        apic_id(core),
        stack_top(core),
        ap_entry,
        core,
        up,
        START_TIMEOUT_US,
    )
}

/// Where a started core arrives from the trampoline.
extern "C" fn ap_entry(core: usize) -> ! {
    set_core_identity(core);
    init_this_core(core);
    // Release: the boot core's Acquire in `state` sees the set-up done.
    CORES[core]
        .state
        .store(CoreState::Idle as u8, Ordering::Release);
    job_loop(core)
}

/// A core's life after start-up: take a job, run it, go back to sleep.
extern "C" fn job_loop(core: usize) -> ! {
    let slot = &CORES[core];
    loop {
        // Acquire pairs with the Release store in `submit`: the job's
        // contents are visible before we run it.
        let job = idle::halt_until(|| {
            NonNull::new(slot.mailbox.swap(core::ptr::null_mut(), Ordering::Acquire))
        });
        // SAFETY: non-null mailbox values come only from Box::into_raw in
        // `submit`, and the swap above made this core their only owner.
        let work = unsafe { Box::from_raw(job.as_ptr()) };
        work(&JobContext {
            core,
            peers: CoreSet::from_bits(slot.peers.load(Ordering::Relaxed)),
        });
        // `finished` first: once the core is Idle the shell may submit again
        // and compute the next ticket from `finished`, which must already
        // count this job (else the new ticket would look done at once).
        slot.finished.fetch_add(1, Ordering::Release); // Acquire: Ticket::is_done
        slot.state.store(CoreState::Idle as u8, Ordering::Release); // Acquire: submit's claim
        wake(0);
    }
}

/// Where a faulted core ends up: it tells the shell core, wakes every other
/// core (a peer napping on the bus must see that it faulted), and halts
/// for good.
pub extern "C" fn park_faulted(core: usize) -> ! {
    for other in (0..count()).filter(|&other| other != core) {
        wake(other);
    }
    cpu::halt_forever()
}

/// Sends `core` the wake-up IPI: it ends a `hlt` (a job core waiting for
/// its mailbox or napping on the bus re-checks what it waits for).
pub fn wake(core: usize) {
    apic::send_ipi(apic_id(core), WAKE_VECTOR);
}

/// The cores of the demo the shell is waiting for now (`CoreSet::bits`),
/// set and cleared by the shell core around each foreground demo. Relaxed:
/// only the shell core writes and reads it (its fault handler included).
static FOREGROUND: AtomicU64 = AtomicU64::new(0);

/// Records the cores of the foreground demo (empty: none).
pub fn set_foreground(cores: CoreSet) {
    FOREGROUND.store(cores.bits(), Ordering::Relaxed);
}

/// Asks the cores running a job to stop: with `only_foreground`, just those
/// of the demo the shell waits for (after core 0 faulted in the middle of
/// it); otherwise every one (Ctrl-C at the prompt stops background jobs).
/// Returns the cores asked.
#[must_use = "say which cores were asked to stop"]
pub fn abort_running(only_foreground: bool) -> CoreSet {
    let foreground = CoreSet::from_bits(FOREGROUND.load(Ordering::Relaxed));
    let mut asked = CoreSet::default();
    for core in (1..count()).filter(|&core| state(core) == CoreState::Running) {
        if !only_foreground || foreground.contains(core) {
            request_abort(core);
            asked = asked.with(core);
        }
    }
    asked
}

/// Marks the calling core faulted (never for core 0, which restarts instead).
pub fn mark_faulted(core: usize, record: FaultRecord) {
    *CORES[core].fault.lock() = Some(record);
    // Release: a reader that sees Faulted (Acquire in `state`) also sees
    // the fault record set just before.
    CORES[core]
        .state
        .store(CoreState::Faulted as u8, Ordering::Release);
}

/// Why a job could not be handed to a core.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmitError {
    /// No such core on this machine.
    NoSuchCore {
        /// Number of cores.
        count: usize,
    },
    /// Core 0 runs the shell; its part of a demo runs inline.
    ShellCore,
    /// The core runs another job.
    Busy(&'static str),
    /// The core faulted earlier.
    Faulted,
    /// The core never came up.
    Offline,
}

impl core::fmt::Display for SubmitError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            SubmitError::NoSuchCore { count } => write!(f, "no such core (valid: 0-{})", count - 1),
            SubmitError::ShellCore => write!(f, "core 0 runs the shell"),
            SubmitError::Busy(job) => write!(f, "busy running '{job}'"),
            SubmitError::Faulted => write!(f, "faulted (see 'cores')"),
            SubmitError::Offline => write!(f, "offline"),
        }
    }
}

/// A submitted job, to wait for (dropped unwaited, nobody notices its end).
#[derive(Debug, Clone, Copy)]
#[must_use = "wait for the job (cores::wait) or say why not"]
pub struct Ticket {
    core: usize,
    finished_count: u64,
}

impl Ticket {
    /// The core running the job.
    pub fn core(&self) -> usize {
        self.core
    }

    /// Whether the job is over: it returned and its core is free for the
    /// next one, or its core faulted. (Its core counts the job finished a
    /// moment before it is Idle: over means both, so that whoever is told a
    /// job is over finds its core free.)
    pub fn is_over(&self) -> bool {
        match state(self.core) {
            CoreState::Faulted => true,
            CoreState::Running => false,
            // Acquire pairs with job_loop's Release fetch_add: the job's
            // effects are visible once it counts as finished.
            _ => CORES[self.core].finished.load(Ordering::Acquire) >= self.finished_count,
        }
    }
}

/// Hands `work` to `core` (not core 0) and wakes it; `peers` are the other
/// cores of the same demo.
pub fn submit(
    core: usize,
    name: &'static str,
    peers: CoreSet,
    work: Work,
) -> Result<Ticket, SubmitError> {
    if core >= count() {
        return Err(SubmitError::NoSuchCore { count: count() });
    }
    let slot = &CORES[core];
    // Acquire pairs with job_loop's Release store of Idle: the core's last
    // job (and its `finished` count) is over before we reuse the slot.
    let claimed = slot.state.compare_exchange(
        CoreState::Idle as u8,
        CoreState::Running as u8,
        Ordering::Acquire,
        Ordering::Acquire,
    );
    if let Err(current) = claimed {
        return Err(match CoreState::from_u8(current) {
            CoreState::Shell => SubmitError::ShellCore,
            CoreState::Running => SubmitError::Busy(*slot.job_name.lock()),
            CoreState::Faulted => SubmitError::Faulted,
            CoreState::Offline | CoreState::Idle => SubmitError::Offline,
        });
    }
    *slot.job_name.lock() = name;
    slot.job_started.store(time::now(), Ordering::Relaxed);
    slot.abort.store(false, Ordering::Relaxed);
    slot.peers.store(peers.bits(), Ordering::Relaxed);
    let finished_count = slot.finished.load(Ordering::Relaxed) + 1;
    let job = Box::into_raw(Box::new(work));
    // Release pairs with the Acquire swap in job_loop.
    slot.mailbox.store(job, Ordering::Release);
    wake(core);
    Ok(Ticket {
        core,
        finished_count,
    })
}

/// Asks the job on `core` to stop, and wakes the core in case its job
/// waits halted (`idle::halt_until`) rather than polling.
pub fn request_abort(core: usize) {
    CORES[core].abort.store(true, Ordering::Release); // Acquire: should_abort
    if core != 0 {
        wake(core); // it may wait halted, or nap on the bus (notify mode)
    }
}

/// Whether the job on `core` was asked to stop.
pub fn abort_requested(core: usize) -> bool {
    CORES[core].abort.load(Ordering::Acquire) // Release: request_abort
}

/// How waiting for jobs ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "an abandoned wait leaves jobs running"]
pub enum WaitOutcome {
    /// Every job finished (possibly early, after Ctrl-C asked them to stop).
    Finished {
        /// Whether Ctrl-C asked them to stop.
        aborted: bool,
    },
    /// Ctrl-C twice: the shell stopped waiting; jobs may still run.
    Abandoned,
}

/// Waits (halted between wake-ups) until every ticket's job is over
/// ([`Ticket::is_over`]). The first Ctrl-C asks the jobs to stop (`aborted` says it
/// was already asked); a second one stops waiting.
pub fn wait(tickets: &[Ticket], mut aborted: bool) -> WaitOutcome {
    let pending = || tickets.iter().filter(|t| !t.is_over());

    loop {
        idle::wait_until(|| pending().next().is_none() || input::has_interrupt());
        if pending().next().is_none() {
            return WaitOutcome::Finished { aborted };
        }
        if input::take_interrupt() {
            if aborted {
                return WaitOutcome::Abandoned;
            }
            aborted = true;
            pending().for_each(|t| request_abort(t.core));
        }
    }
}
