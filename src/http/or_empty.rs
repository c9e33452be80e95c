//! A JSON body a client may leave out: `OrEmpty<T>` is `T::default()` for a
//! request with no body at all, and the body read as JSON otherwise (so a
//! malformed one is still refused, by the same rules as `web::Json`).

use actix_web::dev::Payload;
use actix_web::http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

/// The body, or its default when there is none.
pub struct OrEmpty<T>(pub T);

impl<T: DeserializeOwned + Default + 'static> FromRequest for OrEmpty<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let headers = req.headers();
        let no_body = !headers.contains_key(TRANSFER_ENCODING)
            && headers
                .get(CONTENT_LENGTH)
                .is_none_or(|n| n.as_bytes() == b"0");
        if no_body {
            return Box::pin(async { Ok(OrEmpty(T::default())) });
        }
        let json = web::Json::<T>::from_request(req, payload);
        Box::pin(async move { Ok(OrEmpty(json.await?.into_inner())) })
    }
}
