//! The sandbox gateway's rules: how slow it is, how often it fails as if
//! down, and whom it declines. Adjustable while running, for fault
//! injection (`/admin/chaos`).

use crate::domain::Won;
use std::sync::atomic::{AtomicU64, Ordering};

/// The sandbox's rules, adjustable while running (for fault injection).
#[derive(Debug, Default)]
pub struct SandboxRules {
    latency_ms: AtomicU64,
    /// Share of calls that fail as if the gateway were down, as f64 bits.
    failure_rate: AtomicU64,
    /// Decline charges above this amount (0: never).
    decline_over: AtomicU64,
    decline_prefix: Option<String>,
}

impl SandboxRules {
    pub fn new(latency_ms: u64, decline_over: Option<Won>, decline_prefix: Option<String>) -> Self {
        SandboxRules {
            latency_ms: AtomicU64::new(latency_ms),
            failure_rate: AtomicU64::new(0f64.to_bits()),
            decline_over: AtomicU64::new(decline_over.unwrap_or(0)),
            decline_prefix,
        }
    }

    pub fn set_latency_ms(&self, ms: u64) {
        self.latency_ms.store(ms, Ordering::Relaxed);
    }

    pub fn latency_ms(&self) -> u64 {
        self.latency_ms.load(Ordering::Relaxed)
    }

    /// Makes this share of calls (0.0–1.0) fail as if the gateway were down.
    pub fn set_failure_rate(&self, rate: f64) {
        self.failure_rate
            .store(rate.clamp(0.0, 1.0).to_bits(), Ordering::Relaxed);
    }

    pub fn failure_rate(&self) -> f64 {
        f64::from_bits(self.failure_rate.load(Ordering::Relaxed))
    }

    pub(super) fn fails_now(&self) -> bool {
        let rate = self.failure_rate();
        rate > 0.0 && fastrand::f64() < rate
    }

    pub(super) fn decline_reason(&self, customer_id: &str, amount: Won) -> Option<String> {
        let over = self.decline_over.load(Ordering::Relaxed);
        if over > 0 && amount > over {
            return Some(format!("the card limit of {over} won is exceeded"));
        }
        match &self.decline_prefix {
            Some(prefix) if customer_id.starts_with(prefix.as_str()) => {
                Some("the card was declined by its issuer".to_string())
            }
            _ => None,
        }
    }
}
