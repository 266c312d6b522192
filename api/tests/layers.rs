//! The shape of `api/src`, checked from the source text: the file-level import graph has
//! no cycles, every import points to the same or a lower layer, and `domain/` uses no
//! database, web or I/O crate. See docs/architecture.md ("Layers") for the picture.
//!
//! An import is any path that names a module of this crate: `crate::a::b` (in `use` lines,
//! `use` groups and inline paths), `super::…`, `self::…`, a child module by name, and
//! `handoff::…` in main.rs. It is an edge to the file of the longest module prefix of the
//! path. Comments, strings and `#[cfg(test)]` modules are ignored.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// A file's layer: it may import only from its own layer or lower ones.
fn layer(module: &[String]) -> Option<(u8, &'static str)> {
    let top = module.first().map(String::as_str).unwrap_or("");
    Some(match top {
        "domain" => (0, "domain"),
        "config" | "error" | "telemetry" => (1, "foundation (config, error, telemetry)"),
        "db" => (2, "db"),
        "views" => (3, "views"),
        "assistant" | "mail" | "webhooks" | "events" | "outbox" | "auth" | "ratelimit"
        | "metrics" | "storage" => (4, "adapters"),
        "state" => (5, "state"),
        "services" => (6, "services"),
        "routes" | "mcp" | "http" | "worker" | "inbound_smtp" | "openapi" => {
            (7, "entry points (routes, mcp, http, worker, inbound_smtp)")
        }
        "app" => (8, "app"),
        "<main>" => (9, "main"),
        _ => return None,
    })
}

/// Crates `domain/` must not use: the database, the web framework and I/O.
const NOT_IN_DOMAIN: &[&str] = &[
    "diesel",
    "diesel_async",
    "diesel_migrations",
    "actix_web",
    "actix_cors",
    "actix_files",
    "tokio",
    "tokio_postgres",
    "deadpool",
    "reqwest",
    "lettre",
    "async_openai",
    "object_store",
    "std::fs",
    "std::net::TcpStream",
];

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Import {
    from: PathBuf,
    to: PathBuf,
    line: usize,
    path: String,
}

#[derive(Debug, Default)]
struct Report {
    /// Every file-level import found.
    imports: Vec<Import>,
    cycles: Vec<Vec<Import>>,
    upward: Vec<Import>,
    impure_domain: Vec<(PathBuf, usize, String)>,
}

impl Report {
    fn is_clean(&self) -> bool {
        self.cycles.is_empty() && self.upward.is_empty() && self.impure_domain.is_empty()
    }

    fn describe(&self) -> String {
        let mut out = String::new();
        for (i, cycle) in self.cycles.iter().enumerate() {
            out.push_str(&format!("import cycle {}:\n", i + 1));
            for e in cycle {
                out.push_str(&format!(
                    "  {} -> {}   ({}:{}: {})\n",
                    e.from.display(),
                    e.to.display(),
                    e.from.display(),
                    e.line,
                    e.path
                ));
            }
        }
        for e in &self.upward {
            out.push_str(&format!(
                "upward import: {}:{} uses {} ({}), a higher layer\n",
                e.from.display(),
                e.line,
                e.path,
                e.to.display()
            ));
        }
        for (file, line, what) in &self.impure_domain {
            out.push_str(&format!(
                "domain/ must stay pure: {}:{} uses {what}\n",
                file.display(),
                line
            ));
        }
        out
    }
}

// ------------------------------------------------------------------ reading the source

