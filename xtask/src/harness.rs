//! The QEMU test harness: boots ringlab with its serial console on pipes,
//! waits for text, types commands, and fails with the whole console log.
//! Used by `xtask/tests/` and `cargo xtask bench`; start at [`Machine`].

use std::fmt;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use crate::console::Console;
use crate::monitor::{self, Monitor};
use crate::qemu::{self, Accel};
use crate::{cmd, kernel, setup};

/// The shell's prompt, which ends every boot and every command.
pub const PROMPT: &str = "ringlab> ";

/// How many QEMUs may run at once in one process unless
/// `RINGLAB_QEMU_JOBS` says otherwise: each TCG guest keeps up to one host
/// thread per core busy, and the reference machine has 2 cores.
pub const DEFAULT_JOBS: usize = 2;

/// How long the console must stay quiet after a crash marker before the
/// harness reports it, so the log holds the whole panic message.
const SETTLE_QUIET: Duration = Duration::from_millis(300);

/// What to boot and how long to wait.
#[derive(Clone, Debug)]
pub struct Config {
    /// Number of cores (`-smp`).
    pub smp: u32,
    /// Guest memory (`-m`), e.g. `512M`.
    pub memory: String,
    /// More QEMU arguments, appended last.
    pub extra_args: Vec<String>,
    /// Whether the test provokes a crash on purpose: then `KERNEL PANIC` and
    /// `EXCEPTION` are plain text, not a reason to fail at once.
    pub crash_ok: bool,
    /// Whether QEMU gets the isa-debug-exit device (`poweroff` then exits
    /// with status 33); without it, `poweroff` must use ACPI.
    pub debug_exit: bool,
    /// Whether QEMU gets a monitor socket, which [`Machine::monitor`],
    /// [`Machine::sendkeys`] and [`Machine::screendump`] need.
    pub monitor: bool,
    /// How long [`Machine::boot`] waits for the first prompt.
    pub boot_timeout: Duration,
    /// How long [`Machine::run`] waits for a command's echo, then its prompt.
    pub command_timeout: Duration,
}

impl Default for Config {
    /// One core, 512 MiB, generous timeouts (the machine is shared and tests
    /// run in parallel).
    fn default() -> Self {
        Self {
            smp: 1,
            memory: "512M".into(),
            extra_args: Vec::new(),
            crash_ok: false,
            debug_exit: true,
            monitor: false,
            boot_timeout: Duration::from_secs(20),
            command_timeout: Duration::from_secs(10),
        }
    }
}

impl Config {
    /// The default configuration with `smp` cores.
    pub fn smp(smp: u32) -> Self {
        Self {
            smp,
            ..Self::default()
        }
    }
}

/// Why waiting on the console failed.
#[derive(Debug)]
pub enum Failure {
    /// The text did not appear in time.
    Timeout {
        /// What was awaited.
        waiting_for: String,
        /// How long we waited.
        after: Duration,
    },
    /// The kernel printed a crash marker (see [`Config::crash_ok`]).
    Crashed {
        /// The marker seen, e.g. `KERNEL PANIC`.
        marker: &'static str,
    },
    /// QEMU closed its output: it exited (with this code, if it has one).
    Exited {
        /// QEMU's exit code; `None` if killed by a signal or not yet reaped.
        code: Option<i32>,
    },
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Timeout { waiting_for, after } => {
                write!(f, "timed out after {after:?} waiting for {waiting_for:?}")
            }
            Self::Crashed { marker } => write!(f, "the kernel crashed: console shows {marker:?}"),
            Self::Exited { code: Some(code) } => write!(f, "QEMU exited with status {code}"),
            Self::Exited { code: None } => write!(f, "QEMU exited (killed or not reaped)"),
        }
    }
}

/// A failure together with the console log at that moment. Its `Debug` is
/// its `Display`, so `.unwrap()` shows the log too.
pub struct HarnessError {
    /// What went wrong.
    pub failure: Failure,
    /// The whole console log when it went wrong.
    pub log: String,
}

impl fmt::Display for HarnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n{}", self.failure, log_block(&self.log))
    }
}

impl fmt::Debug for HarnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for HarnessError {}

