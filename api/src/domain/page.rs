//! Keyset pagination for every list: `limit` (1..=100, default 25) and the opaque cursor
//! of the previous page in, one page and the next cursor out. The caller fetches
//! `limit + 1` rows after the cursor; the extra row only says whether there is more.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::FieldError;
use crate::domain::cursor::Cursor;

pub const DEFAULT_LIMIT: i64 = 25;
pub const MAX_LIMIT: i64 = 100;

/// A validated page request for a list whose cursors carry `tag`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: i64,
    /// Continue strictly after this row.
    pub after: Option<Cursor>,
}

impl PageRequest {
    pub fn parse(
        limit: Option<i64>,
        cursor: Option<&str>,
        tag: &str,
    ) -> Result<PageRequest, FieldError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(FieldError::new(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let after = match cursor.map(str::trim).filter(|c| !c.is_empty()) {
            Some(raw) => Some(
                Cursor::decode(raw, tag).map_err(|e| FieldError::new("cursor", e.to_string()))?,
            ),
            None => None,
        };
        Ok(PageRequest { limit, after })
    }

    /// Rows to fetch: one more than the page.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// `after` as the `(timestamp, id)` pair queries take.
    pub fn after_key(&self) -> Option<(DateTime<Utc>, Uuid)> {
        self.after.map(|c| (c.ts, c.id))
    }
}

/// One page of rows and the cursor of the next page (`None` on the last page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Cuts `rows` (fetched with `req.fetch()`) to the page; `key` gives a row's keyset
    /// position for the next cursor.
    pub fn from_rows(
        mut rows: Vec<T>,
        req: &PageRequest,
        tag: &str,
        key: impl Fn(&T) -> (DateTime<Utc>, Uuid),
    ) -> Page<T> {
        let limit = usize::try_from(req.limit).unwrap_or(usize::MAX);
        let next_cursor = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|row| {
                let (ts, id) = key(row);
                Cursor::new(ts, id).encode(tag)
            })
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: i64) -> (DateTime<Utc>, Uuid) {
        (
            DateTime::<Utc>::from_timestamp(1_700_000_000 + n, 0).unwrap_or_default(),
            Uuid::from_u128(n as u128),
        )
    }

    #[test]
    fn limits_are_checked() {
        assert_eq!(PageRequest::parse(None, None, "t").unwrap().limit, 25);
        for bad in [0, 101, -1] {
            assert_eq!(
                PageRequest::parse(Some(bad), None, "t").unwrap_err().field,
                "limit"
            );
        }
        assert_eq!(
            PageRequest::parse(None, Some("junk"), "t")
                .unwrap_err()
                .field,
            "cursor"
        );
        assert_eq!(
            PageRequest::parse(None, Some(" "), "t").unwrap().after,
            None
        );
    }

    #[test]
    fn the_extra_row_makes_a_cursor_that_continues_after_the_last_one() {
        let req = PageRequest::parse(Some(2), None, "t").unwrap();
        let rows: Vec<_> = (0..req.fetch()).map(row).collect();
        let page = Page::from_rows(rows, &req, "t", |r| *r);
        assert_eq!(page.items.len(), 2);
        let next = page.next_cursor.clone().unwrap();
        let again = PageRequest::parse(Some(2), Some(&next), "t").unwrap();
        assert_eq!(again.after_key(), Some(row(1)));
        // A cursor of another list is refused.
        assert!(PageRequest::parse(Some(2), Some(&next), "other").is_err());
        let last = Page::from_rows(vec![row(5)], &req, "t", |r| *r);
        assert_eq!(last.next_cursor, None);
    }
}
