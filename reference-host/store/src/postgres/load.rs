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

/// Above this many rows (held before or written now), a load is a bulk load.
const BULK_ABOVE_ROWS: usize = 20_000;

/// Replaces the content of every table with `tables`, atomically.
///
/// Small loads (every test's) `DELETE` the old rows and `COPY` into the indexed tables:
/// cheap for a few hundred rows, where `TRUNCATE`'s fixed cost of replacing every table's
/// files dominates. Bulk loads do what PostgreSQL's manual advises for populating a
/// database: `TRUNCATE`, drop the keys and indexes, `COPY`, then build each index in one
/// sorted pass (with more `maintenance_work_mem`) instead of row by row, and re-add the
/// foreign keys, which validates each with one join instead of a trigger call per row. All of it is
/// one transaction; the index and key definitions are read back from the catalog with
/// `pg_get_indexdef` / `pg_get_constraintdef`, so the migrations stay their only source
/// (a test checks that a bulk load leaves the schema exactly as it found it).
/// Afterwards a bulk load is vacuumed and analysed, so that the listing counts can use
/// index-only scans and the planner has statistics.
pub(crate) fn load(client: &mut Client, tables: &[Table]) -> Result<(), LoadError> {
    let rows: usize = tables.iter().map(|t| t.rows.len()).sum();
    let mut transaction = client.transaction()?;
    let held: i64 = transaction
        .query_one("SELECT (SELECT count(*) FROM clients) + (SELECT count(*) FROM service_catalog)", &[])?
        .get(0);
    let bulk = rows > BULK_ABOVE_ROWS || usize::try_from(held).unwrap_or(usize::MAX) > BULK_ABOVE_ROWS;
    let mut rebuild = Vec::new();
    if bulk {
        transaction.batch_execute("SET LOCAL maintenance_work_mem = '256MB'")?;
        let names: Vec<String> = TABLE_NAMES.iter().map(|name| name.to_string()).collect();
        // Statements written by the server from its catalog: (drop, re-create) pairs.
        // Foreign keys are dropped before the keys they reference and re-added after them.
        let constraints = transaction.query(
            "SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
                    format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname,
                           pg_get_constraintdef(c.oid))
             FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
             WHERE c.contype IN ('f', 'p', 'u') AND t.relnamespace = 'public'::regnamespace
               AND t.relname = ANY($1)
             ORDER BY c.contype = 'f' DESC, c.oid",
            &[&names],
        )?;
        let indexes = transaction.query(
            "SELECT format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid)
             FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
             WHERE t.relnamespace = 'public'::regnamespace AND t.relname = ANY($1)
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
             ORDER BY i.indexrelid",
            &[&names],
        )?;
        for row in constraints.iter().chain(&indexes) {
            transaction.batch_execute(row.get::<_, &str>(0))?;
        }
        rebuild.extend(indexes.iter().chain(constraints.iter().rev()).map(|row| row.get::<_, String>(1)));
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
    for statement in &rebuild {
        transaction.batch_execute(statement)?;
    }
    // Dropping the transaction on any error above rolls it back: nothing half-loaded.
    transaction.commit()?;
    if bulk {
        client.batch_execute(&format!("VACUUM (ANALYZE) {}", TABLE_NAMES.join(", ")))?;
    }
    Ok(())
}

/// Appends `row` as one line of `COPY` text format.
pub(crate) fn encode_row(out: &mut Vec<u8>, row: &[Cell]) {
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