/// `log` between banner lines, for failure messages.
fn log_block(log: &str) -> String {
    let log = log.trim_end();
    format!(
        "----- console log ({} bytes) -----\n{log}\n----- end of console log -----",
        log.len()
    )
}

/// The kernel ELF the harness boots, built (after set-up) at most once per
/// process by the same function as `cargo xtask build`. Panics if the build
/// fails, in every test that asks.
pub fn kernel_elf() -> &'static Path {
    try_kernel_elf()
        .unwrap_or_else(|err| panic!("cannot build the kernel for the QEMU tests: {err}"))
}

/// [`kernel_elf`], with the set-up or build error as a value.
pub fn try_kernel_elf() -> Result<&'static Path, String> {
    static ELF: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let built = ELF.get_or_init(|| {
        setup::ensure()
            .and_then(|()| kernel::build(kernel::Profile::Release))
            .map_err(|err| format!("{err:#}"))
    });
    built.as_deref().map_err(Clone::clone)
}

/// The console state the reader threads fill in.
/// Lock rule: only through [`Shared::lock`]; `changed` is notified after
/// every change.
struct State {
    /// Everything QEMU printed, cleaned.
    console: Console,
    /// How many of QEMU's stdout and stderr are still open.
    open_pipes: usize,
    /// When output last arrived.
    last_output: Instant,
}

/// What the test thread shares with the two reader threads.
struct Shared {
    /// The console; see [`State`].
    state: Mutex<State>,
    /// Notified whenever `state` changes.
    changed: Condvar,
    /// Set once a failure message has carried the log, so `Drop` does not
    /// print it again.
    log_reported: AtomicBool,
}

impl Shared {
    /// An empty console for a process started at `started`, both its output
    /// pipes open.
    fn new(started: Instant) -> Self {
        let state = State {
            console: Console::default(),
            open_pipes: 2,
            last_output: started,
        };
        Self {
            state: Mutex::new(state),
            changed: Condvar::new(),
            log_reported: AtomicBool::new(false),
        }
    }

    /// Locks the state; a panic elsewhere cannot leave it half-updated, so a
    /// poisoned lock is still good.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits on `changed` for at most `timeout`.
    fn wait<'a>(&self, state: MutexGuard<'a, State>, timeout: Duration) -> MutexGuard<'a, State> {
        let woken = self.changed.wait_timeout(state, timeout);
        woken.unwrap_or_else(PoisonError::into_inner).0
    }
}

/// A running QEMU with ringlab on its serial console.
///
/// Every failure panics with the whole console log; a test that panics for
/// another reason (a plain `assert!`) gets the log printed when the machine
/// drops. Dropping kills QEMU. QEMU also gets SIGKILL when the thread that
/// spawned it ends, so a killed test run leaves no QEMU behind: keep a
/// machine on the thread that booted it.
pub struct Machine {
    /// QEMU (or a fake console, in unit tests).
    child: Child,
    /// The console input.
    stdin: ChildStdin,
    /// The console output, filled by reader threads.
    shared: Arc<Shared>,
    /// Timeouts and crash policy.
    config: Config,
    /// When the process was spawned.
    started: Instant,
    /// The monitor socket's path (with [`Config::monitor`]) and, once
    /// used, the connection.
    monitor: Option<(PathBuf, Option<Monitor>)>,
    /// This machine's share of [`DEFAULT_JOBS`], released on drop.
    _slot: Slot,
}

impl Machine {
    /// Boots ringlab with `config` and waits for the first prompt.
    pub fn boot(config: Config) -> Self {
        let mut machine = Self::spawn(config);
        let timeout = machine.config.boot_timeout;
        or_fail(machine.expect(PROMPT, timeout));
        machine
    }

    /// Starts QEMU with `config` without waiting for anything: the serial
    /// console on stdio pipes, no display window (the VGA is still there),
    /// TCG, the debug-exit device, and a monitor socket if asked for.
    pub fn spawn(config: Config) -> Self {
        let mut qemu = qemu::command(
            kernel_elf(),
            config.smp,
            &config.memory,
            Accel::Tcg,
            config.debug_exit,
        );
        qemu.args(["-serial", "stdio", "-display", "none"]);
        let socket = config.monitor.then(monitor::socket_path);
        if let Some(path) = &socket {
            let _ = std::fs::remove_file(path);
            qemu.arg("-monitor")
                .arg(format!("unix:{},server=on,wait=off", path.display()));
        }
        qemu.args(&config.extra_args);
        let mut machine = Self::spawn_command(qemu, config);
        machine.monitor = socket.map(|path| (path, None));
        machine
    }

