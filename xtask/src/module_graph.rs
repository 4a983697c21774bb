//! The kernel's module graph, read from its sources (`crate::x` paths and
//! exported macros), checked against the layers docs/architecture.md names:
//! no import upwards and no cycle, except the back-edges the doc justifies.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use anyhow::{Context, Result};

/// The crate root's own module name (items of `main.rs`, `crate::item`).
const ROOT: &str = "main";
/// The heading of the doc section with the layer table and the back-edges.
const LAYERS_HEADING: &str = "## Layers";
/// How a justified back-edge starts in that section: "- back-edge `a` → `b`: why".
const BACK_EDGE_MARK: &str = "- back-edge ";

/// Which top-level module of a crate names which other.
#[derive(Debug, Default)]
pub struct ModuleGraph {
    /// Module -> the modules it names (never itself).
    edges: BTreeMap<String, BTreeSet<String>>,
}

/// A source file as the graph sees it: its top-level module and its text.
pub struct Source {
    /// `cores` for `src/cores.rs`, `trace` for `src/trace/drain.rs`, `main` for `src/main.rs`.
    pub module: String,
    /// The file's text.
    pub text: String,
}

impl ModuleGraph {
    /// Reads every `.rs` file under `src_dir` (a crate's `src/`).
    pub fn read(src_dir: &Path) -> Result<Self> {
        let mut sources = Vec::new();
        collect_sources(src_dir, src_dir, &mut sources)?;
        Ok(Self::from_sources(&sources))
    }

    /// Builds the graph from sources whose top-level modules are `sources`'
    /// modules; `crate::x` with `x` none of them is an item of the root.
    pub fn from_sources(sources: &[Source]) -> Self {
        let modules: BTreeSet<&str> = sources.iter().map(|s| s.module.as_str()).collect();
        let macros = exported_macros(sources);
        let mut graph = ModuleGraph::default();
        for source in sources {
            let code = strip_comments(&source.text);
            let named = crate_paths(&code)
                .into_iter()
                .map(|name| match macros.get(name.as_str()) {
                    Some(home) => home.clone(),
                    None if modules.contains(name.as_str()) => name,
                    None => ROOT.to_string(),
                })
                .chain(macro_calls(&code, &macros))
                .chain(root_paths(&source.module, &code, &modules));
            let deps = graph.edges.entry(source.module.clone()).or_default();
            deps.extend(named.filter(|dep| *dep != source.module));
        }
        graph
    }

    /// Every module, sorted.
    pub fn modules(&self) -> impl Iterator<Item = &str> {
        self.edges.keys().map(String::as_str)
    }

    /// Every edge `(from, to)`, sorted.
    pub fn edges(&self) -> impl Iterator<Item = (&str, &str)> {
        self.edges
            .iter()
            .flat_map(|(from, tos)| tos.iter().map(move |to| (from.as_str(), to.as_str())))
    }

    /// The cycles (strongly connected sets of two or more modules) left when
    /// the `allowed` edges are taken out; each sorted, in sorted order.
    pub fn cycles_without(&self, allowed: &[(String, String)]) -> Vec<Vec<String>> {
        let kept = |from: &str, to: &str| !allowed.iter().any(|(a, b)| a == from && b == to);
        let mut tarjan = Tarjan::default();
        for module in self.modules() {
            if !tarjan.index.contains_key(module) {
                tarjan.visit(self, module, &kept);
            }
        }
        let mut cycles: Vec<Vec<String>> = tarjan
            .components
            .into_iter()
            .filter(|component| component.len() > 1)
            .map(|mut component| {
                component.sort();
                component
            })
            .collect();
        cycles.sort();
        cycles
    }
}

/// What docs/architecture.md says the layers are.
#[derive(Debug, Default, PartialEq)]
pub struct Layers {
    /// Modules per layer, lowest layer first.
    pub layers: Vec<Vec<String>>,
    /// The justified back-edges `(from, to)`.
    pub back_edges: Vec<(String, String)>,
}

