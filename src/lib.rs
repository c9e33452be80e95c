//! baedal: a food-delivery order platform backend built as an actor system.
//!
//! - [`domain`]: the pure state machines and rules;
//! - [`storage`]: sled behind a small interface, with group commit;
//! - [`auth`]: passwords, tokens and the key that signs them;
//! - [`actors`]: the entities, the payment actor and the log's subscribers;
//! - [`http`]: the HTTP API;
//! - [`server`]: wiring it all together.

pub mod actors;
pub mod auth;
pub mod backup;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod http;
pub mod loadgen;
pub mod read;
pub mod scale;
pub mod server;
pub mod soak;
pub mod storage;
pub mod supervision;
pub mod systemd;