    /// Starts any `command` as the machine, its stdio being the console.
    /// Tests of the harness itself use this with a fake shell.
    pub fn spawn_command(mut command: Command, config: Config) -> Self {
        let slot = Slot::acquire();
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        die_with_parent(&mut command);
        eprintln!("{}", cmd::render(&command));
        let started = Instant::now();
        let mut child = command
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start `{}`: {err}", cmd::render(&command)));
        let shared = Arc::new(Shared::new(started));
        spawn_reader(
            child.stdout.take().expect("stdout is piped"),
            Arc::clone(&shared),
        );
        spawn_reader(
            child.stderr.take().expect("stderr is piped"),
            Arc::clone(&shared),
        );
        let stdin = child.stdin.take().expect("stdin is piped");
        Self {
            child,
            stdin,
            shared,
            config,
            started,
            monitor: None,
            _slot: slot,
        }
    }

    /// Waits up to `timeout` for `needle` in the unread console text, then
    /// returns that text up to and including `needle` and marks it read.
    /// The text is cleaned: no ANSI escapes, `\r\n` turned into `\n`.
    pub fn expect(&mut self, needle: &str, timeout: Duration) -> Result<String, HarnessError> {
        self.wait_for(needle, timeout, |console| console.take_through(needle))
    }

    /// [`Machine::expect`], failing the test (with the console log) if
    /// `needle` does not come within `timeout`.
    pub fn expect_or_fail(&mut self, needle: &str, timeout: Duration) -> String {
        self.expect(needle, timeout)
            .unwrap_or_else(|err| self.fail(&err.to_string()))
    }

    /// Types Ctrl-C and returns what the console printed up to and
    /// including the next prompt, which must come within `timeout`.
    pub fn ctrl_c(&mut self, timeout: Duration) -> String {
        self.send("\x03");
        self.expect_or_fail(PROMPT, timeout)
    }

    /// Types `text` on the console as it is (add `\r` to end a line).
    pub fn send(&mut self, text: &str) {
        let written = self
            .stdin
            .write_all(text.as_bytes())
            .and_then(|()| self.stdin.flush());
        if let Err(err) = written {
            self.fail(&format!("cannot type {text:?} on the console: {err}"));
        }
    }

    /// Types `command` and Enter, waits for its echo and the next prompt,
    /// and returns what the command printed in between, one `\n` per line.
    pub fn run(&mut self, command: &str) -> String {
        let timeout = self.config.command_timeout;
        self.send(&format!("{command}\r"));
        let echo = format!("the echo of {command:?}");
        or_fail(self.wait_for(&echo, timeout, |console| console.take_line_with(command)));
        let output = or_fail(self.expect(PROMPT, timeout));
        output
            .strip_suffix(PROMPT)
            .unwrap_or(&output)
            .replace('\r', "")
    }

    /// [`Machine::run`] for a demo, then `vq check`: the test fails unless
    /// every queue is consistent after it. Returns the demo's output.
    pub fn run_checked(&mut self, command: &str) -> String {
        let output = self.run(command);
        self.check_queues(command);
        output
    }

    /// Runs `vq check` and fails the test unless it says every queue is
    /// consistent; `after` names what ran before, for the message.
    pub fn check_queues(&mut self, after: &str) {
        let check = self.run("vq check");
        if !(check.starts_with("all ") && check.trim_end().ends_with(" queues consistent")) {
            self.fail(&format!("`vq check` after {after:?} found:\n{check}"));
        }
    }

    /// Runs a QEMU monitor command and returns its output (needs
    /// [`Config::monitor`]); waits at most `command_timeout`.
    pub fn monitor(&mut self, command: &str) -> String {
        let timeout = self.config.command_timeout;
        let result = match &mut self.monitor {
            None => Err(io::Error::other(
                "the machine has no monitor (Config::monitor)",
            )),
            Some((path, connection @ None)) => Monitor::connect(path, timeout)
                .and_then(|monitor| connection.insert(monitor).command(command, timeout)),
            Some((_, Some(monitor))) => monitor.command(command, timeout),
        };
        result.unwrap_or_else(|err| self.fail(&format!("monitor command {command:?}: {err}")))
    }

