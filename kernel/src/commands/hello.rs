//! `hello`: the command lab 1 has students add (docs/labs/1-shell.md): it
//! greets a name and says which core answers and how many are online.
//! Not built in lab 1's student version (feature `lab-shell`).

use core::fmt::Write;

use shell::{Args, Command, Error};

use super::Kernel;
use crate::arch::cpu;
use crate::cores;

/// `hello [name]`.
pub const HELLO: Command<Kernel> = Command {
    name: "hello",
    summary: "greet someone, and say which core answers and how many are online",
    usage: "hello [name]",
    help: "Prints 'Hello, <name>! I am core <c> of <n>.': <c> is the core running the shell, \
           <n> the number of cores online. Without a name it greets the world.",
    example: "hello Ada",
    run: hello_command,
};

fn hello_command(_: &mut Kernel, args: &mut Args<'_>, out: &mut dyn Write) -> Result<(), Error> {
    let name: &str = args.optional()?.unwrap_or("world");
    args.finish()?;
    writeln!(
        out,
        "Hello, {name}! I am core {} of {}.",
        cpu::core_index(),
        cores::online_count()
    )?;
    Ok(())
}
