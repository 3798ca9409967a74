//! The hand-written multi-row INSERT stores every value exactly as sea-orm's
//! own insert does: decimals, JSON (bound as text, stored as text), instants with sub-second digits, a
//! renamed column (`phone_2`), and NULLs left out of the statement.

use std::str::FromStr;

use chrono::{TimeZone, Utc};
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, NotSet, Statement};

use super::{insert_rows, insert_rows_without_ids};
use entity::{DecimalText, customer, event};

async fn database() -> (tempfile::TempDir, DatabaseConnection, i64) {
    let (dir, _, db) = crate::db::migrated_sqlite_file().await;
    let insert = "INSERT INTO tenant (name, is_test, link_secret, created, timezone) \
                  VALUES ('t', false, 's', '2026-01-01 00:00:00+00:00', 'Europe/Berlin')";
    let done = db.write.execute(Statement::from_string(db.backend(), insert)).await.expect("tenant");
    let tenant = i64::try_from(done.last_insert_id()).expect("id");
    (dir, db.write, tenant)
}

fn customers(tenant: i64) -> Vec<customer::Model> {
    let at =
        Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).single().expect("instant") + chrono::Duration::microseconds(123_456);
    let full = customer::Model {
        tenant_id: tenant,
        customer_number: 7,
        customer_ext_uid: Some("ext-ü-1".into()),
        customer_type: "business".into(),
        organization: Some("Müller & Söhne \"GmbH\"".into()),
        phone_2: Some("+49 30 1234".into()),
        x_attributes: Some(serde_json::json!({"plan": "gold", "n": [1, 2.5, null]})),
        credit_balance: DecimalText(Decimal::from_str("12345678901234.0000000001").expect("decimal")),
        days_for_payment: Some(14),
        created: at,
        updated: at,
        deleted: Some(at + chrono::Duration::days(1)),
        invoice_delivery_method: "mail".into(),
        ..customer::Model::default()
    };
    let bare = customer::Model {
        tenant_id: tenant,
        customer_number: 8,
        customer_type: "consumer".into(),
        credit_balance: DecimalText(Decimal::ZERO),
        created: at,
        updated: at,
        invoice_delivery_method: "none".into(),
        ..customer::Model::default()
    };
    vec![full, bare]
}

async fn stored(db: &DatabaseConnection, ids: &[i64]) -> Vec<customer::Model> {
    let mut rows = Vec::new();
    for id in ids {
        rows.push(customer::Entity::find_by_id(*id).one(db).await.expect("read").expect("row"));
    }
    rows
}

#[tokio::test]
async fn rows_read_back_as_sea_orms_own_insert_stores_them() {
    let (_dir, db, tenant) = database().await;
    let rows = customers(tenant);
    let ids = insert_rows::<customer::Entity, _>(&db, &rows).await.expect("insert");
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[1], ids[0] + 1, "consecutive ids in row order");

    let mut theirs = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let mut active = row.clone().into_active_model().reset_all();
        active.id = NotSet;
        active.customer_number = sea_orm::Set(100 + i64::try_from(i).expect("small"));
        active.customer_ext_uid = sea_orm::Set(row.customer_ext_uid.as_ref().map(|u| format!("{u}-b")));
        theirs.push(active.insert(&db).await.expect("sea-orm insert").id);
    }
    let text = |id: i64| {
        let sql = format!(
            "SELECT CAST(created AS TEXT) || '|' || CAST(deleted AS TEXT) || '|' || CAST(x_attributes AS TEXT) \
             || '|' || typeof(x_attributes) || '|' || CAST(credit_balance AS TEXT) AS t FROM customer WHERE id = {id}"
        );
        let db = db.clone();
        async move {
            let row = db.query_one(Statement::from_string(db.get_database_backend(), sql)).await.expect("read");
            row.and_then(|r| r.try_get::<Option<String>>("", "t").ok().flatten())
        }
    };
    assert_eq!(text(ids[0]).await, text(theirs[0]).await, "the same stored text");
    assert!(text(ids[0]).await.is_some_and(|t| t.contains("12345678901234.0000000001")));
    let (mine, theirs) = (stored(&db, &ids).await, stored(&db, &theirs).await);
    for ((mine, theirs), given) in mine.iter().zip(&theirs).zip(&rows) {
        let expected = customer::Model { id: mine.id, ..given.clone() };
        assert_eq!(*mine, expected, "every value as given");
        assert_eq!(
            customer::Model {
                id: mine.id,
                customer_number: mine.customer_number,
                customer_ext_uid: mine.customer_ext_uid.clone(),
                ..theirs.clone()
            },
            *mine,
            "as sea-orm stores it"
        );
    }
}

#[tokio::test]
async fn a_single_row_and_rows_without_ids_are_written_too() {
    let (_dir, db, tenant) = database().await;
    let one = insert_rows::<customer::Entity, _>(&db, &customers(tenant)[1..]).await.expect("insert");
    assert_eq!(stored(&db, &one).await[0].customer_number, 8);
    let at = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).single().expect("instant");
    let events: Vec<event::Model> = (0..3)
        .map(|i| event::Model {
            id: 0,
            tenant_id: tenant,
            subject: "usage".into(),
            subject_id: i,
            event_type: "subscription.usage_recorded".into(),
            data: serde_json::json!({"QUANTITY": format!("{i}.5")}),
            created: at,
        })
        .collect();
    insert_rows_without_ids::<event::Entity, _>(&db, &events).await.expect("insert");
    let back = event::Entity::find().all(&db).await.expect("read");
    let back: Vec<event::Model> = back.into_iter().map(|e| event::Model { id: 0, ..e }).collect();
    assert_eq!(back, events);
}
