//! Pure rules and types: no diesel, no actix, no I/O (a test in api/tests/layers.rs checks
//! the imports). Services apply them inside transactions; views and db use the types.

pub mod access;
pub mod actor;
pub mod attachments;
pub mod cursor;
pub mod device;
pub mod email;
pub mod enums;
pub mod handoff;
pub mod identity;
pub mod intent;
pub mod lint;
pub mod live;
pub mod locale;
pub mod mentions;
pub mod merge;
pub mod origins;
pub mod page;
pub mod passages;
pub mod replies;
pub mod saved_replies;
pub mod scopes;
pub mod summary;
pub mod tags;
pub mod team;
pub mod ticket_number;
pub mod tickets;
pub mod viewers;
pub mod workflow;

/// One field of a request is invalid (answered 422 with `fields: {field: [problem]}`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {problem}")]
pub struct FieldError {
    pub field: &'static str,
    pub problem: String,
}

impl FieldError {
    pub fn new(field: &'static str, problem: impl Into<String>) -> Self {
        FieldError {
            field,
            problem: problem.into(),
        }
    }
}
