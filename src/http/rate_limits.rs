//! Rate limits per client IP (every request, before anything else) and per
//! account (once the token says whose), with `governor`'s GCRA: a steady
//! rate and a burst of twice as many. Past either: 429 with `Retry-After`
//! and the `RateLimit` / `RateLimit-Policy` headers of
//! draft-ietf-httpapi-ratelimit-headers.
//!
//! The client IP is the TCP peer's, never a `Forwarded` header a client
//! could write itself.

use super::Problem;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter};
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

/// Requests per second allowed per client IP and per account; `None`: no
/// limit of that kind.
#[derive(Clone, Copy, Debug)]
pub struct RateLimitConfig {
    pub per_ip: Option<NonZeroU32>,
    pub per_account: Option<NonZeroU32>,
    /// Sign-ins and sign-ups per client IP: each costs a password hash.
    pub sign_ins_per_ip: Option<NonZeroU32>,
}

/// One kind of limit: a keyed limiter on `clock` and how it is named in
/// answers.
struct Limit<K: Hash + Eq + Clone, C: Clock> {
    limiter: RateLimiter<K, DashMapStateStore<K>, C, NoOpMiddleware<C::Instant>>,
    clock: C,
    per_second: NonZeroU32,
    /// `per-ip` or `per-account`: the policy's name in the headers.
    policy: &'static str,
}

impl<K: Hash + Eq + Clone, C: Clock + Clone> Limit<K, C> {
    fn new(per_second: NonZeroU32, policy: &'static str, clock: &C) -> Self {
        let burst = per_second.saturating_mul(NonZeroU32::MIN.saturating_add(1));
        let quota = Quota::per_second(per_second).allow_burst(burst);
        Limit {
            limiter: RateLimiter::dashmap_with_clock(quota, clock.clone()),
            clock: clock.clone(),
            per_second,
            policy,
        }
    }

    fn check(&self, key: &K, whose: &str) -> Result<(), Problem> {
        self.limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            // Whole seconds, rounded up: `Retry-After` has no fractions.
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            Problem::rate_limited(
                format!(
                    "too many requests from {whose}: at most {} a second; try again in {secs} s",
                    self.per_second
                ),
                self.policy,
                self.per_second.get(),
                secs.max(1),
            )
        })
    }
}

/// The limits of one server, on the system's monotonic clock (a test's
/// own clock in tests).
pub struct RateLimits<C: Clock = DefaultClock> {
    per_ip: Option<Limit<IpAddr, C>>,
    per_account: Option<Limit<String, C>>,
    sign_ins_per_ip: Option<Limit<IpAddr, C>>,
}

impl RateLimits {
    pub fn new(config: RateLimitConfig) -> Arc<Self> {
        Arc::new(RateLimits::with_clock(config, &DefaultClock::default()))
    }
}

impl<C: Clock + Clone> RateLimits<C> {
    fn with_clock(config: RateLimitConfig, clock: &C) -> Self {
        RateLimits {
            per_ip: config.per_ip.map(|n| Limit::new(n, "per-ip", clock)),
            per_account: config
                .per_account
                .map(|n| Limit::new(n, "per-account", clock)),
            sign_ins_per_ip: config
                .sign_ins_per_ip
                .map(|n| Limit::new(n, "sign-ins-per-ip", clock)),
        }
    }

    /// Counts a request from `ip`: a 429 past its limit.
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), Problem> {
        match &self.per_ip {
            Some(limit) => limit.check(&ip, "this address"),
            None => Ok(()),
        }
    }

    /// Counts a sign-in or sign-up from `ip`: a 429 past its limit.
    pub fn check_sign_in(&self, ip: IpAddr) -> Result<(), Problem> {
        match &self.sign_ins_per_ip {
            Some(limit) => limit.check(&ip, "this address (sign-ins)"),
            None => Ok(()),
        }
    }

    /// Counts a request of account `id`: a 429 past its limit.
    pub fn check_account(&self, id: &str) -> Result<(), Problem> {
        match &self.per_account {
            Some(limit) => limit.check(&id.to_string(), "this account"),
            None => Ok(()),
        }
    }

    /// Forgets the callers who have been quiet long enough to be at full
    /// burst again, so that the limiters do not grow with every address
    /// ever seen. Run every minute or so.
    pub fn forget_idle(&self) {
        if let Some(limit) = &self.per_ip {
            limit.limiter.retain_recent();
            limit.limiter.shrink_to_fit();
        }
        if let Some(limit) = &self.per_account {
            limit.limiter.retain_recent();
            limit.limiter.shrink_to_fit();
        }
        if let Some(limit) = &self.sign_ins_per_ip {
            limit.limiter.retain_recent();
            limit.limiter.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;
    use std::time::Duration;

    fn limits(
        per_ip: u32,
        per_account: u32,
        clock: &FakeRelativeClock,
    ) -> RateLimits<FakeRelativeClock> {
        let config = RateLimitConfig {
            per_ip: NonZeroU32::new(per_ip),
            per_account: NonZeroU32::new(per_account),
            sign_ins_per_ip: NonZeroU32::new(per_ip),
        };
        RateLimits::with_clock(config, clock)
    }

    #[test]
    fn a_burst_of_twice_the_rate_passes_and_the_next_is_refused() {
        let clock = FakeRelativeClock::default();
        let l = limits(3, 2, &clock);
        let ip: IpAddr = [10, 0, 0, 1].into();
        for _ in 0..6 {
            l.check_ip(ip).unwrap();
        }
        let refused = l.check_ip(ip).unwrap_err();
        assert_eq!(refused.status.as_u16(), 429);
        assert!(
            refused.detail.contains("at most 3 a second"),
            "{}",
            refused.detail
        );
        assert_eq!(refused.retry_after_secs, Some(1));
        // A third of a second later, one more.
        clock.advance(Duration::from_millis(334));
        l.check_ip(ip).unwrap();
        assert!(l.check_ip(ip).is_err());
        // Another address, and accounts, have their own allowance.
        l.check_ip([10, 0, 0, 2].into()).unwrap();
        for _ in 0..4 {
            l.check_account("kim").unwrap();
        }
        assert!(l.check_account("kim").is_err());
        l.check_account("lee").unwrap();
    }

    #[test]
    fn without_limits_everything_passes() {
        let l = limits(0, 0, &FakeRelativeClock::default());
        for _ in 0..1000 {
            l.check_ip([10, 0, 0, 1].into()).unwrap();
            l.check_account("kim").unwrap();
        }
        l.forget_idle();
    }
}
