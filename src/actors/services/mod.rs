//! Work that spans several actors and is no actor itself: accounts (hashing
//! and tokens around the account's actor), checkout (store, customer,
//! payment and order) and the resolver of pending payments.

pub mod accounts;
pub mod checkout;
pub mod resolver;
pub mod retention;
