//! The source tree stays easy to change: no file in `src/` over 800 lines,
//! no function over 80, and no import cycle between files.
//!
//! The checks read the source as text, with comments and the contents of
//! string and character literals blanked first (so a `{` or `use` in a
//! message or a doc comment counts for nothing):
//!
//! - a function runs from the line of its `fn` keyword to the line of the
//!   brace closing its body, nested functions and closures included;
//! - imports are the `use` statements whose paths start with `crate::` or
//!   `super::` (a `mod.rs` or `lib.rs` re-exporting its own children,
//!   `pub use child::Item`, is how a module presents them, not an import of
//!   them; counting it would make every child that imports an item of its
//!   parent a cycle). A path is mapped to a file by its modules: `crate` is
//!   `src/lib.rs`; `super` is the module above the one the statement is in
//!   (an inline `mod tests { .. }` counts as a module inside its file);
//!   each further segment `m` goes to `m.rs` or `m/mod.rs` beside or below
//!   the module's file while such a file exists, and the path's file is
//!   the last one reached (`crate::waterfall::StopWhen` is
//!   `src/waterfall/mod.rs`, `super::early_stop::StopWhen` from
//!   `src/waterfall/interpret.rs` is `src/waterfall/early_stop.rs`). A
//!   cycle is a set of files each reaching the others through such imports.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_FILE_LINES: usize = 800;
const MAX_FUNCTION_LINES: usize = 80;

/// Files over the line limit, known and being split: remove an entry once
/// its file is within the limit.
const LONG_FILES: &[&str] = &[];

/// Functions over the limit, as `file:function`, known and being split.
const LONG_FUNCTIONS: &[&str] = &[];

/// Known import cycles, as their files joined by ` <-> ` in sorted order
/// (none: add one only with the reason it cannot be broken yet).
const CYCLES: &[&str] = &[];

#[test]
fn no_file_is_over_the_line_limit() {
    let long: Vec<String> = sources()
        .iter()
        .filter(|(_, text)| text.lines().count() > MAX_FILE_LINES)
        .map(|(path, text)| format!("{path} ({} lines)", text.lines().count()))
        .filter(|entry| !LONG_FILES.iter().any(|known| entry.starts_with(known)))
        .collect();
    assert!(long.is_empty(), "over {MAX_FILE_LINES} lines: {long:?}");
}

#[test]
fn no_function_is_over_the_line_limit() {
    let mut long = Vec::new();
    for (path, text) in sources() {
        for (name, lines) in function_lengths(&blank(&text)) {
            let entry = format!("{path}:{name}");
            if lines > MAX_FUNCTION_LINES && !LONG_FUNCTIONS.contains(&entry.as_str()) {
                long.push(format!("{entry} ({lines} lines)"));
            }
        }
    }
    assert!(long.is_empty(), "over {MAX_FUNCTION_LINES} lines: {long:?}");
}

#[test]
fn no_files_import_each_other_in_a_cycle() {
    let sources = sources();
    let files: BTreeSet<String> = sources.keys().cloned().collect();
    let mut imports: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, text) in &sources {
        let targets = imports.entry(path.clone()).or_default();
        for (module, use_path) in use_paths(&blank(text)) {
            let from = [module_of(path), module].concat();
            if let Some(file) = resolve(crate_root(path), &from, &use_path, &files)
                && &file != path
            {
                targets.insert(file);
            }
        }
    }
    let cycles: Vec<String> = cycles(&imports)
        .into_iter()
        .map(|files| files.join(" <-> "))
        .filter(|cycle| !CYCLES.contains(&cycle.as_str()))
        .collect();
    assert!(cycles.is_empty(), "import cycles: {cycles:?}");
}

