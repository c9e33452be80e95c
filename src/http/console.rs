//! The web console at `/`: plain HTML, CSS and ES modules from `web/`,
//! embedded in the binary at build time, so it works on a machine with no
//! internet. What it takes from the npm registry is pinned by
//! `web/package-lock.json` and copied into `web/vendor/` by
//! `scripts/vendor-web` (checked for freshness by the test command).
//!
//! The console signs in with the accounts of `/auth/login` and calls the
//! same API as anyone else, so each role's view sees what that role may.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

/// Everything embedded, for the budget: the whole console, with the API
/// reference (`/docs`), must stay under 500 KB (issue 14; checked by a
/// test).
pub const BUDGET_BYTES: usize = 500 * 1024;

/// The console's content security policy: nothing from elsewhere, no
/// inline script. Inline styles are allowed (uPlot and the rating bars set
/// widths).
const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// One file the console serves under `/console/`.
pub struct Asset {
    pub name: &'static str,
    pub media_type: &'static str,
    pub bytes: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $media_type:expr, $path:literal) => {
        Asset {
            name: $name,
            media_type: $media_type,
            bytes: include_bytes!($path),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";

/// Every file of the console.
pub const ASSETS: &[Asset] = &[
    asset!(
        "index.html",
        "text/html; charset=utf-8",
        "../../web/index.html"
    ),
    asset!(
        "style.css",
        "text/css; charset=utf-8",
        "../../web/style.css"
    ),
    asset!("app.js", JS, "../../web/app.js"),
    asset!("customer.js", JS, "../../web/customer.js"),
    asset!("store.js", JS, "../../web/store.js"),
    asset!("rider.js", JS, "../../web/rider.js"),
    asset!("operator.js", JS, "../../web/operator.js"),
    asset!("seoul.js", JS, "../../web/seoul.js"),
    // The gazetteer the rider's map is drawn from.
    asset!(
        "districts.json",
        "application/json",
        "../../data/seoul_districts.json"
    ),
    asset!(
        "vendor/uPlot.iife.min.js",
        JS,
        "../../web/vendor/uPlot.iife.min.js"
    ),
    asset!(
        "vendor/uPlot.min.css",
        "text/css; charset=utf-8",
        "../../web/vendor/uPlot.min.css"
    ),
];

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(index))
        .route("/console/{file:.*}", web::get().to(file));
}

/// This module's routes in the API's contract (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(index, file))]
pub(super) struct Api;

/// The web console's page.
#[utoipa::path(get, path = "/", tag = "console", security(()),
    responses((status = 200, description = "The console (HTML).", body = String, content_type = "text/html")))]
async fn index() -> HttpResponse {
    serve(&ASSETS[0], POLICY)
}

/// One of the console's files (scripts, styles, the districts of Seoul).
#[utoipa::path(get, path = "/console/{file}", tag = "console", security(()), params(("file" = String, Path, description = "The file's name, e.g. `app.js`")),
    responses(
        (status = 200, description = "The file.", content(
            (String = "text/javascript"), (String = "text/css"), (String = "text/html"), (Object = "application/json")
        )),
        (status = 404, description = "No such file."),
    ))]
async fn file(name: web::Path<String>) -> HttpResponse {
    match ASSETS.iter().find(|a| a.name == name.as_str()) {
        Some(asset) => serve(asset, POLICY),
        None => actix_web::ResponseError::error_response(&super::Problem::not_found(format!(
            "the console has no file {name:?}"
        ))),
    }
}

/// 200 with an embedded file, under the content security `policy`.
pub(super) fn serve(asset: &Asset, policy: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(asset.media_type)
        // Small and local: always ask again, so an upgrade shows at once.
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_SECURITY_POLICY, policy))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(asset.bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_console_stays_under_its_budget() {
        let docs =
            super::super::api_docs::PAGE.bytes.len() + super::super::api_docs::RENDERER_GZ.len();
        let total: usize = ASSETS.iter().map(|a| a.bytes.len()).sum::<usize>() + docs;
        assert!(total < BUDGET_BYTES, "{total} bytes embedded");
    }

    /// Every module one of the console's files imports or loads is served.
    #[test]
    fn every_file_the_console_asks_for_is_embedded() {
        for asset in ASSETS
            .iter()
            .filter(|a| a.name.ends_with(".js") || a.name.ends_with(".html"))
        {
            let text = std::str::from_utf8(asset.bytes).unwrap();
            for quote in ['"', '\''] {
                for piece in text.split(quote) {
                    let wanted = piece
                        .strip_prefix("/console/")
                        .or_else(|| piece.strip_prefix("./"))
                        .filter(|p| {
                            p.ends_with(".js") || p.ends_with(".css") || p.ends_with(".json")
                        });
                    if let Some(wanted) = wanted {
                        assert!(
                            ASSETS.iter().any(|a| a.name == wanted),
                            "{} asks for {wanted}, which is not embedded",
                            asset.name
                        );
                    }
                }
            }
        }
    }

    /// Nothing is fetched from another host at run time.
    #[test]
    fn no_file_reaches_outside() {
        for asset in ASSETS.iter().filter(|a| !a.name.starts_with("vendor/")) {
            let text = String::from_utf8_lossy(asset.bytes);
            for scheme in ["http://", "https://", "//cdn"] {
                let outside = text
                    .match_indices(scheme)
                    .filter(|(at, _)| {
                        !text[..*at].ends_with("xmlns=\"")
                            && !text[*at..].starts_with("http://www.w3.org/")
                    })
                    .filter(|(at, _)| !text[*at..].starts_with("https://pos.example.com"))
                    .count();
                assert_eq!(outside, 0, "{} names {scheme}", asset.name);
            }
        }
    }
}
