//! Keeps docs/bus.md true: its `vq dump` walk-through must be exactly what
//! examples/vq_dump.rs prints today, addresses aside (they change every run).

#[path = "../examples/vq_dump.rs"]
mod example;

/// `text` with every hexadecimal address replaced by `ADDR`.
fn mask_addresses(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let words: Vec<String> = line
            .split(' ')
            .map(
                |w| match w.strip_prefix('@').unwrap_or(w).strip_prefix("0x") {
                    Some(hex) if hex.len() >= 8 && hex.chars().all(|c| c.is_ascii_hexdigit()) => {
                        "ADDR".to_string()
                    }
                    _ => w.to_string(),
                },
            )
            .collect();
        out.push_str(&words.join(" "));
    }
    out
}

/// The body of every ```text block in `markdown`, joined.
fn text_blocks(markdown: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in markdown.lines() {
        match (inside, line.trim_end()) {
            (false, "```text") => inside = true,
            (true, "```") => inside = false,
            (true, l) => {
                out.push_str(l);
                out.push('\n');
            }
            _ => {}
        }
    }
    out
}

#[test]
fn walkthrough_in_docs_matches_the_example() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/bus.md")).unwrap();
    let documented = mask_addresses(&text_blocks(&doc));
    let actual = mask_addresses(&example::walkthrough());
    let squash = |s: &str| {
        s.lines()
            .filter(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        squash(&documented),
        squash(&actual),
        "docs/bus.md is out of date: rerun the example"
    );
}
