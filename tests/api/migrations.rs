//! Migrations run up, down and up again on a fresh database.

use diesel::{Connection, PgConnection};
use handoff_tests::{drop_database, url_for_db};

#[tokio::test]
async fn migrations_run_up_down_up() {
    let name = format!(
        "handoff_t_{}_mig_{}",
        std::process::id(),
        rand::random::<u32>()
    );
    let admin = handoff_tests::admin_url();
    let n = name.clone();
    tokio::task::spawn_blocking(move || {
        use diesel::RunQueryDsl;
        let mut c = PgConnection::establish(&admin).expect("connect as admin");
        diesel::sql_query(format!("CREATE DATABASE {n}"))
            .execute(&mut c)
            .expect("create the database");
    })
    .await
    .expect("the blocking task");
    let url = url_for_db(&name);
    let up = handoff::db::run_migrations(&url).await.expect("up");
    assert!(up.len() >= 4, "applied {up:?}");
    let u = url.clone();
    let reverted = tokio::task::spawn_blocking(move || {
        let mut c = PgConnection::establish(&u).expect("connect");
        handoff::db::revert_all_migrations(&mut c)
    })
    .await
    .expect("the blocking task")
    .expect("down");
    assert_eq!(reverted, up.len());
    let again = handoff::db::run_migrations(&url).await.expect("up again");
    assert_eq!(again.len(), up.len());
    drop_database(&name);
}

/// Two branches that each add a migration with the same version would apply one and silently
/// skip the other on databases that ran either: every version (the name before `_`) is unique.
#[test]
fn migration_versions_are_unique() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let mut versions: Vec<String> = std::fs::read_dir(&dir)
        .expect("the migrations folder")
        .map(|e| {
            e.expect("a folder entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter_map(|name| name.split_once('_').map(|(v, _)| v.to_string()))
        .collect();
    let n = versions.len();
    assert!(n >= 5, "found {versions:?}");
    versions.sort();
    versions.dedup();
    assert_eq!(versions.len(), n, "a version is used twice: {versions:?}");
}
