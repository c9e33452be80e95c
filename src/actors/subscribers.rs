//! Every subscriber of the log, listed once.
//!
//! The list below makes [`Subscriber`] and [`Subscriber::ALL`], starts them
//! all ([`start_all`]) and builds the projections for `baedal scale`
//! ([`in_process`]). Log compaction (which may drop only what every one of
//! them applied) and `/health`'s lag read [`Subscriber::ALL`]. A subscriber
//! added to the list is everywhere at once: none can be forgotten, and
//! compaction never deletes records one has not applied yet.

use crate::actors::dispatcher::pump;
use crate::actors::payment::PaymentActor;
use crate::actors::projections::board::DeliveryBoard;
use crate::actors::projections::kitchen::Kitchen;
use crate::actors::projections::mypage::MyPageView;
use crate::actors::projections::notifier::Notifier;
use crate::actors::projections::points::PointsBook;
use crate::actors::projections::ratings::Ratings;
use crate::actors::projections::{Deps, Projection, ProjectionActor};
use crate::actors::reactions::coupons::Coupons;
use crate::actors::reactions::refunds::Refunds;
use crate::actors::reactions::Reaction;
use crate::actors::Registry;
use crate::domain::LogRecord;
use crate::error::AppResult;
use crate::storage::Db;
use actix::prelude::*;
use std::time::Duration;

/// What starting the subscribers needs.
pub struct Wiring {
    pub deps: Deps,
    /// Least time between two deliveries of the log to one subscriber.
    pub gap: Duration,
    pub registry: Registry,
    pub payment: Addr<PaymentActor>,
}

/// Every projection, fed by hand in this process (`baedal scale`):
/// each applies the records past its offset and answers its new offset.
pub struct InProcess(Vec<Feed>);

/// One projection's feed: applies records, answers its offset.
type Feed = Box<dyn FnMut(&[LogRecord]) -> AppResult<u64>>;

impl InProcess {
    /// Feeds them everything in the log after `from`; answers the new offset.
    pub fn catch_up(&mut self, db: &Db, from: u64) -> AppResult<u64> {
        let mut offset = from;
        loop {
            let records = db.read_log(offset, 4_096)?;
            let Some(last) = records.last().map(|r| r.seq) else {
                return Ok(offset);
            };
            for apply in &mut self.0 {
                apply(&records)?;
            }
            offset = last;
        }
    }
}

macro_rules! subscribers {
    (
        projections { $($p:ident $field:ident: $pty:ty,)* }
        reactions { $($r:ident: $rty:ty,)* }
    ) => {
        /// One subscriber of the log.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Subscriber {
            $($p,)*
            $($r,)*
        }

        impl Subscriber {
            /// All of them, each once.
            pub const ALL: &'static [Subscriber] = &[$(Subscriber::$p,)* $(Subscriber::$r,)*];

            /// The name its offset is stored under.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Subscriber::$p => <$pty as Projection>::NAME,)*
                    $(Subscriber::$r => <$rty as Reaction>::NAME,)*
                }
            }

            /// Whether it acts on the world ([`Reaction`]) rather than
            /// keeping a view ([`Projection`]).
            pub const fn is_reaction(self) -> bool {
                match self {
                    $(Subscriber::$p => false,)*
                    $(Subscriber::$r => true,)*
                }
            }
        }

        /// The running projections, which HTTP reads from.
        pub struct Running {
            $(pub $field: Addr<ProjectionActor<$pty>>,)*
        }

        /// Starts every subscriber, each with its pump from its stored offset.
        pub fn start_all(w: &Wiring) -> AppResult<Running> {
            $(pump(<$rty>::NAME, w.deps.db.clone(), <$rty>::build(w).start(), w.gap)?;)*
            Ok(Running {
                $($field: subscribe::<$pty>(w)?,)*
            })
        }

        /// Every projection, to be fed by hand: nothing is started.
        pub fn in_process(deps: &Deps) -> AppResult<InProcess> {
            Ok(InProcess(vec![$({
                let mut p = ProjectionActor::new(<$pty>::build(deps)?, deps.db.clone())?;
                Box::new(move |records: &[LogRecord]| p.apply_batch(records))
            },)*]))
        }
    };
}

subscribers! {
    projections {
        Kitchen kitchen: Kitchen,
        DeliveryBoard board: DeliveryBoard,
        MyPage mypage: MyPageView,
        Points points: PointsBook,
        Ratings ratings: Ratings,
        Notifier notifier: Notifier,
    }
    reactions {
        Refunds: Refunds,
        Coupons: Coupons,
    }
}

impl Subscriber {
    /// The names of all of them (their offsets' keys).
    pub fn names() -> Vec<&'static str> {
        Subscriber::ALL.iter().map(|s| s.name()).collect()
    }
}

/// Starts a projection and its pump.
fn subscribe<P: Projection>(w: &Wiring) -> AppResult<Addr<ProjectionActor<P>>> {
    let addr = ProjectionActor::new(P::build(&w.deps)?, w.deps.db.clone())?.start();
    pump(P::NAME, w.deps.db.clone(), addr.clone(), w.gap)?;
    Ok(addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subscriber_has_its_own_offset_name() {
        let mut names = Subscriber::names();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Subscriber::ALL.len());
        let reactions = Subscriber::ALL.iter().filter(|s| s.is_reaction()).count();
        assert_eq!(reactions, 2);
    }
}
