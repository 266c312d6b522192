//! The domain's enums (`domain::enums`) as Postgres enums: `ToSql`/`FromSql` through their
//! text spelling, and diesel's expression impls through a `foreign_derive` proxy, so the
//! domain stays free of diesel.

use std::io::Write;

use diesel::deserialize::{self, FromSql};
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::{AsExpression, FromSqlRow};

use crate::domain::enums::{
    ActorKind, Channel, NotifyEmail, Plan, Role, Sender, TicketCategory, TicketPriority,
    TicketSource, TicketStatus,
};

use super::schema::sql_types;

macro_rules! pg_enum {
    ($name:ident => $sql:ty, $proxy:ident) => {
        /// diesel's `AsExpression`/`FromSqlRow` for the domain type (never constructed).
        #[derive(AsExpression, FromSqlRow)]
        #[diesel(foreign_derive, sql_type = $sql)]
        #[allow(dead_code)]
        struct $proxy($name);

        impl ToSql<$sql, Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                out.write_all(self.as_str().as_bytes())?;
                Ok(IsNull::No)
            }
        }

        impl FromSql<$sql, Pg> for $name {
            fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
                let s = std::str::from_utf8(bytes.as_bytes())?;
                $name::parse(s)
                    .ok_or_else(|| format!("unknown {} value `{s}`", stringify!($name)).into())
            }
        }
    };
}

pg_enum!(Plan => sql_types::Plan, PlanSql);
pg_enum!(Role => sql_types::MemberRole, RoleSql);
pg_enum!(Sender => sql_types::MessageSender, SenderSql);
pg_enum!(TicketStatus => sql_types::TicketStatus, TicketStatusSql);
pg_enum!(TicketCategory => sql_types::TicketCategory, TicketCategorySql);
pg_enum!(TicketSource => sql_types::TicketSource, TicketSourceSql);
pg_enum!(TicketPriority => sql_types::TicketPriority, TicketPrioritySql);
pg_enum!(ActorKind => sql_types::ActorType, ActorKindSql);
pg_enum!(Channel => sql_types::MessageChannel, ChannelSql);
pg_enum!(NotifyEmail => sql_types::NotifyEmail, NotifyEmailSql);