/// The checks themselves, on made-up source.
#[test]
fn the_checks_read_code_not_comments_or_strings() {
    let text = "// fn commented() {\nfn a() {\n    let s = \"}{ use crate::x;\";\n    let c = '{';\n}\n\
                /* fn b() { */ fn b<'t>(x: &'t [u8; 2]) -> u8 { x[0] }\ntrait T { fn c(&self); }\n";
    let code = blank(text);
    assert_eq!(function_lengths(&code), [("a".into(), 4), ("b".into(), 1)]);
    assert!(use_paths(&code).is_empty());
    let code = blank("use crate::{a::{B, c::D}, e as f};\nmod tests {\n    use super::*;\n}\n");
    let paths = use_paths(&code);
    let expected: Vec<(Vec<String>, Vec<String>)> = [
        (vec![], vec!["crate", "a", "B"]),
        (vec![], vec!["crate", "a", "c", "D"]),
        (vec![], vec!["crate", "e"]),
        (vec!["tests"], vec!["super", "*"]),
    ]
    .into_iter()
    .map(|(module, path)| (strings(&module), strings(&path)))
    .collect();
    assert_eq!(paths, expected);
    let files: BTreeSet<String> = ["src/lib.rs", "src/a/mod.rs", "src/a/c.rs", "src/e.rs"]
        .map(String::from)
        .into();
    let resolve_from = |module: &[&str], path: &[&str]| {
        resolve("src/lib.rs", &strings(module), &strings(path), &files).unwrap()
    };
    assert_eq!(resolve_from(&[], &["crate", "a", "B"]), "src/a/mod.rs");
    assert_eq!(resolve_from(&[], &["crate", "a", "c", "D"]), "src/a/c.rs");
    assert_eq!(resolve_from(&["a", "c"], &["super", "B"]), "src/a/mod.rs");
    assert_eq!(
        resolve_from(&["a", "c", "tests"], &["super", "*"]),
        "src/a/c.rs"
    );
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("x", vec!["y"]),
        ("y", vec!["z"]),
        ("z", vec!["x"]),
        ("w", vec!["x"]),
    ]
    .into_iter()
    .map(|(from, to)| (from.to_owned(), to.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(cycles(&graph), [strings(&["x", "y", "z"])]);
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Every `.rs` file under `src/`, by its path from the package root.
fn sources() -> BTreeMap<String, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = BTreeMap::new();
    let mut folders = vec![root.join("src")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("src/ is readable") {
            let path: PathBuf = entry.expect("src/ is readable").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("source is UTF-8");
                let relative = path.strip_prefix(root).expect("under the root");
                files.insert(relative.to_string_lossy().replace('\\', "/"), text);
            }
        }
    }
    files
}