    /// Types `text` on the emulated PS/2 keyboard, one `sendkey` per
    /// character (see [`monitor::key_names`]; `\n` is Enter).
    pub fn sendkeys(&mut self, text: &str) {
        let names = monitor::key_names(text)
            .unwrap_or_else(|ch| self.fail(&format!("no key types {ch:?}")));
        for name in names {
            self.sendkey(&name);
        }
    }

    /// Presses and releases one key combination by its `sendkey` name,
    /// such as `ctrl-c`, `up` or `shift-a`.
    pub fn sendkey(&mut self, name: &str) {
        let reply = self.monitor(&format!("sendkey {name}"));
        if !reply.trim().is_empty() {
            self.fail(&format!("sendkey {name}: {reply}"));
        }
    }

    /// Saves what the display shows to `path`, as a binary PPM (`P6`).
    pub fn screendump(&mut self, path: &Path) {
        let reply = self.monitor(&format!("screendump {}", path.display()));
        if !reply.trim().is_empty() || !path.is_file() {
            self.fail(&format!("screendump {}: {reply}", path.display()));
        }
    }

    /// Waits up to `timeout` for QEMU to exit and returns its exit status
    /// (33 after `poweroff`, see [`qemu::POWEROFF_STATUS`]).
    pub fn wait_exit(&mut self, timeout: Duration) -> i32 {
        let deadline = Instant::now() + timeout;
        let status = loop {
            if let Some(marker) = self.unexpected_crash() {
                self.settle();
                self.fail(&Failure::Crashed { marker }.to_string());
            }
            match self.child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(10)),
                Ok(None) => self.fail(&format!("QEMU still running after {timeout:?}")),
                Err(err) => self.fail(&format!("cannot wait for QEMU: {err}")),
            }
        };
        self.settle(); // let the readers drain the last output into the log
        status
            .code()
            .unwrap_or_else(|| self.fail(&format!("QEMU was killed ({status})")))
    }

    /// Everything the console printed so far, cleaned.
    pub fn log(&self) -> String {
        self.shared.lock().console.log()
    }

    /// Every byte the console printed so far, ANSI sequences included.
    pub fn raw_log(&self) -> Vec<u8> {
        self.shared.lock().console.raw().to_vec()
    }

    /// Time since QEMU was spawned.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Panics with `message` and the whole console log.
    pub fn fail(&self, message: &str) -> ! {
        self.shared.log_reported.store(true, Ordering::Relaxed);
        panic!("{message}\n{}", log_block(&self.log()))
    }

    /// Polls `take` on every console change until it returns something, the
    /// kernel crashes, QEMU exits, or `timeout` passes.
    fn wait_for<T>(
        &mut self,
        what: &str,
        timeout: Duration,
        mut take: impl FnMut(&mut Console) -> Option<T>,
    ) -> Result<T, HarnessError> {
        let deadline = Instant::now() + timeout;
        let shared = Arc::clone(&self.shared);
        let mut state = shared.lock();
        let failure = loop {
            if let Some(found) = take(&mut state.console) {
                return Ok(found);
            }
            if let Some(failure) = self.failure_in(&state, what, deadline, timeout) {
                break failure;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            state = shared.wait(state, left);
        };
        drop(state);
        Err(self.error(failure))
    }

    /// Why waiting must stop now, if it must.
    fn failure_in(
        &self,
        state: &State,
        what: &str,
        deadline: Instant,
        timeout: Duration,
    ) -> Option<Failure> {
        match state.console.crash() {
            Some(marker) if !self.config.crash_ok => Some(Failure::Crashed { marker }),
            _ if state.open_pipes == 0 => Some(Failure::Exited { code: None }),
            _ if Instant::now() >= deadline => Some(Failure::Timeout {
                waiting_for: what.into(),
                after: timeout,
            }),
            _ => None,
        }
    }

    /// Completes `failure` (the rest of a crash report, QEMU's exit code)
    /// and pairs it with the log.
    fn error(&mut self, mut failure: Failure) -> HarnessError {
        match &mut failure {
            Failure::Crashed { .. } => self.settle(),
            Failure::Exited { code } => *code = self.reap(Duration::from_secs(1)),
            Failure::Timeout { .. } => {}
        }
        self.shared.log_reported.store(true, Ordering::Relaxed);
        HarnessError {
            failure,
            log: self.log(),
        }
    }

    /// The crash marker on the console, unless the test allows crashes.
    fn unexpected_crash(&self) -> Option<&'static str> {
        self.shared
            .lock()
            .console
            .crash()
            .filter(|_| !self.config.crash_ok)
    }

    /// Waits until the console has been quiet for [`SETTLE_QUIET`] or QEMU
    /// closed it, for at most 2 s.
    fn settle(&self) {
        let give_up = Instant::now() + Duration::from_secs(2);
        let mut state = self.shared.lock();
        while state.open_pipes > 0 && Instant::now() < give_up {
            let quiet = state.last_output.elapsed();
            if quiet >= SETTLE_QUIET {
                break;
            }
            state = self.shared.wait(state, SETTLE_QUIET - quiet);
        }
    }

    /// QEMU's exit code if it exits within `timeout`.
    fn reap(&mut self, timeout: Duration) -> Option<i32> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            thread::sleep(Duration::from_millis(10));
        }
        None
    }
}

