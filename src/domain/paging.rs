//! Pages of a list: at most `limit` items (default [`DEFAULT_LIMIT`], at
//! most [`MAX_LIMIT`]) after a cursor, and the cursor of the next page when
//! there is one (the HTTP layer turns it into a `Link: rel="next"`
//! header, RFC 8288).

use super::error::DomainError;

/// Items per page when a client does not say.
pub const DEFAULT_LIMIT: usize = 50;
/// Most items a page may hold.
pub const MAX_LIMIT: usize = 500;

/// Which page a client asks for: its size, and the cursor it starts after
/// (none: the first page).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: usize,
    pub after: Option<String>,
}

impl PageRequest {
    /// A client's `limit` and `after`: a 422 for a limit out of 1..=500.
    pub fn parse(limit: Option<usize>, after: Option<String>) -> Result<PageRequest, DomainError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(DomainError::Invalid {
                field: "limit",
                reason: format!("must be between 1 and {MAX_LIMIT}"),
            });
        }
        Ok(PageRequest { limit, after })
    }

    /// The cursor as a number (the ids of orders, notifications): a 422 if
    /// it is not one.
    pub fn after_number(&self) -> Result<Option<u64>, DomainError> {
        self.after
            .as_deref()
            .map(|a| {
                a.parse().map_err(|_| DomainError::Invalid {
                    field: "after",
                    reason: format!("{a:?} is no cursor this list gave"),
                })
            })
            .transpose()
    }
}

/// One page: its items, and where the next one starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// The page of `items`, read one past `limit` to know whether more
    /// follow; `cursor` names an item for the next page to start after.
    pub fn of(mut items: Vec<T>, limit: usize, cursor: impl Fn(&T) -> String) -> Page<T> {
        let more = items.len() > limit;
        items.truncate(limit);
        let next = if more { items.last().map(cursor) } else { None };
        Page { items, next }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_holds_its_limit_and_says_where_the_next_starts() {
        let page = Page::of((1..=4).collect::<Vec<u64>>(), 3, u64::to_string);
        assert_eq!(page.items, vec![1, 2, 3]);
        assert_eq!(page.next.as_deref(), Some("3"));
        let last = Page::of(vec![4u64], 3, u64::to_string);
        assert_eq!(last.next, None);
    }

    #[test]
    fn limits_and_cursors_are_checked() {
        assert_eq!(PageRequest::parse(None, None).unwrap().limit, DEFAULT_LIMIT);
        assert!(PageRequest::parse(Some(0), None).is_err());
        assert!(PageRequest::parse(Some(MAX_LIMIT + 1), None).is_err());
        let req = PageRequest::parse(Some(10), Some("x".into())).unwrap();
        assert!(req
            .after_number()
            .unwrap_err()
            .to_string()
            .contains("no cursor"));
        let req = PageRequest::parse(Some(10), Some("42".into())).unwrap();
        assert_eq!(req.after_number().unwrap(), Some(42));
    }
}
