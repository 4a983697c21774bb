# GDB script for ringlab: `gdb -x kernel/ringlab.gdb` from the repository root
# while `cargo xtask run --gdb` waits. Loads symbols and attaches to QEMU.
set confirm off
set pagination off
set architecture i386:x86-64
file target/x86_64-unknown-none/release/kernel
target remote localhost:1234
# Stop once the boot path reaches Rust (hardware breakpoint: paging is not on yet).
hbreak kernel_main
echo ringlab: attached; 'continue' runs to kernel_main.\n