/// `text` with comments and the contents of string and character literals
/// replaced by spaces, line breaks kept.
fn blank(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let keep_lines = |out: &mut String, from: &[char]| {
        out.extend(from.iter().map(|&c| if c == '\n' { '\n' } else { ' ' }));
    };
    while i < chars.len() {
        let end = literal_or_comment_end(&chars, i);
        if end > i {
            keep_lines(&mut out, &chars[i..end]);
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Where the comment or literal starting at `i` ends (`i` if none starts
/// there).
fn literal_or_comment_end(chars: &[char], i: usize) -> usize {
    let at = |k: usize| chars.get(k).copied().unwrap_or('\0');
    let identifier_before = i > 0 && (at(i - 1).is_alphanumeric() || at(i - 1) == '_');
    match (at(i), at(i + 1)) {
        ('/', '/') => (i..chars.len())
            .find(|&k| chars[k] == '\n')
            .unwrap_or(chars.len()),
        ('/', '*') => {
            let (mut depth, mut k) = (0, i);
            while k < chars.len() {
                match (at(k), at(k + 1)) {
                    ('/', '*') => (depth, k) = (depth + 1, k + 2),
                    ('*', '/') if depth == 1 => return k + 2,
                    ('*', '/') => (depth, k) = (depth - 1, k + 2),
                    _ => k += 1,
                }
            }
            chars.len()
        }
        ('r', '#' | '"') if !identifier_before => raw_string_end(chars, i + 1).unwrap_or(i),
        ('b', '"' | '\'') if !identifier_before => quoted_end(chars, i + 1),
        ('"', _) => quoted_end(chars, i),
        // A character literal, not a lifetime: an escape, or one character
        // and the closing quote.
        ('\'', '\\') => quoted_end(chars, i),
        ('\'', _) if at(i + 2) == '\'' => i + 3,
        _ => i,
    }
}

/// The end of a string or character literal opening with the quote at `i`.
fn quoted_end(chars: &[char], i: usize) -> usize {
    let quote = chars[i];
    let mut k = i + 1;
    while k < chars.len() {
        match chars[k] {
            '\\' => k += 2,
            c if c == quote => return k + 1,
            _ => k += 1,
        }
    }
    chars.len()
}

/// The end of a raw string whose `#`s or quote start at `i` (None: not one).
fn raw_string_end(chars: &[char], i: usize) -> Option<usize> {
    let hashes = chars[i..].iter().take_while(|&&c| c == '#').count();
    if chars.get(i + hashes) != Some(&'"') {
        return None;
    }
    let closing: Vec<char> = std::iter::once('"')
        .chain(std::iter::repeat_n('#', hashes))
        .collect();
    let body = i + hashes + 1;
    (body..chars.len())
        .find(|&k| chars[k..].starts_with(&closing))
        .map(|k| k + closing.len())
}

/// The code's words and punctuation, each with its line (from 1).
fn tokens(code: &str) -> Vec<(String, usize)> {
    let mut tokens = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let mut word = String::new();
        for c in line.chars() {
            if c.is_alphanumeric() || c == '_' {
                word.push(c);
                continue;
            }
            if !word.is_empty() {
                tokens.push((std::mem::take(&mut word), n + 1));
            }
            if !c.is_whitespace() {
                tokens.push((c.to_string(), n + 1));
            }
        }
        if !word.is_empty() {
            tokens.push((word, n + 1));
        }
    }
    tokens
}

fn is_identifier(token: &str) -> bool {
    token.starts_with(|c: char| c.is_alphabetic() || c == '_')
}

/// Each function with a body: its name and its length in lines.
fn function_lengths(code: &str) -> Vec<(String, usize)> {
    let tokens = tokens(code);
    let mut lengths = Vec::new();
    for (i, (token, line)) in tokens.iter().enumerate() {
        let Some((name, _)) = tokens.get(i + 1) else {
            continue;
        };
        if token != "fn" || !is_identifier(name) {
            continue;
        }
        // The body opens at the first `{` outside parentheses and brackets
        // (a `;` there first: a declaration without a body).
        let mut depth = 0i32;
        let mut open = None;
        for (k, (t, _)) in tokens.iter().enumerate().skip(i + 2) {
            match t.as_str() {
                "(" | "[" => depth += 1,
                ")" | "]" => depth -= 1,
                ";" if depth == 0 => break,
                "{" if depth == 0 => {
                    open = Some(k);
                    break;
                }
                _ => {}
            }
        }
        let Some(open) = open else { continue };
        if let Some(close) = matching_brace(&tokens, open) {
            lengths.push((name.clone(), tokens[close].1 - line + 1));
        }
    }
    lengths
}

/// The index of the `}` closing the `{` at `open`.
fn matching_brace(tokens: &[(String, usize)], open: usize) -> Option<usize> {
    let mut depth = 0;
    for (k, (t, _)) in tokens.iter().enumerate().skip(open) {
        match t.as_str() {
            "{" => depth += 1,
            "}" => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

/// Every path the code's `use` statements name that starts with `crate` or
/// `super`, with the inline modules (`mod tests { .. }`) the statement is
/// in, outermost first.
fn use_paths(code: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let tokens = tokens(code);
    let mut paths = Vec::new();
    // Open inline modules: name and the brace depth inside them.
    let mut modules: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < tokens.len() {
        match tokens[i].0.as_str() {
            "{" => depth += 1,
            "}" => {
                if modules.last().is_some_and(|(_, d)| *d == depth) {
                    modules.pop();
                }
                depth -= 1;
            }
            "mod" if tokens.get(i + 2).is_some_and(|t| t.0 == "{") => {
                modules.push((tokens[i + 1].0.clone(), depth + 1));
            }
            "use" => {
                let end = (i..tokens.len()).find(|&k| tokens[k].0 == ";");
                let end = end.unwrap_or(tokens.len());
                let tree: Vec<&str> = tokens[i + 1..end].iter().map(|t| t.0.as_str()).collect();
                let inline: Vec<String> = modules.iter().map(|(m, _)| m.clone()).collect();
                for path in expand(&tree, &[]) {
                    if matches!(path.first().map(String::as_str), Some("crate" | "super")) {
                        paths.push((inline.clone(), path));
                    }
                }
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    paths
}

/// The paths of a use tree (`a::{b, c::d as e}`, as tokens), each after
/// `prefix`; a renaming (`as e`) is dropped.
fn expand(tree: &[&str], prefix: &[String]) -> Vec<Vec<String>> {
    let mut path = prefix.to_vec();
    let mut k = 0;
    while k < tree.len() {
        match tree[k] {
            ":" => k += 1,
            "{" => {
                let mut paths = Vec::new();
                let mut depth = 0;
                let mut start = k + 1;
                for j in k..tree.len() {
                    match tree[j] {
                        "{" => depth += 1,
                        "}" | "," if depth == 1 => {
                            if j > start {
                                paths.extend(expand(&tree[start..j], &path));
                            }
                            start = j + 1;
                            if tree[j] == "}" {
                                return paths;
                            }
                        }
                        "}" => depth -= 1,
                        _ => {}
                    }
                }
                return paths;
            }
            "as" => break,
            "self" if !path.is_empty() => k += 1,
            segment => {
                path.push(segment.to_owned());
                k += 1;
            }
        }
    }
    vec![path]
}

/// The module path of a source file: `src/a/b.rs` and `src/a/b/mod.rs` are
/// `[a, b]`; `src/lib.rs` and `src/main.rs` are `[]` of their crates.
fn module_of(file: &str) -> Vec<String> {
    let inner = file.trim_start_matches("src/").trim_end_matches(".rs");
    let mut segments: Vec<String> = inner.split('/').map(String::from).collect();
    if matches!(
        segments.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        segments.pop();
    }
    segments
}

/// The root file of the crate `file` belongs to: `src/main.rs` and the
/// command-line modules below it form the binary crate.
fn crate_root(file: &str) -> &'static str {
    if file == "src/main.rs" || file.starts_with("src/cli/") {
        "src/main.rs"
    } else {
        "src/lib.rs"
    }
}

/// The file a use path leads to from module `from` of the crate whose root
/// is `root` (see the module docs).
fn resolve(
    root: &str,
    from: &[String],
    path: &[String],
    files: &BTreeSet<String>,
) -> Option<String> {
    let mut module: Vec<String> = Vec::new();
    let mut segments = path.iter().peekable();
    match segments.next().map(String::as_str) {
        Some("crate") => {}
        Some("super") => {
            module = from.to_vec();
            module.pop();
            while segments.peek().is_some_and(|s| *s == "super") {
                segments.next();
                module.pop();
            }
        }
        _ => return None,
    }
    let file_of = |module: &[String]| -> Option<String> {
        if module.is_empty() {
            return Some(root.to_owned());
        }
        let base = format!("src/{}", module.join("/"));
        [format!("{base}.rs"), format!("{base}/mod.rs")]
            .into_iter()
            .find(|f| files.contains(f))
    };
    // The deepest module of the path that is a file; inline modules of
    // that file stay in it.
    let mut file = file_of(&module);
    while file.is_none() && !module.is_empty() {
        module.pop();
        file = file_of(&module);
    }
    for segment in segments {
        module.push(segment.clone());
        match file_of(&module) {
            Some(deeper) => file = Some(deeper),
            None => break,
        }
    }
    file
}

/// The strongly connected sets of more than one file (Tarjan's algorithm),
/// each sorted, in order of their first file.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'g>(state: &mut State<'g>, node: &'g str) {
        let n = state.index.len();
        state.index.insert(node, n);
        state.low.insert(node, n);
        state.stack.push(node);
        for next in state.graph.get(node).into_iter().flatten() {
            let next = next.as_str();
            if !state.index.contains_key(next) {
                visit(state, next);
                let low = state.low[node].min(state.low[next]);
                state.low.insert(node, low);
            } else if state.stack.contains(&next) {
                let low = state.low[node].min(state.index[next]);
                state.low.insert(node, low);
            }
        }
        if state.low[node] == state.index[node] {
            let at = state.stack.iter().rposition(|&s| s == node).unwrap_or(0);
            let mut members: Vec<String> = state.stack.drain(at..).map(String::from).collect();
            if members.len() > 1 {
                members.sort();
                state.found.push(members);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !state.index.contains_key(node.as_str()) {
            visit(&mut state, node);
        }
    }
    state.found.sort();
    state.found
}
