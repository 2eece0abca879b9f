//! Loading a fixture into PostgreSQL: one transaction that empties every table and writes
//! each table with one `COPY ... FROM STDIN` (text format), then refreshes the planner's
//! statistics when the data set is large. `COPY` is the fastest way in (BENCHMARKS.md has
//! the time for 100,000 clients); row-by-row `INSERT`s cost a round trip per row.
//!
//! The text format is data, not SQL: a value can never become a statement. Its four special
//! characters (backslash, tab, newline, carriage return) are escaped, and NULL is `\N`.

use crate::tables::{Cell, TABLE_NAMES, Table};
use postgres::Client;
use std::io::Write;

/// Why a load failed: the data (a constraint, a value PostgreSQL refuses) or the database.
pub(crate) enum LoadError {
    Data(String),
    Database(postgres::Error),
}

impl From<postgres::Error> for LoadError {
    fn from(err: postgres::Error) -> Self {
        match err.code().map(|code| code.code()) {
            // Class 22: data exception; class 23: integrity constraint violation.
            Some(code) if code.starts_with("22") || code.starts_with("23") => {
                LoadError::Data(super::error_text(&err))
            }
            _ => LoadError::Database(err),
        }
    }
}

/// Above this many clients and catalog items, emptying the tables uses TRUNCATE.
const TRUNCATE_ABOVE_ROWS: i64 = 20_000;

/// Above this many rows written, the load refreshes the planner's statistics.
const ANALYZE_ABOVE_ROWS: usize = 2_000;

/// Replaces the content of every table with `tables`, atomically.
pub(crate) fn load(client: &mut Client, tables: &[Table]) -> Result<(), LoadError> {
    let mut transaction = client.transaction()?;
    // TRUNCATE replaces every table's files, a fixed cost of a few hundred milliseconds
    // with fsync on; DELETE costs per row. Small data sets (every test's) are deleted,
    // large ones truncated.
    let held: i64 = transaction
        .query_one("SELECT (SELECT count(*) FROM clients) + (SELECT count(*) FROM service_catalog)", &[])?
        .get(0);
    if held > TRUNCATE_ABOVE_ROWS {
        transaction.batch_execute(&format!("TRUNCATE {}", TABLE_NAMES.join(", ")))?;
    } else {
        // Children first; the one cycle (users.contact_id) is checked at commit.
        for name in TABLE_NAMES.iter().rev() {
            transaction.batch_execute(&format!("DELETE FROM {name}"))?;
        }
    }
    let mut buffer = Vec::with_capacity(1 << 16);
    for table in tables.iter().filter(|t| !t.rows.is_empty()) {
        let mut writer =
            transaction.copy_in(&format!("COPY {} ({}) FROM STDIN", table.name, table.columns.join(", ")))?;
        for row in &table.rows {
            encode_row(&mut buffer, row);
            if buffer.len() >= 1 << 16 {
                writer
                    .write_all(&buffer)
                    .map_err(|err| LoadError::Data(format!("COPY into {}: {err}", table.name)))?;
                buffer.clear();
            }
        }
        writer
            .write_all(&buffer)
            .map_err(|err| LoadError::Data(format!("COPY into {}: {err}", table.name)))?;
        buffer.clear();
        writer.finish()?;
    }
    // Dropping the transaction on any error above rolls it back: nothing half-loaded.
    transaction.commit()?;
    // Fresh statistics, so that the first queries on a large data set already use the
    // listing indexes (small ones are planned well without, and ANALYZE costs ~30 ms).
    let rows: usize = tables.iter().map(|t| t.rows.len()).sum();
    if rows > ANALYZE_ABOVE_ROWS {
        client.batch_execute(&format!("ANALYZE {}", TABLE_NAMES.join(", ")))?;
    }
    Ok(())
}

/// Appends `row` as one line of `COPY` text format.
fn encode_row(out: &mut Vec<u8>, row: &[Cell]) {
    for (index, cell) in row.iter().enumerate() {
        if index > 0 {
            out.push(b'\t');
        }
        match cell {
            Cell::Null => out.extend_from_slice(b"\\N"),
            Cell::Text(text) | Cell::Uuid(text) | Cell::Json(text) => escape(out, text),
            Cell::Bool(true) => out.push(b't'),
            Cell::Bool(false) => out.push(b'f'),
            Cell::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        }
    }
    out.push(b'\n');
}

fn escape(out: &mut Vec<u8>, text: &str) {
    for byte in text.bytes() {
        match byte {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            other => out.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_its_special_characters() {
        let mut out = Vec::new();
        encode_row(
            &mut out,
            &[
                Cell::Text("a\tb\nc\rd\\e é".into()),
                Cell::Null,
                Cell::Bool(true),
                Cell::Int(-5),
                Cell::Text(r"\N".into()),
            ],
        );
        assert_eq!(String::from_utf8(out).unwrap(), "a\\tb\\nc\\rd\\\\e é\t\\N\tt\t-5\t\\\\N\n");
    }
}
