//! `vq`: looking inside the VirtIOBus queues: list them, dump one (its
//! descriptor table and both rings), watch one live, show traffic per pair,
//! send or receive one message by hand, check every queue's invariants, and
//! (for the hardening lesson) corrupt a used entry on purpose.

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt::Write;

use bus::Corruption;
use shell::{Args, Command, CoreSet, Error};

use super::{Kernel, jobs};
use crate::cores::{self, JobContext, Work};
use crate::{core_bus, input, time};

/// `vq <list|dump|watch|stats|corrupt> ...`.
pub const VQ: Command<Kernel> = Command {
    name: "vq",
    summary: "inspect and exercise the VirtIOBus virtqueues (list, dump, watch, stats, send, recv, check, corrupt)",
    usage: "vq list | vq dump|watch <src> <dst> | vq stats | vq send <src> <dst> <text> | vq recv <src> <dst> | vq check | vq corrupt <src> <dst> <id|posted|len|mismatch>",
    help: "vq list: every queue. vq dump <src> <dst>: the queue carrying messages from <src> to \
           <dst>: its indices, event indices (used_event, avail_event) and counters, and one row \
           per descriptor with its state (posted, filled-unread, free). vq watch refreshes the \
           dump until Ctrl-C. vq stats: messages, bytes and notifications (sent, suppressed) \
           per pair, and the bus mode. The view is a racy snapshot: it is read with atomic \
           loads while the two cores keep running, so fields may come from slightly different moments, but it \
           never takes a lock, never writes, and cannot disturb or break the queue. \
           vq send makes <src> send <text> to <dst> and leaves it unread; vq recv makes <dst> \
           receive the oldest message from <src> (try them between two dumps). vq check verifies \
           every queue: indices in order within the ring, every buffer accounted for in ring order, \
           each unread entry naming the buffer posted at its position with a length that fits a buffer \
           (it reads no buffer, so a length that disagrees with the fragment header shows only when the \
           receiver takes it), and, for queues whose cores neither run a job nor are faulted, nothing in flight and \
           every message sent received, lost or damaged. vq corrupt damages the oldest unread used entry (id out of range, an id not posted, a \
           length past the buffer, or a length that disagrees with the fragment header) so you \
           can see the receiver reject it.",
    example: "vq dump 1 0",
    run: vq_command,
};

fn vq_command(_: &mut Kernel, args: &mut Args<'_>, out: &mut dyn Write) -> Result<(), Error> {
    match args.positional::<&str>("subcommand")? {
        "list" => {
            args.finish()?;
            Ok(core_bus::list_queues(out)?)
        }
        "stats" => {
            args.finish()?;
            Ok(write!(out, "{}", core_bus::get().stats())?)
        }
        "check" => {
            args.finish()?;
            check(out)
        }
        "dump" => {
            let (src, dst) = queue_arguments(args)?;
            args.finish()?;
            Ok(write!(out, "{}", snapshot(src, dst)?)?)
        }
        "watch" => {
            let (src, dst) = queue_arguments(args)?;
            args.finish()?;
            watch(src, dst, out)
        }
        "send" => {
            let (src, dst) = queue_arguments(args)?;
            let text = String::from(args.positional::<&str>("text")?);
            args.finish()?; // before sending: `vq send 1 2 a b` sends nothing
            on_core(src, out, move |endpoint| {
                match endpoint.try_send(dst, text.as_bytes()) {
                    Ok(()) => alloc::format!(
                        "Core[{src}] -> Core[{dst}]: sent {:?} (len {}), unread",
                        text,
                        text.len()
                    ),
                    Err(why) => alloc::format!("error: core {src} could not send: {why}"),
                }
            })
        }
        "recv" => {
            let (src, dst) = queue_arguments(args)?;
            args.finish()?; // before receiving: the message would be lost
            on_core(dst, out, move |endpoint| {
                let mut buf = alloc::vec![0u8; bus::MAX_MESSAGE];
                match endpoint.try_recv(src, &mut buf) {
                    Ok(len) => alloc::format!(
                        "Core[{src}] -> Core[{dst}]: {:?}",
                        String::from_utf8_lossy(&buf[..len])
                    ),
                    Err(why) => {
                        alloc::format!("error: core {dst} received nothing from core {src}: {why}")
                    }
                }
            })
        }
        "corrupt" => {
            let (src, dst) = queue_arguments(args)?;
            let what: &str = args.positional("what")?;
            args.finish()?; // before damaging anything
            corrupt(src, dst, what, out)
        }
        other => Err(Error::invalid(alloc::format!(
            "unknown vq subcommand '{other}' (valid: list, dump, watch, stats, send, recv, check, corrupt)"
        ))),
    }
}

