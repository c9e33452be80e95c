//! What every request goes through: the per-IP rate limit, admission
//! control, a tracing span, and the request metrics.

use super::admission::{Admission, Held};
use super::metrics::Metrics;
use super::rate_limits::RateLimits;
use super::Problem;
use actix_web::body::BoxBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage, ResponseError};
use futures_util::future::{self, Either};
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;
use tracing::Instrument;

/// Serves one request through `service`, unless its address is over its
/// rate limit or the server is overloaded.
pub fn observe<S>(
    req: ServiceRequest,
    service: &S,
    metrics: &Arc<Metrics>,
    admission: &Arc<Admission>,
    rate_limits: &RateLimits,
) -> impl Future<Output = Result<ServiceResponse<BoxBody>, Error>>
where
    S: Service<ServiceRequest, Response = ServiceResponse<BoxBody>, Error = Error>,
{
    let limited = req.peer_addr().map(|peer| rate_limits.check_ip(peer.ip()));
    if let Some(Err(problem)) = limited {
        metrics.request(req.method().as_str(), "rate-limited", 429, 0.0);
        return Either::Left(future::ready(Ok(
            req.into_response(problem.error_response())
        )));
    }
    let Some(permit) = admission.enter(req.path()) else {
        let problem = Problem::overloaded();
        metrics.request(req.method().as_str(), "overloaded", 503, 0.0);
        return Either::Left(future::ready(Ok(
            req.into_response(problem.error_response())
        )));
    };
    let span = tracing::info_span!("request", method = %req.method(), path = %req.path());
    let started = Instant::now();
    let metrics = metrics.clone();
    let held = Held::new(permit);
    req.extensions_mut().insert(held.clone());
    let call = service.call(req);
    Either::Right(
        async move {
            let answered = call.await;
            // Given back, unless a WebSocket kept it.
            drop(held.take());
            let res = answered?;
            let route = res
                .request()
                .match_pattern()
                .unwrap_or_else(|| "unmatched".into());
            let status = res.status().as_u16();
            let seconds = started.elapsed().as_secs_f64();
            metrics.request(res.request().method().as_str(), &route, status, seconds);
            tracing::debug!(status, ms = seconds * 1e3, "answered");
            Ok(res)
        }
        .instrument(span),
    )
}
