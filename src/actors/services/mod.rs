//! Work that spans several actors and is no actor itself: accounts (hashing
//! and tokens around the account's actor), checkout (store, customer,
//! payment and order), the resolver of pending payments, the retention
//! sweeper, the clock of orders' durable timers, and live delivery
//! tracking.

pub mod accounts;
pub mod checkout;
pub mod resolver;
pub mod retention;
pub mod timers;
pub mod tracking;
