//! The one convention of the aggregates (order, store, rider, the
//! customer's wallet): a command is decided into events, or refused; events
//! are applied to the state. Both are pure, so every rule is tested without
//! an actor or a database, and the entity actor that runs an aggregate
//! (`actors::entities::shell`) is the same for all four.

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

    /// What `cmd` does to `state` (`None`: not created yet), decided at
    /// `now`: the events, none if it changes nothing, or a refusal.
    fn decide(
        state: Option<&Self>,
        id: &Self::Id,
        cmd: &Self::Command,
        now: Timestamp,
    ) -> Result<Vec<Self::Event>, DomainError>;

    /// The state after `event`, which happened `at`. Total: an event that
    /// does not fit the state (which `decide` never produces) leaves it as
    /// it was.
    fn apply(state: Option<Self>, event: &Self::Event, at: Timestamp) -> Option<Self>;

    /// The refusal of a command to one that does not exist.
    fn not_found(id: &Self::Id) -> DomainError;
}

/// Given/when/then for aggregate tests: the events that happened, the
/// command, and what it decided.
#[cfg(test)]
pub mod given {
    use super::*;

    /// The state an aggregate reaches from its initial state by `events`.
    pub fn given<A: Aggregate>(id: A::Id, events: impl IntoIterator<Item = A::Event>) -> Given<A> {
        let state = events
            .into_iter()
            .enumerate()
            .fold(A::initial(&id), |s, (i, e)| {
                A::apply(s, &e, Timestamp(i as u64 + 1))
            });
        Given { id, state }
    }

    /// An aggregate in a known state.
    pub struct Given<A: Aggregate> {
        pub id: A::Id,
        pub state: Option<A>,
    }

    impl<A: Aggregate> Given<A> {
        /// Decides `cmd` at time 1,000.
        pub fn when(&self, cmd: A::Command) -> Then<A> {
            let decided = A::decide(self.state.as_ref(), &self.id, &cmd, Timestamp(1_000));
            let after = decided.as_ref().ok().map(|events| {
                events
                    .iter()
                    .fold(self.state.clone(), |s, e| A::apply(s, e, Timestamp(1_000)))
            });
            Then {
                decided,
                after: after.flatten(),
            }
        }
    }

    /// What a command decided.
    pub struct Then<A: Aggregate> {
        pub decided: Result<Vec<A::Event>, DomainError>,
        /// The state after its events, if it was not refused.
        pub after: Option<A>,
    }

    impl<A: Aggregate> Then<A>
    where
        A::Event: PartialEq,
    {
        /// Asserts these events were decided; answers the state after them.
        pub fn then(self, expected: Vec<A::Event>) -> Option<A> {
            match self.decided {
                Ok(events) => assert_eq!(events, expected),
                Err(e) => panic!("refused ({e}); expected {expected:?}"),
            }
            self.after
        }

        /// Asserts it was refused; answers the refusal.
        pub fn then_refused(self) -> DomainError {
            match self.decided {
                Ok(events) => panic!("decided {events:?}; expected a refusal"),
                Err(e) => e,
            }
        }
    }
}
