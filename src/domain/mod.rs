//! The pure domain: state machines, commands, events and rules.
//!
//! Nothing here does I/O or knows about actix or sled. The aggregates
//! (order, store, rider, the customer's wallet) implement
//! [`aggregate::Aggregate`]: a `decide` (command → events, or a refusal) and
//! an `apply` (state + event → state); one generic entity actor runs them
//! all. The views of orders (kitchen ticket, delivery, MyPage, points) are
//! `apply` functions of the order's events.

pub mod access;
pub mod account;
pub mod aggregate;
pub mod checkout;
pub mod delivery;
pub mod delivery_terms;
pub mod districts;
pub mod error;
pub mod event;
pub mod geo;
pub mod grid;
pub mod hours;
pub mod ids;
pub mod kitchen;
pub mod limits;
pub mod mypage;
pub mod notification;
pub mod options;
pub mod order;
pub mod order_messages;
pub mod order_status;
pub mod paging;
pub mod payment;
pub mod payment_key;
pub mod payment_ledger;
pub mod points;
pub mod prep;
pub mod pricing;
pub mod rating;
pub mod reasons;
pub mod retention;
pub mod rider;
pub mod seoul_time;
pub mod settlement;
pub mod store;
pub mod time;
pub mod wallet;
pub mod webhooks;

pub use error::{DomainError, ErrorKind};
pub use event::{Event, LogRecord};
pub use geo::LatLon;
pub use ids::OrderId;
pub use time::Timestamp;

/// Money is integer won (KRW), never a float.
pub type Won = u64;

#[cfg(test)]
mod proptests;
#[cfg(test)]
pub mod testing;
