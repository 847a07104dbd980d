//! The dependency graph of the workspace, as `cargo metadata` reports it,
//! against the one docs/ARCHITECTURE.md draws (its `dependency-graph`
//! block): no dependency points up or sideways, every package is placed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// The graph docs/ARCHITECTURE.md allows: each package with the packages
/// it may depend on, in the order the block lists them.
fn documented(text: &str) -> Vec<(String, BTreeSet<String>)> {
    let block = text
        .split("```text dependency-graph\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/ARCHITECTURE.md has a ```text dependency-graph block");
    block
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let (name, deps) = line
                .split_once(':')
                .unwrap_or_else(|| panic!("graph line without ':': {line:?}"));
            (
                name.trim().to_owned(),
                deps.split_whitespace().map(str::to_owned).collect(),
            )
        })
        .collect()
}

/// The workspace's own packages with their workspace dependencies (normal
/// and build; dev-dependencies are not layering).
fn actual(root: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(root)
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: Value = serde_json::from_slice(&out.stdout).expect("metadata is JSON");
    let packages = metadata["packages"].as_array().expect("packages");
    let names: BTreeSet<String> = packages
        .iter()
        .map(|p| p["name"].as_str().expect("name").to_owned())
        .collect();
    packages
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .expect("dependencies")
                .iter()
                .filter(|d| d["kind"].as_str() != Some("dev"))
                .filter_map(|d| d["name"].as_str())
                .filter(|name| names.contains(*name))
                .map(str::to_owned)
                .collect();
            (p["name"].as_str().expect("name").to_owned(), deps)
        })
        .collect()
}

/// Every way `actual` departs from `documented`, one line each.
fn violations(
    documented: &[(String, BTreeSet<String>)],
    actual: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<String> {
    let mut found = Vec::new();
    let mut above = BTreeSet::new();
    for (name, allowed) in documented {
        for dep in allowed.difference(&above) {
            found.push(format!(
                "the graph lets {name} depend on {dep}, which is not above it"
            ));
        }
        match actual.get(name) {
            None => found.push(format!(
                "the graph lists {name}, which is not a workspace package"
            )),
            Some(deps) => {
                for dep in deps.difference(allowed) {
                    found.push(format!(
                        "{name} depends on {dep}: not on its line of the graph (up or sideways)"
                    ));
                }
            }
        }
        above.insert(name.clone());
    }
    for name in actual.keys().filter(|name| !above.contains(*name)) {
        found.push(format!(
            "{name} is a workspace package the graph does not place"
        ));
    }
    found
}

#[test]
fn the_dependency_graph_is_the_documented_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("docs/ARCHITECTURE.md")).unwrap();
    let found = violations(&documented(&text), &actual(&root));
    assert!(
        found.is_empty(),
        "docs/ARCHITECTURE.md:\n{}",
        found.join("\n")
    );
}

#[test]
fn an_upward_a_sideways_and_an_unplaced_dependency_are_caught() {
    let graph = documented("```text dependency-graph\na :\nb : a\nc : b\n```");
    let set = |names: &[&str]| {
        names
            .iter()
            .map(|n| (*n).to_owned())
            .collect::<BTreeSet<_>>()
    };
    let mut actual = BTreeMap::from([
        ("a".to_owned(), set(&[])),
        ("b".to_owned(), set(&["a"])),
        ("c".to_owned(), set(&["b"])),
    ]);
    assert!(violations(&graph, &actual).is_empty());
    actual.insert("a".to_owned(), set(&["c"]));
    actual.insert("c".to_owned(), set(&["a", "b"]));
    actual.insert("d".to_owned(), set(&[]));
    let found = violations(&graph, &actual);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].starts_with("a depends on c"));
    assert!(found[1].starts_with("c depends on a"));
    assert!(found[2].starts_with("d is a workspace package"));
    let upward = documented("```text dependency-graph\na : b\nb :\n```");
    assert!(
        violations(
            &upward,
            &BTreeMap::from([("a".to_owned(), set(&["b"])), ("b".to_owned(), set(&[]))])
        )[0]
        .contains("not above it")
    );
}

/// The NEAR contract embeds no engine: nothing in cw-near's wasm32
/// dependency tree is Wasmer or cw-runtime.
#[test]
fn the_near_contract_reaches_no_engine() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args([
            "tree",
            "-p",
            "cw-near",
            "--target",
            "wasm32-unknown-unknown",
            "-e",
            "normal,build",
            "--prefix",
            "none",
            // Not `--offline`: a fresh clone has not downloaded the
            // wasm32-only part of the tree (near-sdk's) when the host
            // tests run; `--locked` keeps the lock file as it is.
            "--locked",
        ])
        .current_dir(&root)
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(tree.lines().any(|l| l.starts_with("cw-chain ")), "{tree}");
    assert!(tree.lines().any(|l| l.starts_with("near-sdk ")), "{tree}");
    let engines: Vec<&str> = tree
        .lines()
        .filter(|l| l.starts_with("wasmer") || l.starts_with("cw-runtime "))
        .collect();
    assert!(engines.is_empty(), "{engines:?}");
}
