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
