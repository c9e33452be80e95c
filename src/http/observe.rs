//! What every request goes through: admission control, a tracing span,
//! and the request metrics.

use super::admission::Admission;
use super::metrics::Metrics;
use super::Problem;
use actix_web::body::BoxBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::{Error, ResponseError};
use futures_util::future::{self, Either};
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;
use tracing::Instrument;

/// Serves one request through `service`, unless the server is overloaded.
pub fn observe<S>(
    req: ServiceRequest,
    service: &S,
    metrics: &Arc<Metrics>,
    admission: &Arc<Admission>,
) -> impl Future<Output = Result<ServiceResponse<BoxBody>, Error>>
where
    S: Service<ServiceRequest, Response = ServiceResponse<BoxBody>, Error = Error>,
{
    let Some(permit) = admission.enter(req.path()) else {
        let problem = Problem {
            retry_after_secs: Some(1),
            ..Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "overloaded",
                "the server is busy with other requests; try again in a moment",
            )
        };
        metrics.request(req.method().as_str(), "overloaded", 503, 0.0);
        return Either::Left(future::ready(Ok(
            req.into_response(problem.error_response())
        )));
    };
    let span = tracing::info_span!("request", method = %req.method(), path = %req.path());
    let started = Instant::now();
    let metrics = metrics.clone();
    let call = service.call(req);
    Either::Right(
        async move {
            let res = call.await?;
            drop(permit);
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