/// Runs `act` with `core`'s endpoint on that core and prints the line it
/// returns.
fn on_core(
    core: usize,
    out: &mut dyn Write,
    act: impl FnOnce(&mut bus::Endpoint<'static>) -> String + Send + 'static,
) -> Result<(), Error> {
    let mut act = Some(act);
    let work = move |_core: usize| -> Work {
        let act = act.take();
        Box::new(move |job: &JobContext| {
            if let Some(act) = act {
                let line = core_bus::with_endpoint(job.core(), act);
                crate::println!("{line}");
            }
        })
    };
    jobs::run_on(CoreSet::default().with(core), "vq", false, out, work)?;
    Ok(())
}

/// Reads `<src> <dst>`: two different cores.
fn queue_arguments(args: &Args<'_>) -> Result<(usize, usize), Error> {
    let cores = cores::count();
    let src = shell::parse_core(args.positional("src")?, cores)?;
    let dst = shell::parse_core(args.positional("dst")?, cores)?;
    if src == dst {
        return Err(Error::invalid(alloc::format!(
            "src and dst are both core {src}: a core has no queue to itself"
        )));
    }
    Ok((src, dst))
}

fn snapshot(src: usize, dst: usize) -> Result<bus::QueueSnapshot, Error> {
    core_bus::get()
        .snapshot(src, dst)
        .ok_or_else(|| Error::invalid(alloc::format!("no queue from core {src} to core {dst}")))
}

/// Redraws the dump in place every 200 ms until Ctrl-C.
fn watch(src: usize, dst: usize, out: &mut dyn Write) -> Result<(), Error> {
    const REFRESH_US: u64 = 200_000;
    write!(out, "{}", shell::CLEAR_SCREEN)?;
    loop {
        write!(out, "\x1b[H{}", snapshot(src, dst)?)?;
        writeln!(
            out,
            "\x1b[Kwatching queue Core[{src}]->Core[{dst}]; Ctrl-C stops\x1b[J"
        )?;
        if time::wait_until(REFRESH_US, input::has_interrupt) && input::take_interrupt() {
            return Ok(()); // the Ctrl-C that stops the watch is used up
        }
    }
}

fn corrupt(src: usize, dst: usize, what: &str, out: &mut dyn Write) -> Result<(), Error> {
    let corruption = match what {
        "id" => Corruption::IdOutOfRange,
        "posted" => Corruption::IdNotPosted,
        "len" => Corruption::LenTooLong,
        "mismatch" => Corruption::LenMismatch,
        other => {
            return Err(Error::invalid(alloc::format!(
                "unknown corruption '{other}' (valid: id, posted, len, mismatch)"
            )));
        }
    };
    let done = core_bus::get()
        .corrupt_used(src, dst, corruption)
        .map_err(|why| {
            Error::invalid(alloc::format!(
                "cannot corrupt queue Core[{src}]->Core[{dst}]: {why}"
            ))
        })?;
    writeln!(
        out,
        "used[{}] of Core[{src}]->Core[{dst}]: id {} len {} -> id {} len {}; core {dst}'s next receive from core {src} will reject it",
        done.pos, done.before.id, done.before.len, done.after.id, done.after.len
    )?;
    Ok(())
}

/// `vq check`: every violation, one per line, or `all N queues consistent`.
/// A queue with a running or faulted core at either end is checked for
/// structure only: its messages may still be read (or wait for `cores
/// restart`, which throws them away).
fn check(out: &mut dyn Write) -> Result<(), Error> {
    let busy = |core: usize| {
        matches!(
            cores::state(core),
            cores::CoreState::Running | cores::CoreState::Faulted
        )
    };
    let (queues, violations) = core_bus::get().check(|src, dst| !busy(src) && !busy(dst));
    if violations.is_empty() {
        writeln!(out, "all {queues} queues consistent")?;
        return Ok(());
    }
    for violation in &violations {
        writeln!(out, "{violation}")?;
    }
    Err(Error::invalid(alloc::format!(
        "{} violation(s) in {queues} queues",
        violations.len()
    )))
}
