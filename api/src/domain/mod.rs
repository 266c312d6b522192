//! Rules with no HTTP and no SQL: plain functions, enums and validated newtypes.

pub mod actor;
pub mod cursor;
pub mod device;
pub mod email;
pub mod handoff;
pub mod lint;
pub mod message;
pub mod origins;
pub mod summary;
pub mod ticket_number;
pub mod tickets;
pub mod workflow;

pub use actor::{Actor, ActorKind};
