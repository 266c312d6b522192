//! Reading test responses without hiding a missing value: every accessor panics with the
//! whole body when the field is absent or of the wrong type, so a failure names the real
//! cause instead of turning into `/tickets//replies` and a confusing 404 further on.
//!
//! A `path` is either a key (`"id"`) or a JSON pointer (`"/ticket/number"`).

use reqwest::StatusCode;
use serde_json::Value;

/// The value at `path`; panics when it is absent (a present `null` is returned).
#[track_caller]
pub fn at<'a>(v: &'a Value, path: &str) -> &'a Value {
    let found = if path.starts_with('/') {
        v.pointer(path)
    } else {
        v.get(path)
    };
    let Some(found) = found else {
        panic!("no `{path}` in {v}")
    };
    found
}

/// The string at `path`.
#[track_caller]
pub fn str_at<'a>(v: &'a Value, path: &str) -> &'a str {
    let Some(s) = at(v, path).as_str() else {
        panic!("`{path}` is not a string in {v}")
    };
    s
}

/// The integer at `path`.
#[track_caller]
pub fn i64_at(v: &Value, path: &str) -> i64 {
    let Some(n) = at(v, path).as_i64() else {
        panic!("`{path}` is not an integer in {v}")
    };
    n
}

/// The array at `path`.
#[track_caller]
pub fn array_at<'a>(v: &'a Value, path: &str) -> &'a [Value] {
    let Some(items) = at(v, path).as_array() else {
        panic!("`{path}` is not an array in {v}")
    };
    items
}

/// The last element of the array at `path`; panics when the array is empty.
#[track_caller]
pub fn last_at<'a>(v: &'a Value, path: &str) -> &'a Value {
    let Some(last) = array_at(v, path).last() else {
        panic!("`{path}` is empty in {v}")
    };
    last
}

/// The `id` string of an object.
#[track_caller]
pub fn id_of(v: &Value) -> String {
    str_at(v, "id").to_string()
}

/// The field `field` of every element of the array at `path`, each required to be a string.
#[track_caller]
pub fn strs_at<'a>(v: &'a Value, path: &str, field: &str) -> Vec<&'a str> {
    array_at(v, path)
        .iter()
        .map(|item| str_at(item, field))
        .collect()
}

/// Checks the status of a `TestApp` response and hands back its body.
pub trait ExpectStatus {
    /// The body, once the status is `want`; panics with the body otherwise.
    fn expect_status(self, want: StatusCode) -> Value;
}

impl ExpectStatus for (StatusCode, Value) {
    #[track_caller]
    fn expect_status(self, want: StatusCode) -> Value {
        let (got, body) = self;
        assert_eq!(got, want, "unexpected status; body: {body}");
        body
    }
}
