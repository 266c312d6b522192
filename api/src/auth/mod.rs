//! Credentials: access and visitor tokens (JWT), random secrets and their hashes
//! (`tokens`), and password hashing (`password`). Who is calling is read from a request
//! in `http::extract`; what they may do is `domain::access`.

pub mod password;
pub mod tokens;
