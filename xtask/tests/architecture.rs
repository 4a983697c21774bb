//! The kernel's module graph stays layered: every module sits in a layer of
//! docs/architecture.md's table, none imports a higher layer, and there is no
//! import cycle other than the back-edges that doc names and justifies.

use xtask::module_graph::{Layers, ModuleGraph, check};
use xtask::workspace;

#[test]
fn the_kernel_module_graph_is_layered_and_acyclic() {
    let root = workspace::root();
    let graph = ModuleGraph::read(&root.join("kernel/src")).expect("kernel sources readable");
    let doc = std::fs::read_to_string(root.join("docs/architecture.md")).expect("architecture.md");
    let problems = check(&graph, &Layers::parse(&doc));
    let edges: Vec<String> = graph.edges().map(|(a, b)| format!("{a} -> {b}")).collect();
    assert!(
        problems.is_empty(),
        "the kernel's module graph breaks docs/architecture.md's layers:\n  {}\n(edges: {})",
        problems.join("\n  "),
        edges.join(", ")
    );
}
