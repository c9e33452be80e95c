//! A page of a list as the API answers it: the body stays a JSON array, and
//! `Link: <…>; rel="next"` (RFC 8288, as GitHub does) points at the next
//! page while there is one.

use crate::domain::paging::Page;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

/// 200 with the page's items, and the next page's link (its cursor as
/// `after`).
pub fn paged<T: Serialize>(req: &HttpRequest, page: Page<T>) -> HttpResponse {
    paged_by(req, page, "after")
}

/// Like [`paged`], with the cursor under the query parameter `param`.
pub fn paged_by<T: Serialize>(req: &HttpRequest, page: Page<T>, param: &str) -> HttpResponse {
    let mut res = HttpResponse::Ok();
    if let Some(next) = &page.next {
        res.insert_header((
            "Link",
            format!("<{}>; rel=\"next\"", next_url(req, param, next)),
        ));
    }
    res.json(page.items)
}

/// 200 with `body` (an object holding one page of a list), and the next
/// page's link (its cursor as `after`) if there is one.
pub fn with_next<T: Serialize>(req: &HttpRequest, body: T, next: Option<&str>) -> HttpResponse {
    let mut res = HttpResponse::Ok();
    if let Some(next) = next {
        res.insert_header((
            "Link",
            format!("<{}>; rel=\"next\"", next_url(req, "after", next)),
        ));
    }
    res.json(body)
}

/// This request's path and query, with `param` set to `cursor`.
fn next_url(req: &HttpRequest, param: &str, cursor: &str) -> String {
    let mut query: Vec<(String, String)> =
        web::Query::<Vec<(String, String)>>::from_query(req.query_string())
            .map(|q| q.into_inner())
            .unwrap_or_default();
    query.retain(|(k, _)| k != param);
    query.push((param.into(), cursor.into()));
    let query = serde_urlencoded::to_string(&query).unwrap_or_default();
    format!("{}?{query}", req.path())
}
