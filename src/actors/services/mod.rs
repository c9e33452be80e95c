//! Work that spans several actors and is no actor itself: checkout (store,
//! customer, payment and order) and the resolver of pending payments.

pub mod checkout;
pub mod resolver;
