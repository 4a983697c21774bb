//! Spin policies: what a blocking send or receive does each time it has to
//! wait, and how it is told to give up (the kernel's Ctrl-C).

use crate::sync::spin_loop;

/// Asked by a blocking call every time it finds the ring full (send) or
/// empty (receive), after it has re-posted any buffers it holds, so a waiting
/// receiver never starves its sender.
///
/// Return `true` to keep waiting, `false` to abort: the call then returns
/// [`SendError::Aborted`](crate::SendError::Aborted) or
/// [`RecvError::Aborted`](crate::RecvError::Aborted). An implementation may
/// pause, count, yield to a scheduler, or poll a keyboard flag.
pub trait Spin {
    /// One wait step. `false` aborts the blocking call.
    fn keep_waiting(&mut self) -> bool;

    /// One wait step that may sleep. `arm()` asks the other side for a
    /// notification and re-checks the ring (src/event.rs); `true` means
    /// nothing arrived and a notification is now certain when something
    /// does, so the policy may sleep until one (the kernel halts with
    /// interrupts off around `arm`, then `sti; hlt`). `arm` is always
    /// `false` when the bus polls. The default ignores `arm` and calls
    /// [`keep_waiting`](Self::keep_waiting).
    fn wait(&mut self, arm: &mut dyn FnMut() -> bool) -> bool {
        let _ = arm;
        self.keep_waiting()
    }
}

/// Waits forever, with `core::hint::spin_loop()` (x86 `pause`) per step.
#[derive(Clone, Copy, Debug, Default)]
pub struct Forever;

impl Spin for Forever {
    fn keep_waiting(&mut self) -> bool {
        spin_loop();
        true
    }
}

/// Never waits: the first time the call would wait, it aborts.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoWait;

impl Spin for NoWait {
    fn keep_waiting(&mut self) -> bool {
        false
    }
}

/// Waits like [`Forever`] until the check returns `true`, then aborts.
/// `send_until`/`recv_until` wrap their closure in this, e.g.
/// `ep.recv_until(0, &mut buf, &|| ctrl_c_pressed())`.
pub struct AbortWhen<'a>(pub &'a dyn Fn() -> bool);

impl Spin for AbortWhen<'_> {
    fn keep_waiting(&mut self) -> bool {
        if (self.0)() {
            return false;
        }
        spin_loop();
        true
    }
}
