use super::merge;

fn pairs(ids: &[i64]) -> Vec<(i64, i64)> {
    ids.iter().map(|&id| (id, 7)).collect()
}

fn ids(after: &super::After) -> Vec<i64> {
    after.listed.iter().map(|p| p.0).collect()
}

#[test]
fn both_sources_short_of_the_limit_merge_whole_and_complete() {
    let after = merge([pairs(&[2, 5, 9]), pairs(&[3, 4, 10])], 10);
    assert_eq!(ids(&after), vec![2, 3, 4, 5, 9, 10]);
    assert!(after.complete);
}

#[test]
fn a_full_source_cuts_the_other_at_its_last_id() {
    // The events stop at 5 only because of the limit: a booking 10 may come
    // after events 6..9 that were not read, so it waits for the next round.
    let after = merge([pairs(&[1, 2, 5]), pairs(&[3, 10])], 3);
    assert_eq!(ids(&after), vec![1, 2, 3]);
    assert!(!after.complete);
    let after = merge([pairs(&[1, 2, 5]), pairs(&[3, 4, 10])], 3);
    assert_eq!(ids(&after), vec![1, 2, 3], "both full: the lower last id cuts, then the limit");
    assert!(!after.complete);
}

#[test]
fn more_than_the_limit_together_is_not_complete() {
    let after = merge([pairs(&[1, 4]), pairs(&[2, 3])], 3);
    assert_eq!(ids(&after), vec![1, 2, 3]);
    assert!(!after.complete);
}

#[test]
fn nothing_after_the_cursor_is_complete() {
    let after = merge([Vec::new(), Vec::new()], 5);
    assert!(after.listed.is_empty());
    assert!(after.complete);
}

/// A booking row of tenant 1 on subscription 9.
fn booking_sql(id: i64, quantity: &str) -> String {
    let t = "'2024-01-01T00:00:00+00:00'";
    format!(
        "INSERT INTO usage_record (id, tenant_id, subscription_id, customer_id, article_number, description, \
         quantity, unit_price, currency_code, vat_percent, usage_date, created) \
         VALUES ({id}, 1, 9, 4, 'CALL', 'Call', '{quantity}', '1', 'EUR', '19', {t}, {t})"
    )
}

/// A database that booked usage before bookings were events: those bookings
/// keep their event rows and are not read as events a second time; the next
/// booking's id comes after every id of both tables.
#[tokio::test]
async fn bookings_from_before_the_migration_are_read_once_and_new_ids_follow_both_tables() {
    use migration::{Migrator, MigratorTrait};
    use sea_orm::{ConnectOptions, ConnectionTrait, Database, Statement};
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
    let mut options = ConnectOptions::new(url);
    options.max_connections(1);
    let db = Database::connect(options).await.expect("connect");
    let before = Migrator::migrations()
        .iter()
        .position(|m| m.name() == "m20261222_000022_usage_bookings_are_events")
        .expect("the feed's migration");
    Migrator::up(&db, Some(u32::try_from(before).expect("count"))).await.expect("older migrations");
    let sql = |s: &str| Statement::from_string(sea_orm::DbBackend::Sqlite, s.to_owned());
    db.execute(sql("PRAGMA foreign_keys = OFF")).await.expect("no parents needed");
    let t = "'2024-01-01T00:00:00+00:00'";
    for (id, quantity) in [(1, "2"), (2, "3")] {
        db.execute(sql(&booking_sql(id, quantity))).await.expect("old booking");
    }
    for (id, subject, subject_id, kind) in [
        (1, "subscription", 9, "subscription.created"),
        (2, "usage", 1, "subscription.usage_recorded"),
        (3, "usage", 2, "subscription.usage_recorded"),
    ] {
        db.execute(sql(&format!(
            "INSERT INTO event (id, tenant_id, subject, subject_id, event_type, data, created) \
             VALUES ({id}, 1, '{subject}', {subject_id}, '{kind}', '{{}}', {t})"
        )))
        .await
        .expect("old event");
    }
    Migrator::up(&db, None).await.expect("the feed's migration");

    let listed = super::ids_after(&db, 0, 100).await.expect("feed");
    assert_eq!(ids(&listed), vec![1, 2, 3], "the old bookings only through their event rows");
    assert!(listed.complete);
    let first = super::reserve_ids(&db, 2).await.expect("reserve").expect("SQLite reserves");
    assert_eq!(first, 4, "after event 3 and booking 2");
    db.execute(sql(&booking_sql(first, "1.5"))).await.expect("new booking");
    db.execute(sql(&format!(
        "INSERT INTO event (tenant_id, subject, subject_id, event_type, data, created) \
         VALUES (1, 'subscription', 9, 'subscription.canceled', '{{}}', {t})"
    )))
    .await
    .expect("new event");
    let listed = super::ids_after(&db, 0, 100).await.expect("feed");
    assert_eq!(ids(&listed), vec![1, 2, 3, 4, 6], "the new booking is event 4; the next event skips 5, reserved too");
    let read = super::by_ids(&db, &[3, 4, 6]).await.expect("events");
    let kinds: Vec<(&str, i64)> = read.iter().map(|e| (e.event_type.as_str(), e.id)).collect();
    assert_eq!(
        kinds,
        vec![("subscription.usage_recorded", 3), ("subscription.usage_recorded", 4), ("subscription.canceled", 6)]
    );
    assert_eq!(read[1].data["QUANTITY"], "1.5");
    assert_eq!(read[1].data["SUBSCRIPTION_ID"], 9);
    assert_eq!(read[1].subject_id, 4);
    assert_eq!(super::newest(&db).await.expect("newest"), 6);
}
