//! PostgreSQL multi-row statements that bind one array per column
//! (`SELECT ... FROM unnest($1::bigint[], $2::text[], ...)`) instead of one
//! parameter per value.
//!
//! PostgreSQL plans a statement when its parameters are bound, and a billing
//! chunk's `INSERT ... VALUES` carried about 10,000 of them: binding and
//! planning took a third of the statement's time (see BENCHMARKS.md). With an
//! array per column, the statement has a few dozen parameters whatever the
//! row count, and its text (so its prepared plan) is the same for every chunk.
//!
//! Arrays travel as PostgreSQL's text form of an array, written here, because
//! sea-query's array values cannot carry NULL elements. Each column's values
//! are one kind of [`Value`] (a model's column has one Rust type); a kind not
//! listed in [`array_type`] answers `None`, and the caller writes the rows
//! the old way.

use std::fmt::Write;

use sea_orm::{DbBackend, Statement, Value};

/// The PostgreSQL array type a column of `sample`'s kind binds as. The
/// column's own type takes the elements by assignment (text to varchar,
/// integer to bigint).
fn array_type(sample: &Value) -> Option<&'static str> {
    Some(match sample {
        Value::Bool(_) => "boolean[]",
        Value::TinyInt(_) | Value::SmallInt(_) | Value::Int(_) => "integer[]",
        Value::BigInt(_) => "bigint[]",
        Value::String(_) => "text[]",
        Value::Json(_) => "json[]",
        Value::ChronoDateTimeUtc(_) => "timestamptz[]",
        _ => return None,
    })
}

/// Appends `text` as a quoted array element.
fn push_quoted(out: &mut String, text: &str) {
    out.push('"');
    for ch in text.chars() {
        if ch == '"' || ch == '\\' {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('"');
}

/// Appends `value` as an element of an array's text form; `None` for a kind
/// [`array_type`] does not know.
fn push_element(out: &mut String, value: &Value) -> Option<()> {
    if *value == value.as_null() {
        out.push_str("NULL");
        return Some(());
    }
    match value {
        Value::Bool(Some(b)) => out.push_str(if *b { "t" } else { "f" }),
        Value::TinyInt(Some(n)) => write!(out, "{n}").ok()?,
        Value::SmallInt(Some(n)) => write!(out, "{n}").ok()?,
        Value::Int(Some(n)) => write!(out, "{n}").ok()?,
        Value::BigInt(Some(n)) => write!(out, "{n}").ok()?,
        Value::String(Some(s)) => push_quoted(out, s),
        Value::Json(Some(j)) => push_quoted(out, &j.to_string()),
        // Microseconds, cut as sqlx's binary encoding cuts them, with an
        // explicit offset so the session's time zone plays no part.
        Value::ChronoDateTimeUtc(Some(t)) => write!(out, "\"{}\"", t.format("%Y-%m-%d %H:%M:%S%.6f+00")).ok()?,
        _ => return None,
    }
    Some(())
}

/// One column as a bound array and its cast, `$n::type[]`.
struct Column {
    cast: &'static str,
    literal: String,
}

/// A column's values (all of one kind, so the first names the array type).
fn column(values: &[Value]) -> Option<Column> {
    let cast = array_type(values.first()?)?;
    let mut literal = String::from("{");
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            literal.push(',');
        }
        push_element(&mut literal, value)?;
    }
    literal.push('}');
    Some(Column { cast, literal })
}

/// `unnest($1::t1[], $2::t2[], ...) AS v("c1", "c2", ...)` and its bound
/// arrays, one per column.
pub struct Unnest {
    pub from: String,
    pub values: Vec<Value>,
}

impl Unnest {
    /// `columns[c]` holds column `names[c]`'s values in row order. `None`
    /// when a column holds a kind of value without a text encoding here.
    pub fn new(names: &[&str], columns: &[Vec<Value>]) -> Option<Unnest> {
        Self::build(names, columns, None)
    }

    /// The same with each row's position (1, 2, ...) as one more column,
    /// `ordinal`: `unnest(...) WITH ORDINALITY AS v(names, ordinal)`.
    pub fn with_ordinality(names: &[&str], columns: &[Vec<Value>], ordinal: &str) -> Option<Unnest> {
        Self::build(names, columns, Some(ordinal))
    }

    fn build(names: &[&str], columns: &[Vec<Value>], ordinal: Option<&str>) -> Option<Unnest> {
        let mut arrays = Vec::with_capacity(columns.len());
        let mut values = Vec::with_capacity(columns.len());
        for (i, values_of) in columns.iter().enumerate() {
            let Column { cast, literal } = column(values_of)?;
            arrays.push(format!("${}::{cast}", i + 1));
            values.push(Value::String(Some(Box::new(literal))));
        }
        let from = match ordinal {
            Some(ordinal) => {
                format!("unnest({}) WITH ORDINALITY AS v({}, \"{ordinal}\")", arrays.join(", "), quoted(names))
            }
            None => format!("unnest({}) AS v({})", arrays.join(", "), quoted(names)),
        };
        Some(Unnest { from, values })
    }
}

/// `"a", "b", ...`
pub fn quoted(names: &[&str]) -> String {
    names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
}

/// `INSERT INTO table (names) SELECT * FROM unnest(...)`, `columns` as for
/// [`Unnest::new`]. Rows come out of `unnest` in array order, so new ids
/// follow the rows' order as they do for `VALUES`.
pub fn insert(table: &str, names: &[&str], columns: &[Vec<Value>], returning_id: bool) -> Option<Statement> {
    let Unnest { from, values } = Unnest::new(names, columns)?;
    let mut sql = format!("INSERT INTO \"{table}\" ({}) SELECT * FROM {from}", quoted(names));
    if returning_id {
        sql.push_str(" RETURNING \"id\"");
    }
    Some(Statement::from_sql_and_values(DbBackend::Postgres, sql, values))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_quoted_escaped_and_null() {
        let values = [
            Value::String(Some(Box::new(r#"a "b" \c {d,e} NULL"#.to_owned()))),
            Value::String(None),
            Value::String(Some(Box::new("NULL".to_owned()))),
        ];
        let c = column(&values).expect("strings");
        assert_eq!(c.cast, "text[]");
        assert_eq!(c.literal, r#"{"a \"b\" \\c {d,e} NULL",NULL,"NULL"}"#);
    }

    #[test]
    fn a_column_of_nulls_still_has_its_type_and_unknown_kinds_answer_none() {
        let c = column(&[Value::BigInt(None), Value::BigInt(Some(-3))]).expect("ints");
        assert_eq!((c.cast, c.literal.as_str()), ("bigint[]", "{NULL,-3}"));
        assert!(column(&[Value::Double(Some(1.5))]).is_none());
    }

    #[test]
    fn instants_keep_microseconds_and_say_their_offset() {
        use chrono::TimeZone;
        let at = chrono::Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).single().expect("instant")
            + chrono::Duration::nanoseconds(123_456_789);
        let c = column(&[Value::ChronoDateTimeUtc(Some(Box::new(at)))]).expect("instant");
        assert_eq!(c.literal, r#"{"2026-03-04 05:06:07.123456+00"}"#);
    }
}
