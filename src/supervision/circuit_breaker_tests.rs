use super::*;

const MS: Duration = Duration::from_millis(1);

fn config() -> BreakerConfig {
    BreakerConfig {
        window: 10,
        min_calls: 4,
        failure_rate: 0.5,
        slow_call: 100 * MS,
        slow_rate: 0.5,
        call_timeout: 500 * MS,
        open_wait: 1_000 * MS,
        half_open_calls: 2,
        max_concurrent: 3,
    }
}

/// Runs one call that holds a permit.
fn call(b: &mut Breaker, now: Instant, failed: bool, took: Duration) -> Result<(), Rejection> {
    let generation = b.acquire(now)?;
    b.finish(now + took, generation, failed, took);
    Ok(())
}

#[test]
fn stays_closed_below_min_calls_and_below_the_rate() {
    let t = Instant::now();
    let mut b = Breaker::new(config());
    for _ in 0..3 {
        call(&mut b, t, true, MS).unwrap();
    }
    assert_eq!(
        b.state(t),
        State::Closed,
        "3 failures are fewer than min_calls"
    );
    let mut b = Breaker::new(config());
    for i in 0..10 {
        call(&mut b, t, i % 4 == 3, MS).unwrap();
    }
    assert_eq!(b.state(t), State::Closed, "at most 25% failed at any point");
}

#[test]
fn opens_at_the_failure_rate_and_refuses_until_the_wait_is_over() {
    let t = Instant::now();
    let mut b = Breaker::new(config());
    for i in 0..4 {
        call(&mut b, t, i % 2 == 0, MS).unwrap();
    }
    assert!(matches!(b.state(t), State::Open { .. }));
    assert_eq!(b.times_opened(), 1);
    match b.acquire(t + 400 * MS) {
        // Opened when the fourth call finished, at t + 1 ms.
        Err(Rejection::Open { retry_after }) => assert_eq!(retry_after, 601 * MS),
        other => panic!("{other:?}"),
    }
    assert_eq!(b.state_name(t + 1_000 * MS), "open");
    assert_eq!(b.state_name(t + 1_001 * MS), "half-open");
}

#[test]
fn slow_calls_and_timeouts_open_it() {
    let t = Instant::now();
    let mut b = Breaker::new(config());
    for _ in 0..4 {
        call(&mut b, t, false, 150 * MS).unwrap();
    }
    assert!(
        matches!(b.state(t + 600 * MS), State::Open { .. }),
        "slow calls"
    );
    let mut b = Breaker::new(BreakerConfig {
        slow_rate: 1.1,
        ..config()
    });
    for _ in 0..4 {
        call(&mut b, t, false, 500 * MS).unwrap();
    }
    assert!(
        matches!(b.state(t + 600 * MS), State::Open { .. }),
        "timeouts are failures"
    );
}

#[test]
fn half_open_trials_close_it_or_open_it_again() {
    let t = Instant::now();
    let mut b = Breaker::new(config());
    for _ in 0..4 {
        call(&mut b, t, true, MS).unwrap();
    }
    let later = t + 1_002 * MS;
    // Two trials may start; a third waits.
    let g = b.acquire(later).unwrap();
    b.acquire(later).unwrap();
    assert_eq!(b.acquire(later), Err(Rejection::Trying));
    b.finish(later, g, false, MS);
    assert_eq!(b.state_name(later), "half-open");
    b.finish(later, g, false, MS);
    assert_eq!(b.state_name(later), "closed");

    for _ in 0..4 {
        call(&mut b, later, true, MS).unwrap();
    }
    let again = later + 1_002 * MS;
    call(&mut b, again, true, MS).unwrap();
    assert!(
        matches!(b.state(again), State::Open { .. }),
        "a failed trial reopens it"
    );
    assert_eq!(b.times_opened(), 3);
}

#[test]
fn the_bulkhead_caps_concurrent_calls() {
    let t = Instant::now();
    let mut b = Breaker::new(config());
    let mut g = 0;
    for _ in 0..3 {
        g = b.acquire(t).unwrap();
    }
    assert_eq!(b.acquire(t), Err(Rejection::Bulkhead));
    assert_eq!(b.check(t), Err(Rejection::Bulkhead));
    b.finish(t, g, false, MS);
    b.acquire(t).unwrap();
}

#[test]
fn a_call_from_before_the_breaker_opened_does_not_count_as_a_trial() {
    let t = Instant::now();
    let mut b = Breaker::new(config());
    let early = b.acquire(t).unwrap();
    for _ in 0..4 {
        call(&mut b, t, true, MS).unwrap();
    }
    let later = t + 1_002 * MS;
    assert_eq!(b.state_name(later), "half-open");
    // The early call succeeds late: it is not one of the trials.
    b.finish(later, early, false, MS);
    let trial = b.acquire(later).unwrap();
    b.finish(later, trial, false, MS);
    assert_eq!(b.state_name(later), "half-open", "one real trial of two");
    // An abandoned trial gives its place back.
    let abandoned = b.acquire(later).unwrap();
    b.release(abandoned);
    call(&mut b, later, false, MS).unwrap();
    assert_eq!(b.state_name(later), "closed");
}

#[test]
fn settings_that_could_never_work_are_refused() {
    assert!(config().validate().is_ok());
    assert!(BreakerConfig {
        min_calls: 11,
        ..config()
    }
    .validate()
    .is_err());
    assert!(BreakerConfig {
        failure_rate: 0.0,
        ..config()
    }
    .validate()
    .is_err());
    assert!(BreakerConfig {
        slow_rate: f64::NAN,
        ..config()
    }
    .validate()
    .is_err());
    assert!(BreakerConfig {
        half_open_calls: 0,
        ..config()
    }
    .validate()
    .is_err());
}

#[test]
fn the_window_slides() {
    let t = Instant::now();
    let mut b = Breaker::new(BreakerConfig {
        min_calls: 10,
        ..config()
    });
    for _ in 0..4 {
        call(&mut b, t, true, MS).unwrap();
    }
    for _ in 0..10 {
        call(&mut b, t, false, MS).unwrap();
    }
    assert_eq!(
        b.state(t),
        State::Closed,
        "old failures slid out of the window"
    );
}
