//! baedal: a food-delivery order platform backend built as an actor system.

pub mod domain;
pub mod storage;
