"""A fake ringlab shell for trace-viewer/tests/console.rs: reads raw bytes
as a serial console delivers them (Enter is CR, Backspace is DEL), echoes
them, and answers each line with `you typed: LINE`; `exit` ends it with
status 7, so the test sees how the pane reports the end."""

import sys

out = sys.stdout.buffer
out.write(b"fake> ")
out.flush()
line = b""
while True:
    c = sys.stdin.buffer.read(1)
    if not c:
        break
    if c == b"\r":
        if line == b"exit":
            out.write(b"\r\nbye\r\n")
            out.flush()
            sys.exit(7)
        out.write(b"\r\nyou typed: " + line + b"\r\nfake> ")
        line = b""
    elif c == b"\x7f":
        line = line[:-1]
        out.write(b"\x08 \x08")
    elif c == b"\x03":
        out.write(b"^C\r\nfake> ")
        line = b""
    else:
        line += c
        out.write(c)
    out.flush()
