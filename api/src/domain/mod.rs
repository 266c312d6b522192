//! Rules with no HTTP and no SQL: plain functions, enums and validated newtypes.

pub mod actor;
pub mod origins;

pub use actor::{Actor, ActorKind};
