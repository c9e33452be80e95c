//! Reactions: subscribers of the log that act on the world (a refund at the
//! gateway, a coupon given back through the customer's actor), and the
//! webhook, which POSTs the notifications the notifier queued.

pub mod coupons;
pub mod refunds;
pub mod webhook;
