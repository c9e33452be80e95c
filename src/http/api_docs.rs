//! The API's reference: `GET /openapi.json` (the contract `http::openapi`
//! generates) and `GET /docs`, which renders it with Redoc. Redoc comes
//! from the npm registry, pinned by `web/package-lock.json`; `scripts/vendor-web`
//! stores it gzipped in `web/vendor/`, and it is embedded like the console,
//! so the reference works on a machine with no internet.

use super::console::Asset;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use std::io::Read;
use std::sync::OnceLock;

/// The reference's page.
pub const PAGE: Asset = Asset {
    name: "docs.html",
    media_type: "text/html; charset=utf-8",
    bytes: include_bytes!("../../web/docs.html"),
};

/// Redoc's standalone bundle, gzipped (`gzip -9n`).
pub const RENDERER_GZ: &[u8] = include_bytes!("../../web/vendor/redoc.standalone.js.gz");

/// Redoc sets styles inline and runs its search in a worker from a blob;
/// nothing comes from elsewhere (Redoc always asks for its footer logo
/// from cdn.redoc.ly: refused).
const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/openapi.json", web::get().to(contract))
        .route("/docs", web::get().to(page))
        .route("/docs/redoc.standalone.js", web::get().to(renderer));
}

/// This module's routes in the API's contract (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(contract, page, renderer))]
pub(super) struct Api;

/// The document, built once.
fn document() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| super::openapi::document().to_string())
}

/// This document: the API's contract, OpenAPI 3.1.
#[utoipa::path(get, path = "/openapi.json", tag = "reference", security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document.", body = Object)))]
async fn contract() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .body(document())
}

/// The API's reference, rendered (Redoc).
#[utoipa::path(get, path = "/docs", tag = "reference", security(()),
    responses((status = 200, description = "The reference (HTML).", body = String, content_type = "text/html")))]
async fn page() -> HttpResponse {
    super::console::serve(&PAGE, POLICY)
}

/// Whether one `Accept-Encoding` entry takes gzip: `gzip` (or `*`) with a
/// weight above zero (RFC 9110, section 12.5.3).
fn takes_gzip(entry: &str) -> bool {
    let mut parts = entry.split(';').map(str::trim);
    let coding = parts.next().unwrap_or_default();
    let weight = parts
        .find_map(|p| p.strip_prefix("q="))
        .map_or(1.0, |q| q.parse::<f32>().unwrap_or(0.0));
    (coding.eq_ignore_ascii_case("gzip") || coding == "*") && weight > 0.0
}

/// Redoc's script: gzipped as stored to a client that takes gzip (every
/// browser), inflated for one that does not.
#[utoipa::path(get, path = "/docs/redoc.standalone.js", tag = "reference", security(()),
    responses((status = 200, description = "Redoc's standalone bundle.", body = String, content_type = "text/javascript")))]
async fn renderer(req: HttpRequest) -> HttpResponse {
    let gzip = req
        .headers()
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(takes_gzip);
    let mut res = HttpResponse::Ok();
    res.content_type("text/javascript; charset=utf-8")
        // Pinned by the lock file: a new one comes only with a new build.
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .insert_header((header::VARY, "Accept-Encoding"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if gzip {
        return res
            .insert_header((header::CONTENT_ENCODING, "gzip"))
            .body(RENDERER_GZ);
    }
    let mut plain = Vec::with_capacity(RENDERER_GZ.len() * 4);
    match flate2::read::GzDecoder::new(RENDERER_GZ).read_to_end(&mut plain) {
        Ok(_) => res.body(plain),
        Err(e) => actix_web::ResponseError::error_response(&super::Problem::from(
            crate::error::AppError::Internal(format!(
                "the embedded renderer does not inflate: {e}"
            )),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_taken_unless_refused() {
        assert!(takes_gzip("gzip"));
        assert!(takes_gzip(" gzip;q=0.5"));
        assert!(takes_gzip("*"));
        assert!(!takes_gzip("gzip;q=0"));
        assert!(!takes_gzip("br"));
    }

    #[test]
    fn the_embedded_renderer_inflates() {
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(RENDERER_GZ)
            .read_to_end(&mut plain)
            .unwrap();
        assert!(plain.len() > RENDERER_GZ.len());
    }
}
