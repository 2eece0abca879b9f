//! Loading one side of the comparison: a directory holding a WIT package (its `*.wit`
//! files and an optional `deps/` folder), parsed and resolved by wit-parser.

use super::GateError;
use super::finding::Location;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use wit_parser::{PackageId, Resolve, Span};

/// One version of a WIT package, parsed.
#[derive(Debug)]
pub struct WitTree {
    /// What the reports call this side, e.g. `compat/0.1.0/wit` or `HEAD~1:wit`.
    pub label: String,
    /// The directory the files were read from.
    pub dir: PathBuf,
    /// How file names are shown: the directory's files appear as `display_prefix/name`.
    pub display_prefix: String,
    /// The resolved package and its dependencies.
    pub resolve: Resolve,
    /// The package in `dir` itself (not a dependency).
    pub package: PackageId,
    /// File contents by the path wit-parser registered them under (for snippets).
    sources: std::cell::RefCell<HashMap<String, Option<String>>>,
}

impl WitTree {
    /// Parses the WIT package in `dir`. `display_prefix` replaces `dir` in the file names
    /// the reports show.
    pub fn load(dir: &Path, label: &str, display_prefix: &str) -> Result<WitTree, GateError> {
        if !dir.is_dir() {
            return Err(GateError::Input(format!(
                "{} is not a directory holding a WIT package",
                dir.display()
            )));
        }
        let mut resolve = Resolve::default();
        let package = match resolve.push_dir(dir) {
            Ok((package, _)) => package,
            Err(err) => {
                let location = error_location(&resolve, &err).map(|(file, line, column)| Location {
                    file: display(dir, display_prefix, &file),
                    line,
                    column,
                });
                return Err(GateError::InvalidWit {
                    side: label.to_string(),
                    location,
                    message: resolve.render_error(&err),
                });
            }
        };
        Ok(WitTree {
            label: label.to_string(),
            dir: dir.to_path_buf(),
            display_prefix: display_prefix.to_string(),
            resolve,
            package,
            sources: Default::default(),
        })
    }

    /// Where `span` is, with the file shown as the reports show it.
    pub fn location(&self, span: Span) -> Option<Location> {
        let (file, line, column) = split_location(&self.resolve.render_location(span))?;
        Some(Location { file: display(&self.dir, &self.display_prefix, &file), line, column })
    }

    /// The source file holding `span` and the byte offset of the span in it.
    pub(crate) fn source_at(&self, span: Span) -> Option<(String, usize)> {
        let at = self.resolve.source_map.resolve_span(span)?;
        let path = at.path.to_string();
        let mut sources = self.sources.borrow_mut();
        let text =
            sources.entry(path.clone()).or_insert_with(|| std::fs::read_to_string(&path).ok()).clone()?;
        Some((text, at.range.start))
    }
}

impl WitTree {
    /// The span of the `import`/`export` statement of interface `name` inside the world
    /// named at `world_span`. wit-parser keeps no span for interface imports of a resolved
    /// world, so the statement is found in the world's source: `import name;`,
    /// `import ns:pkg/name;` or `import ns:pkg/name@1.2.3;`. `None` when the world does not
    /// spell it out (an import implied by a `use`).
    pub(crate) fn world_statement(&self, world_span: Span, keyword: &str, name: &str) -> Option<Span> {
        let (text, at) = self.source_at(world_span)?;
        let (first_line, block) = super::snippet::item_source(&text, at);
        let block_start: usize = text.split_inclusive('\n').take(first_line - 1).map(str::len).sum();
        let mut offset = block_start;
        for line in block.split_inclusive('\n') {
            let trimmed = line.trim_start();
            if let Some(rest) = trimmed.strip_prefix(keyword).and_then(|r| r.strip_prefix(' ')) {
                let target = rest.split([';', ':', '{']).next().unwrap_or("").trim();
                let target = target.split('@').next().unwrap_or(target);
                let local = target.rsplit('/').next().unwrap_or(target);
                let spelled = target == name || local == name && target.contains(':');
                if spelled {
                    let column = line.len() - trimmed.len();
                    let global = world_span.start() as usize - at + offset + column;
                    let global = u32::try_from(global).ok()?;
                    return Some(Span::new(global, global + keyword.len() as u32));
                }
            }
            offset += line.len();
        }
        None
    }
}

impl WitTree {
    /// The span of the `package` statement declaring `package` (the word `package`).
    /// wit-parser keeps no span for packages, so the statement is found in the source of
    /// the package's interfaces and worlds: `package ns:name;`, `package ns:name@1.2.3;` or
    /// the nested `package ns:name@1.2.3 { .. }`. `None` for a package with no items.
    pub(crate) fn package_statement(&self, package: PackageId) -> Option<Span> {
        let declared = &self.resolve.packages[package];
        let wanted = format!("{}:{}", declared.name.namespace, declared.name.name);
        let item_spans = declared
            .interfaces
            .values()
            .map(|id| self.resolve.interfaces[*id].span)
            .chain(declared.worlds.values().map(|id| self.resolve.worlds[*id].span))
            .filter(|span| span.is_known());
        for span in item_spans {
            let Some((text, at)) = self.source_at(span) else { continue };
            let mut offset = 0;
            for line in text.split_inclusive('\n') {
                let trimmed = line.trim_start();
                if let Some(rest) = trimmed.strip_prefix("package ") {
                    let name = rest.split(['@', ';', '{']).next().unwrap_or("").trim();
                    if name == wanted {
                        let column = line.len() - trimmed.len();
                        let global = u32::try_from(span.start() as usize - at + offset + column).ok()?;
                        return Some(Span::new(global, global + "package".len() as u32));
                    }
                }
                offset += line.len();
            }
        }
        None
    }
}

/// `file:line:column` as wit-parser renders it, split from the right (paths may hold `:`).
fn split_location(rendered: &str) -> Option<(String, u32, u32)> {
    let mut parts = rendered.rsplitn(3, ':');
    let column = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    let file = parts.next()?.to_string();
    Some((file, line, column))
}

/// The first parse or resolve error in `err`'s chain that carries a source span, as
/// `(file, line, column)`.
fn error_location(resolve: &Resolve, err: &anyhow::Error) -> Option<(String, u32, u32)> {
    err.chain().find_map(|layer| {
        let span = if let Some(e) = layer.downcast_ref::<wit_parser::ParseError>() {
            e.kind().span()
        } else if let Some(e) = layer.downcast_ref::<wit_parser::ResolveError>() {
            e.kind().span()
        } else {
            return None;
        };
        split_location(&resolve.source_map.render_location(span))
    })
}

/// `file` (a path under `dir`) shown as `display_prefix/relative`.
fn display(dir: &Path, display_prefix: &str, file: &str) -> String {
    match Path::new(file).strip_prefix(dir) {
        Ok(relative) if display_prefix.is_empty() => relative.display().to_string(),
        Ok(relative) => format!("{display_prefix}/{}", relative.display()),
        Err(_) => file.to_string(),
    }
}