/// The source with comments, string and char literals blanked (newlines kept).
fn strip(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || (next == Some('#') && !prev_ident(&b, i))) {
            // Raw string: r"…", r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            'raw: while j < b.len() {
                if b[j] == '"' {
                    let mut k = 0;
                    while k < hashes && b.get(j + 1 + k) == Some(&'#') {
                        k += 1;
                    }
                    if k == hashes {
                        j += 1 + hashes;
                        break 'raw;
                    }
                }
                j += 1;
            }
            for ch in &b[i..j.min(b.len())] {
                out.push(blank(*ch));
            }
            i = j;
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < b.len() {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if next == Some('\\') {
                let mut j = i + 2;
                while j < b.len() && b[j] != '\'' {
                    j += 1;
                }
                for _ in i..=j.min(b.len() - 1) {
                    out.push(' ');
                }
                i = j + 1;
            } else if b.get(i + 2) == Some(&'\'') {
                out.push_str("   ");
                i += 3;
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev_ident(b: &[char], i: usize) -> bool {
    i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_')
}

/// Blanks `#[cfg(test)]` items (test modules and test-only `use` lines).
fn without_tests(code: &str) -> String {
    let mut out: Vec<char> = code.chars().collect();
    let text: String = out.iter().collect();
    let mut search = 0;
    while let Some(pos) = text.get(search..).and_then(|t| t.find("#[cfg(test)]")) {
        let start = search + pos;
        let chars_before = text.get(..start).map(|t| t.chars().count()).unwrap_or(0);
        // The item ends at its `;` or at the brace closing its first `{`.
        let mut depth = 0usize;
        let mut end = out.len();
        for (k, ch) in out
            .iter()
            .enumerate()
            .skip(chars_before + "#[cfg(test)]".len())
        {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = k + 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    end = k + 1;
                    break;
                }
                _ => {}
            }
        }
        for ch in out.iter_mut().take(end).skip(chars_before) {
            if *ch != '\n' {
                *ch = ' ';
            }
        }
        search = start + "#[cfg(test)]".len();
    }
    out.into_iter().collect()
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Parses a path starting at `i` (after its first segment's `::`): the segments, and the
/// expansion of `{…}` groups. Returns the full paths.
fn parse_tree(b: &[char], mut i: usize, prefix: Vec<String>) -> Vec<Vec<String>> {
    let mut segs = prefix;
    loop {
        while i < b.len() && b[i].is_whitespace() {
            i += 1;
        }
        if i < b.len() && b[i] == '{' {
            // A group: split at top-level commas.
            let mut depth = 0;
            let mut j = i;
            let mut items = vec![];
            let mut item_start = i + 1;
            while j < b.len() {
                match b[j] {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            items.push((item_start, j));
                            break;
                        }
                    }
                    ',' if depth == 1 => {
                        items.push((item_start, j));
                        item_start = j + 1;
                    }
                    _ => {}
                }
                j += 1;
            }
            let mut out = vec![];
            for (s, e) in items {
                let item: Vec<char> = b[s..e].to_vec();
                let text: String = item.iter().collect();
                let t = text.trim();
                if t.is_empty() {
                    continue;
                }
                if t == "self" || t.starts_with("self ") {
                    out.push(segs.clone());
                    continue;
                }
                out.extend(parse_tree(&item, 0, segs.clone()));
            }
            return out;
        }
        let start = i;
        while i < b.len() && is_ident(b[i]) {
            i += 1;
        }
        if i == start {
            return vec![segs];
        }
        segs.push(b[start..i].iter().collect());
        if b.get(i) == Some(&':') && b.get(i + 1) == Some(&':') {
            i += 2;
        } else {
            return vec![segs];
        }
    }
}

/// Every crate path in the code, with its line, made absolute (from the crate root).
fn paths_in(
    code: &str,
    module: &[String],
    children: &BTreeSet<String>,
    root: &str,
) -> Vec<(usize, String, Vec<String>)> {
    let b: Vec<char> = code.chars().collect();
    let mut found = vec![];
    let mut line = 1;
    let mut i = 0;
    while i < b.len() {
        if b[i] == '\n' {
            line += 1;
        }
        if is_ident(b[i]) && (i == 0 || !(is_ident(b[i - 1]) || b[i - 1] == ':')) {
            let start = i;
            while i < b.len() && is_ident(b[i]) {
                i += 1;
            }
            let word: String = b[start..i].iter().collect();
            if b.get(i) == Some(&':') && b.get(i + 1) == Some(&':') {
                let base: Option<Vec<String>> = match word.as_str() {
                    w if w == root => Some(vec![]),
                    "super" => {
                        let mut m = module.to_vec();
                        m.pop();
                        Some(m)
                    }
                    "self" => Some(module.to_vec()),
                    w if children.contains(w) => {
                        let mut m = module.to_vec();
                        m.push(w.to_string());
                        Some(m)
                    }
                    _ => None,
                };
                if let Some(mut base) = base {
                    // `super::super::x`
                    let mut j = i + 2;
                    while b
                        .get(j..j + 7)
                        .is_some_and(|s| s.iter().collect::<String>() == "super::")
                    {
                        base.pop();
                        j += 7;
                    }
                    for p in parse_tree(&b, j, base) {
                        let text = format!("{root}::{}", p.join("::"));
                        found.push((line, text, p));
                    }
                }
            }
            continue;
        }
        i += 1;
    }
    found
}