impl Layers {
    /// Reads the `## Layers` section: its table (one row per layer, highest
    /// first, modules in backticks in the last column) and its
    /// "- back-edge `a` → `b`: why" lines.
    pub fn parse(markdown: &str) -> Self {
        let section = markdown
            .split_once(LAYERS_HEADING)
            .map_or("", |(_, rest)| rest.split("\n## ").next().unwrap_or(""));
        let mut layers = Layers::default();
        for line in section.lines().map(str::trim) {
            if let Some(edge) = line.strip_prefix(BACK_EDGE_MARK) {
                if let [from, to, ..] = backticked(edge.split(':').next().unwrap_or(""))[..] {
                    layers.back_edges.push((from.to_string(), to.to_string()));
                }
            } else if line.starts_with('|') {
                let last = line.trim_end_matches('|').rsplit('|').next().unwrap_or("");
                let modules: Vec<String> = backticked(last).iter().map(|m| m.to_string()).collect();
                if !modules.is_empty() {
                    layers.layers.insert(0, modules);
                }
            }
        }
        layers
    }

    fn layer_of(&self, module: &str) -> Option<usize> {
        self.layers
            .iter()
            .position(|layer| layer.iter().any(|m| m == module))
    }
}

/// The `names` in backticks in `text`, in order.
fn backticked(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// Everything wrong with `graph` as `layers` describe it, one line each:
/// modules in no layer, imports upwards, cycles, and stale back-edges.
pub fn check(graph: &ModuleGraph, layers: &Layers) -> Vec<String> {
    let mut problems = Vec::new();
    for module in graph.modules() {
        if layers.layer_of(module).is_none() {
            problems.push(format!(
                "module `{module}` is in no layer of docs/architecture.md's layer table"
            ));
        }
    }
    let allowed =
        |from: &str, to: &str| layers.back_edges.iter().any(|(a, b)| a == from && b == to);
    for (from, to) in graph.edges() {
        if let (Some(low), Some(high)) = (layers.layer_of(from), layers.layer_of(to))
            && high > low
            && !allowed(from, to)
        {
            problems.push(format!(
                "`{from}` (a lower layer) imports `{to}` (a higher one)"
            ));
        }
    }
    for cycle in graph.cycles_without(&layers.back_edges) {
        problems.push(format!("import cycle among {}", cycle.join(", ")));
    }
    for (from, to) in &layers.back_edges {
        if !graph
            .edges()
            .any(|edge| edge == (from.as_str(), to.as_str()))
        {
            problems.push(format!(
                "documented back-edge `{from}` → `{to}` is not in the code"
            ));
        }
    }
    problems
}

/// Tarjan's strongly connected components, over the kept edges.
#[derive(Default)]
struct Tarjan {
    index: BTreeMap<String, usize>,
    low: BTreeMap<String, usize>,
    stack: Vec<String>,
    on_stack: BTreeSet<String>,
    components: Vec<Vec<String>>,
}

impl Tarjan {
    fn visit(&mut self, graph: &ModuleGraph, module: &str, kept: &impl Fn(&str, &str) -> bool) {
        let n = self.index.len();
        self.index.insert(module.to_string(), n);
        self.low.insert(module.to_string(), n);
        self.stack.push(module.to_string());
        self.on_stack.insert(module.to_string());
        for to in graph.edges.get(module).into_iter().flatten() {
            if !kept(module, to) {
                continue;
            }
            if !self.index.contains_key(to.as_str()) {
                self.visit(graph, to, kept);
                let low = self.low[module].min(self.low[to.as_str()]);
                self.low.insert(module.to_string(), low);
            } else if self.on_stack.contains(to.as_str()) {
                let low = self.low[module].min(self.index[to.as_str()]);
                self.low.insert(module.to_string(), low);
            }
        }
        if self.low[module] == self.index[module] {
            let mut component = Vec::new();
            while let Some(top) = self.stack.pop() {
                self.on_stack.remove(&top);
                let done = top == module;
                component.push(top);
                if done {
                    break;
                }
            }
            self.components.push(component);
        }
    }
}

fn collect_sources(root: &Path, dir: &Path, out: &mut Vec<Source>) -> Result<()> {
    let entries = fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            collect_sources(root, &path, out)?;
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let relative = path.strip_prefix(root)?;
            let first = relative.components().next().context("empty path")?;
            let first = first.as_os_str().to_string_lossy();
            let module = first.strip_suffix(".rs").unwrap_or(&first).to_string();
            let text =
                fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            out.push(Source { module, text });
        }
    }
    Ok(())
}

