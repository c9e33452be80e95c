//! What identity costs per request: verifying an access token (HS256) on
//! every request, against hashing a password (argon2id), which happens only
//! at sign-up and sign-in.

use baedal::auth::tokens::{Tokens, ACCESS_TTL, REFRESH_TTL};
use baedal::domain::access::Role;
use baedal::domain::Timestamp;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use std::time::Duration;

fn tokens(c: &mut Criterion) {
    let tokens = Tokens::new(&[7u8; 32], ACCESS_TTL, REFRESH_TTL);
    let token = tokens
        .access("kim", Role::Customer, 42, Timestamp::now())
        .expect("a token");
    c.bench_function("verify an access token", |b| {
        b.iter(|| tokens.verify(black_box(&token)).expect("valid"))
    });
    c.bench_function("issue an access token", |b| {
        b.iter(|| tokens.access(black_box("kim"), Role::Customer, 42, Timestamp::now()))
    });
}

fn passwords(c: &mut Criterion) {
    let mut group = c.benchmark_group("password");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(3));
    group.bench_function("hash (sign-up)", |b| {
        b.iter(|| baedal::auth::password::hash(black_box("correct horse battery")))
    });
    let stored = baedal::auth::password::hash("correct horse battery").expect("a hash");
    group.bench_function("verify (sign-in)", |b| {
        b.iter(|| baedal::auth::password::verify(black_box("correct horse battery"), Some(&stored)))
    });
    group.finish();
}

criterion_group!(benches, tokens, passwords);
criterion_main!(benches);