/// The crate's files: module path → file.
fn modules(src: &Path) -> BTreeMap<Vec<String>, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap_or(&path).to_path_buf();
            let mut parts: Vec<String> = rel
                .iter()
                .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
                .collect();
            match parts.last().map(String::as_str) {
                Some("mod") | Some("lib") => {
                    parts.pop();
                }
                Some("main") if parts.len() == 1 => parts = vec!["<main>".into()],
                _ => {}
            }
            out.insert(parts, rel);
        }
    }
    out
}

fn check(src: &Path) -> Report {
    let mods = modules(src);
    let mut imports: Vec<Import> = vec![];
    let mut report = Report::default();
    for (module, file) in &mods {
        let Ok(raw) = fs::read_to_string(src.join(file)) else {
            continue;
        };
        let code = without_tests(&strip(&raw));
        let is_main = module.first().map(String::as_str) == Some("<main>");
        let (root, here): (&str, Vec<String>) = if is_main {
            ("handoff", vec![])
        } else {
            ("crate", module.clone())
        };
        let children: BTreeSet<String> = mods
            .keys()
            .filter(|m| m.len() == here.len() + 1 && m.starts_with(&here) && !is_main)
            .filter_map(|m| m.last().cloned())
            .collect();
        for (line, text, path) in paths_in(&code, &here, &children, root) {
            let target = (1..=path.len())
                .rev()
                .map(|k| path[..k].to_vec())
                .find(|p| mods.contains_key(p));
            if let Some(target) = target
                && &target != module
            {
                imports.push(Import {
                    from: file.clone(),
                    to: mods[&target].clone(),
                    line,
                    path: text,
                });
            }
        }
        if module.first().map(String::as_str) == Some("domain") {
            for (n, l) in code.lines().enumerate() {
                for c in NOT_IN_DOMAIN {
                    let hit = l.match_indices(c).any(|(at, _)| {
                        let before = l.get(..at).and_then(|s| s.chars().last());
                        let after = l.get(at + c.len()..);
                        !before.is_some_and(|ch| is_ident(ch) || ch == ':')
                            && after.is_some_and(|a| a.starts_with("::") || a.starts_with(';'))
                    });
                    if hit {
                        report
                            .impure_domain
                            .push((file.clone(), n + 1, (*c).to_string()));
                    }
                }
            }
        }
    }
    imports.sort();
    imports.dedup_by(|a, b| a.from == b.from && a.to == b.to);

    // Layers: the module of each file.
    let module_of: BTreeMap<&PathBuf, &Vec<String>> = mods.iter().map(|(m, f)| (f, m)).collect();
    for e in &imports {
        let (Some(from), Some(to)) = (layer(module_of[&e.from]), layer(module_of[&e.to])) else {
            continue;
        };
        if to.0 > from.0 {
            report.upward.push(e.clone());
        }
    }

    // Cycles: strongly connected components of more than one file (Tarjan).
    let files: Vec<&PathBuf> = mods.values().collect();
    let index_of: BTreeMap<&PathBuf, usize> =
        files.iter().enumerate().map(|(i, f)| (*f, i)).collect();
    let mut adj: Vec<Vec<usize>> = vec![vec![]; files.len()];
    for e in &imports {
        adj[index_of[&e.from]].push(index_of[&e.to]);
    }
    for scc in tarjan(&adj) {
        if scc.len() < 2 {
            continue;
        }
        let members: BTreeSet<usize> = scc.iter().copied().collect();
        let cycle: Vec<Import> = imports
            .iter()
            .filter(|e| members.contains(&index_of[&e.from]) && members.contains(&index_of[&e.to]))
            .cloned()
            .collect();
        report.cycles.push(cycle);
    }
    report.imports = imports;
    report
}