/// `text` without `//` comments (doc comments included), so a comment that
/// mentions `crate::x` is no import. Strings are kept as they are.
fn strip_comments(text: &str) -> String {
    let mut code = String::with_capacity(text.len());
    for line in text.lines() {
        code.push_str(line_code(line));
        code.push('\n');
    }
    code
}

/// The part of `line` before a `//` that is outside a string literal.
fn line_code(line: &str) -> &str {
    let mut in_string = false;
    let mut escaped = false;
    let bytes = line.as_bytes();
    for (i, &byte) in bytes.iter().enumerate() {
        match byte {
            _ if escaped => escaped = false,
            b'\\' if in_string => escaped = true,
            b'"' => in_string = !in_string,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => return &line[..i],
            _ => {}
        }
    }
    line
}

/// The first name after every `crate::` (not `$crate::`), and every name of
/// a `crate::{a, b::c}` group.
fn crate_paths(code: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        if code[..at].ends_with('$')
            || code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_')
        {
            continue;
        }
        let rest = &code[at + "crate::".len()..];
        match rest.strip_prefix('{') {
            Some(group) => names.extend(group_heads(group)),
            None => names.extend(identifier(rest).map(str::to_string)),
        }
    }
    names
}

/// The first name of each top-level item of a `{...}` use group (its text
/// after the opening brace).
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut item_start = true;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => item_start = true,
            c if item_start && (c.is_alphabetic() || c == '_') => {
                heads.extend(identifier(&group[i..]).map(str::to_string));
                item_start = false;
            }
            _ => {}
        }
    }
    heads
}

fn identifier(text: &str) -> Option<&str> {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    (end > 0).then(|| &text[..end])
}

/// In the crate root, the modules it names by a relative path (`cores::init()`).
fn root_paths(module: &str, code: &str, modules: &BTreeSet<&str>) -> Vec<String> {
    if module != ROOT {
        return Vec::new();
    }
    let named = |name: &&&str| {
        code.match_indices(&format!("{name}::")).any(|(at, _)| {
            !code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':')
        })
    };
    modules
        .iter()
        .filter(named)
        .map(|name| name.to_string())
        .collect()
}

/// `#[macro_export]` macros: name -> the module defining them.
fn exported_macros(sources: &[Source]) -> BTreeMap<String, String> {
    let mut macros = BTreeMap::new();
    for source in sources {
        let mut exported = false;
        for line in source.text.lines().map(str::trim) {
            if line.starts_with("#[macro_export]") {
                exported = true;
            } else if let Some(rest) = line.strip_prefix("macro_rules!") {
                if exported && let Some(name) = identifier(rest.trim_start()) {
                    macros.insert(name.to_string(), source.module.clone());
                }
                exported = false;
            }
        }
    }
    macros
}

