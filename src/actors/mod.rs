//! The actors: one per order, store and rider, the payment actor, the log's
//! subscribers (kitchen, delivery board, MyPage view, refunds) and the
//! registry that routes to them.

pub mod board;
pub mod checkout;
pub mod coupons;
pub mod customer;
pub mod dispatcher;
pub mod kitchen;
pub mod mypage;
pub mod notifier;
pub mod order;
pub mod passivation;
pub mod payment;
pub mod ratings;
pub mod refunds;
pub mod registry;
pub mod resolver;
pub mod rider;
pub mod store;
pub mod wallet;
pub mod webhook;

pub use registry::Registry;