impl Drop for Machine {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some((path, _)) = &self.monitor {
            let _ = std::fs::remove_file(path);
        }
        if thread::panicking() && !self.shared.log_reported.load(Ordering::Relaxed) {
            eprintln!("{}", log_block(&self.log()));
        }
    }
}

/// The value of `result`, or a panic showing the failure and the log.
fn or_fail<T>(result: Result<T, HarnessError>) -> T {
    result.unwrap_or_else(|err| panic!("{err}"))
}

/// Copies `pipe` into the console until it closes.
fn spawn_reader(mut pipe: impl Read + Send + 'static, shared: Arc<Shared>) {
    thread::spawn(move || {
        let mut buf = [0; 4096];
        loop {
            let read = match pipe.read(&mut buf) {
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                result => result.unwrap_or(0),
            };
            let mut state = shared.lock();
            if read == 0 {
                state.open_pipes -= 1;
            } else {
                state.console.push(&buf[..read]);
                state.last_output = Instant::now();
            }
            shared.changed.notify_all();
            if read == 0 {
                return;
            }
        }
    });
}

/// Makes the child get SIGKILL when the spawning thread ends, so QEMU never
/// outlives a killed test run.
fn die_with_parent(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    let hook = || {
        // SAFETY: PR_SET_PDEATHSIG takes a signal number, no pointers.
        let result = unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
        if result == -1 {
            Err(io::Error::last_os_error())
        } else {
            Ok(())
        }
    };
    // SAFETY: the hook runs in the forked child before exec; it only makes
    // one system call, which is async-signal-safe and does not allocate.
    unsafe { command.pre_exec(hook) };
}

/// A share of the QEMUs one process may run at once: a test that starts
/// QEMU without a [`Machine`] holds one while it runs.
pub struct Slot;

/// How many slots are taken; `FREED` is notified when one is released.
static TAKEN: Mutex<usize> = Mutex::new(0);
/// Notified when a slot is released.
static FREED: Condvar = Condvar::new();

impl Slot {
    /// Waits until fewer than `RINGLAB_QEMU_JOBS` (default [`DEFAULT_JOBS`])
    /// slots are taken, then takes one.
    pub fn acquire() -> Self {
        let jobs = std::env::var("RINGLAB_QEMU_JOBS")
            .ok()
            .and_then(|jobs| jobs.parse().ok());
        let jobs = jobs.unwrap_or(DEFAULT_JOBS).max(1);
        let mut taken = TAKEN.lock().unwrap_or_else(PoisonError::into_inner);
        while *taken >= jobs {
            taken = FREED.wait(taken).unwrap_or_else(PoisonError::into_inner);
        }
        *taken += 1;
        Self
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        *TAKEN.lock().unwrap_or_else(PoisonError::into_inner) -= 1;
        FREED.notify_one();
    }
}

#[cfg(test)]
mod tests;