fn tarjan(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    struct T<'a> {
        adj: &'a [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(t: &mut T<'_>, v: usize) {
        t.index[v] = Some(t.next);
        t.low[v] = t.next;
        t.next += 1;
        t.stack.push(v);
        t.on[v] = true;
        for &w in &t.adj[v] {
            match t.index[w] {
                None => {
                    visit(t, w);
                    t.low[v] = t.low[v].min(t.low[w]);
                }
                Some(iw) if t.on[w] => t.low[v] = t.low[v].min(iw),
                _ => {}
            }
        }
        if Some(t.low[v]) == t.index[v] {
            let mut scc = vec![];
            while let Some(w) = t.stack.pop() {
                t.on[w] = false;
                scc.push(w);
                if w == v {
                    break;
                }
            }
            t.out.push(scc);
        }
    }
    let n = adj.len();
    let mut t = T {
        adj,
        index: vec![None; n],
        low: vec![0; n],
        on: vec![false; n],
        stack: vec![],
        next: 0,
        out: vec![],
    };
    for v in 0..n {
        if t.index[v].is_none() {
            visit(&mut t, v);
        }
    }
    t.out
}

// ------------------------------------------------------------------ the checks

#[test]
fn the_source_has_no_import_cycles_and_imports_only_downwards() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let report = check(&src);
    assert!(report.is_clean(), "\n{}", report.describe());
    // The parse sees the real graph: a few edges every reader of the code would name.
    for (from, to) in [
        ("routes/tickets.rs", "services/tickets.rs"),
        ("services/tickets.rs", "db/tickets.rs"),
        ("services/visitor_turn.rs", "domain/handoff.rs"),
        ("db/enums.rs", "domain/enums.rs"),
        ("worker.rs", "webhooks/mod.rs"),
        ("<main>", "app.rs"),
    ] {
        let from = if from == "<main>" { "main.rs" } else { from };
        assert!(
            report
                .imports
                .iter()
                .any(|e| e.from == Path::new(from) && e.to == Path::new(to)),
            "expected an import {from} -> {to}; found {} imports",
            report.imports.len()
        );
    }
}

/// A throwaway crate tree with the given files.
fn fixture(files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "handoff-layers-{}-{}",
        std::process::id(),
        files.len() * 31 + files.first().map(|f| f.1.len()).unwrap_or(0)
    ));
    let _ = fs::remove_dir_all(&dir);
    for (path, text) in files {
        let p = dir.join(path);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
        }
        fs::write(&p, text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    }
    dir
}

#[test]
fn a_reintroduced_back_edge_is_caught() {
    // db imports a service, which imports db: a cycle, and an upward import.
    let dir = fixture(&[
        (
            "lib.rs",
            "pub mod db;\npub mod services;\npub mod domain;\n",
        ),
        ("db/mod.rs", "pub mod tickets;\n"),
        (
            "db/tickets.rs",
            "use crate::services::tickets::create;\n// crate::views::nothing (a comment)\nlet s = \"crate::app::x\";\n",
        ),
        ("services/mod.rs", "pub mod tickets;\n"),
        (
            "services/tickets.rs",
            "use crate::{db::tickets as store, domain::{self, rules::X}};\npub fn create() {}\n",
        ),
        ("domain/mod.rs", "pub mod rules;\n"),
        (
            "domain/rules.rs",
            "use diesel::prelude::*;\npub struct X;\n#[cfg(test)]\nmod tests { use tokio::time; use crate::db::tickets; }\n",
        ),
    ]);
    let report = check(&dir);
    let _ = fs::remove_dir_all(&dir);
    let text = report.describe();
    assert_eq!(report.cycles.len(), 1, "{text}");
    assert!(
        text.contains("db/tickets.rs -> services/tickets.rs"),
        "{text}"
    );
    assert!(
        text.contains("services/tickets.rs -> db/tickets.rs"),
        "{text}"
    );
    assert_eq!(report.upward.len(), 1, "{text}");
    assert!(text.contains("upward import: db/tickets.rs:1"), "{text}");
    // Only the real import counts: not the comment, the string or the test module.
    assert_eq!(report.impure_domain.len(), 1, "{text}");
    assert!(text.contains("domain/rules.rs:1 uses diesel"), "{text}");
}

#[test]
fn child_modules_and_super_paths_are_imports() {
    let dir = fixture(&[
        ("lib.rs", "pub mod assistant;\n"),
        (
            "assistant/mod.rs",
            "pub mod builtin;\npub trait Assistant {}\npub fn make() -> builtin::Builtin { builtin::Builtin }\n",
        ),
        (
            "assistant/builtin.rs",
            "use super::Assistant;\npub struct Builtin;\nimpl Assistant for Builtin {}\n",
        ),
    ]);
    let report = check(&dir);
    let _ = fs::remove_dir_all(&dir);
    assert_eq!(report.cycles.len(), 1, "{}", report.describe());
}
