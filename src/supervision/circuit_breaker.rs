//! A circuit breaker: stop calling a failing dependency for a while, then
//! let a few trial calls decide whether it is back.
//!
//! Count-based sliding window of the last `window` calls; once at least
//! `min_calls` are in it, a failure rate or a slow-call rate at or above its
//! threshold opens the breaker for `open_wait`. Then it is half-open: up to
//! `half_open_calls` trial calls pass; all succeeding closes it, any failing
//! opens it again. A bulkhead caps concurrent calls in every state. Pure:
//! time is passed in, so every transition is tested without sleeping.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// The breaker's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct BreakerConfig {
    pub window: usize,
    pub min_calls: usize,
    pub failure_rate: f64,
    /// A call at least this long is slow.
    pub slow_call: Duration,
    pub slow_rate: f64,
    /// A call is abandoned (and failed) after this long.
    pub call_timeout: Duration,
    pub open_wait: Duration,
    pub half_open_calls: usize,
    /// Bulkhead: most calls in flight at once.
    pub max_concurrent: usize,
}

impl BreakerConfig {
    /// Refuses settings under which the breaker could never work.
    pub fn validate(&self) -> Result<(), String> {
        let rate_ok = |r: f64| r > 0.0 && r <= 1.0;
        if self.window == 0 || self.min_calls == 0 || self.min_calls > self.window {
            return Err(format!(
                "the breaker needs 1 <= min calls ({}) <= window ({})",
                self.min_calls, self.window
            ));
        }
        if !rate_ok(self.failure_rate) || !rate_ok(self.slow_rate) {
            return Err("breaker failure and slow-call rates must be above 0 and at most 1".into());
        }
        if self.half_open_calls == 0 || self.max_concurrent == 0 || self.call_timeout.is_zero() {
            return Err(
                "breaker half-open calls, bulkhead and call timeout must be above 0".into(),
            );
        }
        Ok(())
    }
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            window: 20,
            min_calls: 10,
            failure_rate: 0.5,
            slow_call: Duration::from_millis(1_000),
            slow_rate: 0.5,
            call_timeout: Duration::from_millis(2_000),
            open_wait: Duration::from_millis(5_000),
            half_open_calls: 3,
            max_concurrent: 64,
        }
    }
}

/// Where the breaker is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Closed,
    Open { until: Instant },
    HalfOpen { started: usize, succeeded: usize },
}

/// Why a call may not go ahead now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// The breaker is open; try again after this long.
    Open { retry_after: Duration },
    /// Half-open and its trial calls are taken.
    Trying,
    /// Too many calls in flight.
    Bulkhead,
}

/// One finished call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Outcome {
    failed: bool,
    slow: bool,
}

/// The breaker.
#[derive(Debug)]
pub struct Breaker {
    config: BreakerConfig,
    state: State,
    window: VecDeque<Outcome>,
    in_flight: usize,
    /// Bumped on every change of state: a call that began under another
    /// state does not count towards this one (a late success must not pass
    /// for a half-open trial).
    generation: u64,
    /// How many times it opened, for metrics.
    opened: u64,
}

impl Breaker {
    pub fn new(config: BreakerConfig) -> Self {
        Breaker {
            window: VecDeque::with_capacity(config.window),
            config,
            state: State::Closed,
            in_flight: 0,
            generation: 0,
            opened: 0,
        }
    }

    pub fn config(&self) -> &BreakerConfig {
        &self.config
    }

    /// The state, moving from open to half-open once the wait is over.
    pub fn state(&mut self, now: Instant) -> State {
        if let State::Open { until } = self.state {
            if now >= until {
                self.set(State::HalfOpen {
                    started: 0,
                    succeeded: 0,
                });
            }
        }
        self.state
    }

    /// `closed`, `open` or `half-open`.
    pub fn state_name(&mut self, now: Instant) -> &'static str {
        match self.state(now) {
            State::Closed => "closed",
            State::Open { .. } => "open",
            State::HalfOpen { .. } => "half-open",
        }
    }

    /// Times it opened since start.
    pub fn times_opened(&self) -> u64 {
        self.opened
    }

    /// Whether a call could go ahead now, without taking a permit.
    pub fn check(&mut self, now: Instant) -> Result<(), Rejection> {
        if self.in_flight >= self.config.max_concurrent {
            return Err(Rejection::Bulkhead);
        }
        match self.state(now) {
            State::Closed => Ok(()),
            State::Open { until } => Err(Rejection::Open {
                retry_after: until - now,
            }),
            State::HalfOpen { started, .. } if started >= self.config.half_open_calls => {
                Err(Rejection::Trying)
            }
            State::HalfOpen { .. } => Ok(()),
        }
    }

    fn set(&mut self, state: State) {
        self.state = state;
        self.generation += 1;
    }

    /// Takes a permit for one call; `finish` (or `release`) must follow
    /// with the generation it returns.
    pub fn acquire(&mut self, now: Instant) -> Result<u64, Rejection> {
        self.check(now)?;
        if let State::HalfOpen { started, .. } = &mut self.state {
            *started += 1;
        }
        self.in_flight += 1;
        Ok(self.generation)
    }

    /// Gives back a permit whose call was abandoned without an outcome.
    pub fn release(&mut self, generation: u64) {
        self.in_flight = self.in_flight.saturating_sub(1);
        if generation == self.generation {
            if let State::HalfOpen { started, .. } = &mut self.state {
                *started = started.saturating_sub(1);
            }
        }
    }

    /// Records a call that held a permit: whether it failed, and how long
    /// it took. A call from an earlier state only gives its permit back.
    pub fn finish(&mut self, now: Instant, generation: u64, failed: bool, took: Duration) {
        self.in_flight = self.in_flight.saturating_sub(1);
        if generation != self.generation {
            return;
        }
        let outcome = Outcome {
            failed: failed || took >= self.config.call_timeout,
            slow: took >= self.config.slow_call,
        };
        match self.state(now) {
            State::Closed => {
                if self.window.len() == self.config.window {
                    self.window.pop_front();
                }
                self.window.push_back(outcome);
                if self.tripped() {
                    self.open(now);
                }
            }
            State::HalfOpen { started, succeeded } => {
                if outcome.failed || outcome.slow {
                    self.open(now);
                } else if succeeded + 1 >= self.config.half_open_calls {
                    self.set(State::Closed);
                    self.window.clear();
                } else {
                    self.state = State::HalfOpen {
                        started,
                        succeeded: succeeded + 1,
                    };
                }
            }
            // A call that began before the breaker opened: already counted.
            State::Open { .. } => {}
        }
    }

    fn tripped(&self) -> bool {
        let n = self.window.len();
        if n < self.config.min_calls.max(1) {
            return false;
        }
        let rate =
            |f: fn(&Outcome) -> bool| self.window.iter().filter(|o| f(o)).count() as f64 / n as f64;
        rate(|o| o.failed) >= self.config.failure_rate || rate(|o| o.slow) >= self.config.slow_rate
    }

    fn open(&mut self, now: Instant) {
        self.set(State::Open {
            until: now + self.config.open_wait,
        });
        self.window.clear();
        self.opened += 1;
        tracing::warn!(
            wait_ms = self.config.open_wait.as_millis() as u64,
            "payment circuit breaker opened"
        );
    }
}

#[cfg(test)]
#[path = "circuit_breaker_tests.rs"]
mod tests;
