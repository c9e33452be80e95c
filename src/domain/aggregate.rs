//! The one convention of the aggregates (order, store, rider, the
//! customer's wallet): a command is decided into events, or refused; events
//! are applied to the state. Both are pure, so every rule is tested without
//! an actor or a database, and the entity actor that runs an aggregate
//! (`actors::entities::shell`) is the same for all four.

use super::access::{Cause, Principal};
use super::error::DomainError;
use super::time::Timestamp;
use std::fmt::Debug;
use std::hash::Hash;

/// An entity whose state changes only through the events it decides on.
pub trait Aggregate: Clone + Debug + Sized {
    /// What names one: an order id, or a store's, rider's or customer's id.
    type Id: Clone + Debug + Eq + Hash + Send + Sync + 'static;
    /// What it can be asked to do.
    type Command: Clone + Debug + Send + 'static;
    /// What happened to it; the log records these (see `Event`).
    type Event: Clone + Debug + Send + 'static;

    /// Its state before any event: `None` where a command creates it (an
    /// order is placed, a store registered), or the blank state of one that
    /// exists as soon as it is named (a rider, a customer's wallet).
    fn initial(id: &Self::Id) -> Option<Self>;

    /// What `cmd`, asked by `by`, does to `state` (`None`: not created
    /// yet), decided at `now`: the events, none if it changes nothing, or a
    /// refusal. Who may ask what is decided here too (`access`).
    fn decide(
        state: Option<&Self>,
        id: &Self::Id,
        by: &Principal,
        cmd: &Self::Command,
        now: Timestamp,
    ) -> Result<Vec<Self::Event>, DomainError>;

    /// The state after `event`, which happened `at`. Total: an event that
    /// does not fit the state (which `decide` never produces) leaves it as
    /// it was.
    fn apply(state: Option<Self>, event: &Self::Event, at: Timestamp) -> Option<Self>;

    /// [`Aggregate::apply`], for an event `by` caused: an aggregate that
    /// keeps a history (an order) records who in it.
    fn apply_caused(
        state: Option<Self>,
        event: &Self::Event,
        at: Timestamp,
        _by: &Cause,
    ) -> Option<Self> {
        Self::apply(state, event, at)
    }

    /// The refusal of a command to one that does not exist.
    fn not_found(id: &Self::Id) -> DomainError;
}
