//! Prometheus metrics.

use crate::domain::order::Order;
use crate::error::{AppError, AppResult};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, TextEncoder,
};

/// The metrics the server keeps.
pub struct Metrics {
    registry: prometheus::Registry,
    http_requests: IntCounterVec,
    http_seconds: HistogramVec,
    checkouts: IntCounterVec,
    live_actors: IntGaugeVec,
    log_seq: IntGauge,
    subscriber_offset: IntGaugeVec,
    breaker_state: IntGaugeVec,
    breaker_opened: IntGauge,
    websockets_open: IntGauge,
}

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let http_requests = IntCounterVec::new(
            Opts::new(
                "baedal_http_requests_total",
                "HTTP requests answered, by route and status",
            ),
            &["method", "route", "status"],
        )?;
        let http_seconds = HistogramVec::new(
            HistogramOpts::new(
                "baedal_http_request_duration_seconds",
                "HTTP request latency, by route",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ]),
            &["method", "route"],
        )?;
        let checkouts = IntCounterVec::new(
            Opts::new("baedal_checkouts_total", "Checkouts, by outcome"),
            &["outcome"],
        )?;
        let live_actors = IntGaugeVec::new(
            Opts::new(
                "baedal_live_actors",
                "Entity actors in memory (not passivated), by kind",
            ),
            &["kind"],
        )?;
        let log_seq = IntGauge::new(
            "baedal_log_sequence",
            "Last durable (flushed) sequence of the event log, what its subscribers read",
        )?;
        let subscriber_offset = IntGaugeVec::new(
            Opts::new(
                "baedal_subscriber_offset",
                "Last log sequence applied by each subscriber",
            ),
            &["subscriber"],
        )?;
        let breaker_state = IntGaugeVec::new(
            Opts::new(
                "baedal_payment_breaker_state",
                "1 for the payment circuit breaker's current state",
            ),
            &["state"],
        )?;
        let breaker_opened = IntGauge::new(
            "baedal_payment_breaker_opened_total",
            "Times the payment breaker opened",
        )?;
        let registry = prometheus::Registry::new();
        registry.register(Box::new(crate::supervision::restart::RESTARTS.clone()))?;
        registry.register(Box::new(breaker_state.clone()))?;
        registry.register(Box::new(breaker_opened.clone()))?;
        let websockets_open = IntGauge::new(
            "baedal_websockets_open",
            "WebSockets open now (GET /ws), all accounts together",
        )?;
        registry.register(Box::new(websockets_open.clone()))?;
        registry.register(Box::new(http_requests.clone()))?;
        registry.register(Box::new(http_seconds.clone()))?;
        registry.register(Box::new(checkouts.clone()))?;
        registry.register(Box::new(live_actors.clone()))?;
        registry.register(Box::new(log_seq.clone()))?;
        registry.register(Box::new(subscriber_offset.clone()))?;
        Ok(Metrics {
            registry,
            http_requests,
            http_seconds,
            checkouts,
            live_actors,
            log_seq,
            subscriber_offset,
            breaker_state,
            breaker_opened,
            websockets_open,
        })
    }

    /// Counts one answered request.
    pub fn request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let method = method_label(method);
        self.http_requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.http_seconds
            .with_label_values(&[method, route])
            .observe(seconds);
    }

    /// Counts one checkout by how it ended.
    pub fn checkout(&self, result: &AppResult<Order>) {
        let outcome = match result {
            Ok(_) => "placed",
            Err(AppError::Domain(e)) if e.kind() == crate::domain::ErrorKind::PaymentDeclined => {
                "declined"
            }
            Err(AppError::Unavailable { .. }) => "unavailable",
            Err(AppError::Domain(_)) => "refused",
            Err(_) => "failed",
        };
        self.checkouts.with_label_values(&[outcome]).inc();
    }

    /// The Prometheus text exposition, with gauges read now.
    pub fn render(
        &self,
        live: (usize, usize, usize),
        log_seq: u64,
        offsets: &[(&str, u64)],
        breaker: (&str, u64),
        websockets_open: usize,
    ) -> String {
        self.websockets_open.set(websockets_open as i64);
        for state in ["closed", "open", "half-open"] {
            self.breaker_state
                .with_label_values(&[state])
                .set(i64::from(state == breaker.0));
        }
        self.breaker_opened.set(breaker.1 as i64);
        let (orders, stores, riders) = live;
        for (kind, n) in [("order", orders), ("store", stores), ("rider", riders)] {
            self.live_actors.with_label_values(&[kind]).set(n as i64);
        }
        self.log_seq.set(log_seq as i64);
        for (name, offset) in offsets {
            self.subscriber_offset
                .with_label_values(&[name])
                .set(*offset as i64);
        }
        let mut out = Vec::new();
        // Encoding into a Vec cannot fail for the text format.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

/// The method as a metrics label: one of the methods the API serves, or
/// `other`. A label is a time series kept for good, so a client inventing
/// methods must not be able to grow `/metrics` without bound.
fn method_label(method: &str) -> &'static str {
    const SERVED: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];
    SERVED.into_iter().find(|m| *m == method).unwrap_or("other")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invented_method_is_labelled_other() {
        assert_eq!(method_label("GET"), "GET");
        assert_eq!(method_label("DELETE"), "DELETE");
        for invented in ["BREW", "get", "X-1", ""] {
            assert_eq!(method_label(invented), "other", "{invented:?}");
        }
    }
}
