//! `DecimalText`: a `Decimal` stored as its canonical text on every backend.
//!
//! sea-orm reads SQLite decimals through a binary float, which drifts (`0.1` comes back as
//! `0.1000000000000000055...`) and SQLite's NUMERIC affinity turns short decimal
//! text into REAL on insert. Storing the exact text in a TEXT column is the only
//! portable way to round-trip every amount exactly, so money, quantities and rates
//! use this type in every table.

use std::str::FromStr;

use rust_decimal::Decimal;
use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, StringLen, ValueType, ValueTypeErr};
use sea_orm::{ColIdx, DbErr, QueryResult, TryGetError, TryGetable, Value};
use serde::{Deserialize, Serialize};

/// An exact decimal, persisted as text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DecimalText(pub Decimal);

impl DecimalText {
    /// The wrapped value.
    pub fn get(self) -> Decimal {
        self.0
    }
}

impl From<Decimal> for DecimalText {
    fn from(value: Decimal) -> Self {
        Self(value)
    }
}

impl From<DecimalText> for Value {
    fn from(source: DecimalText) -> Self {
        // `normalize` keeps the text canonical ("1.50" and "1.5" store alike), so
        // equality filters in SQL compare values, not spellings.
        Value::String(Some(Box::new(source.0.normalize().to_string())))
    }
}

impl TryGetable for DecimalText {
    fn try_get_by<I: ColIdx>(res: &QueryResult, idx: I) -> Result<Self, TryGetError> {
        let text = String::try_get_by(res, idx)?;
        Decimal::from_str(&text)
            .map(DecimalText)
            .map_err(|err| TryGetError::DbErr(DbErr::Type(format!("stored decimal {text:?}: {err}"))))
    }
}

impl ValueType for DecimalText {
    fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
        let text = <String as ValueType>::try_from(v)?;
        Decimal::from_str(&text).map(DecimalText).map_err(|_| ValueTypeErr)
    }

    fn type_name() -> String {
        "DecimalText".to_owned()
    }

    fn array_type() -> ArrayType {
        ArrayType::String
    }

    fn column_type() -> ColumnType {
        ColumnType::String(StringLen::None)
    }
}

impl Nullable for DecimalText {
    fn null() -> Value {
        Value::String(None)
    }
}

impl sea_orm::IntoActiveValue<DecimalText> for DecimalText {
    fn into_active_value(self) -> sea_orm::ActiveValue<DecimalText> {
        sea_orm::ActiveValue::Set(self)
    }
}
