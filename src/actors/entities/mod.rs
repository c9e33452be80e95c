//! The entity actors: one per order, store, rider, customer and account. Each is
//! the single writer of its entity's keys, so concurrent commands on one
//! entity are serialised and exactly one of two conflicting ones wins.

pub mod account;
pub mod customer;
pub mod order;
pub mod passivation;
pub mod rider;
pub mod shell;
pub mod store;