/// The homes of the exported macros `code` calls by their bare name (`println!`).
fn macro_calls<'a>(
    code: &'a str,
    macros: &'a BTreeMap<String, String>,
) -> impl Iterator<Item = String> + 'a {
    macros
        .iter()
        .filter(move |(name, _)| {
            code.match_indices(&format!("{name}!")).any(|(at, _)| {
                !code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':')
                    && !code[..at].trim_end().ends_with("macro_rules!")
            })
        })
        .map(|(_, home)| home.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(module: &str, text: &str) -> Source {
        Source {
            module: module.to_string(),
            text: text.to_string(),
        }
    }

    /// A small kernel: arch at the bottom, console and cores above it.
    fn layered() -> Vec<Source> {
        vec![
            source(
                "main",
                "mod arch; mod console; mod cores;\nfn main() { cores::run(); }",
            ),
            source("arch", "pub fn halt() {}"),
            source(
                "console",
                "#[macro_export]\nmacro_rules! println { () => { $crate::console::print() } }\n\
                 use crate::arch;\npub fn print() {}",
            ),
            source(
                "cores",
                "use crate::{arch::halt, console};\nfn f() { println!(); }",
            ),
        ]
    }

    const DOC: &str = "# Architecture\n\n## Layers\n\n| layer | modules |\n|---|---|\n\
                       | top | `main` |\n| cores | `cores` |\n| services | `console` |\n\
                       | arch | `arch` |\n\n## Next\n| x | `y` |\n";

    #[test]
    fn reads_use_groups_paths_and_macro_calls() {
        let graph = ModuleGraph::from_sources(&layered());
        let edges: Vec<_> = graph.edges().collect();
        assert_eq!(
            edges,
            [
                ("console", "arch"),
                ("cores", "arch"),
                ("cores", "console"),
                ("main", "cores")
            ]
        );
    }

    #[test]
    fn comments_and_strings_name_no_module() {
        let graph = ModuleGraph::from_sources(&[
            source(
                "arch",
                "//! see `crate::cores`\nfn f() { let _ = \"a // b\"; } // crate::cores",
            ),
            source("cores", ""),
        ]);
        assert_eq!(graph.edges().count(), 0);
    }

    #[test]
    fn crate_root_items_belong_to_main() {
        let graph = ModuleGraph::from_sources(&[
            source("fault", "use crate::shell_main;"),
            source("main", ""),
        ]);
        assert_eq!(graph.edges().collect::<Vec<_>>(), [("fault", "main")]);
    }

    #[test]
    fn reads_the_layer_table_and_back_edges() {
        let doc = DOC.replace(
            "## Next",
            "- back-edge `arch` → `cores`: the fault path\n\n## Next",
        );
        let layers = Layers::parse(&doc);
        assert_eq!(layers.layers, [["arch"], ["console"], ["cores"], ["main"]]);
        assert_eq!(
            layers.back_edges,
            [("arch".to_string(), "cores".to_string())]
        );
    }

    #[test]
    fn the_layered_graph_passes() {
        let graph = ModuleGraph::from_sources(&layered());
        assert_eq!(check(&graph, &Layers::parse(DOC)), Vec::<String>::new());
    }

    #[test]
    fn a_new_cycle_fails() {
        let mut sources = layered();
        sources[1]
            .text
            .push_str("\nfn g() { crate::cores::run(); }"); // arch -> cores
        let graph = ModuleGraph::from_sources(&sources);
        assert_eq!(graph.cycles_without(&[]), [["arch", "console", "cores"]]);
        let problems = check(&graph, &Layers::parse(DOC));
        assert!(
            problems.contains(&"import cycle among arch, console, cores".to_string()),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("`arch` (a lower layer) imports `cores`"))
        );
    }

    #[test]
    fn a_documented_back_edge_is_allowed_and_must_exist() {
        let mut sources = layered();
        sources[1]
            .text
            .push_str("\nfn g() { crate::cores::run(); }");
        let graph = ModuleGraph::from_sources(&sources);
        let doc = DOC.replace(
            "## Next",
            "- back-edge `arch` → `cores`: the fault path\n\n## Next",
        );
        assert_eq!(check(&graph, &Layers::parse(&doc)), Vec::<String>::new());
        let stale = ModuleGraph::from_sources(&layered());
        assert_eq!(
            check(&stale, &Layers::parse(&doc)),
            ["documented back-edge `arch` → `cores` is not in the code"]
        );
    }

    #[test]
    fn a_module_in_no_layer_fails() {
        let mut sources = layered();
        sources.push(source("programs", "use crate::cores;"));
        let problems = check(&ModuleGraph::from_sources(&sources), &Layers::parse(DOC));
        assert_eq!(
            problems,
            ["module `programs` is in no layer of docs/architecture.md's layer table"]
        );
    }
}
