//! Every subscriber of the log, listed once.
//!
//! [`Subscriber::ALL`] drives everything that must know them all: starting
//! them ([`start_all`]), log compaction (which may drop only what every one
//! of them applied), `/health`'s lag and `baedal scale`'s seeding. Each of
//! those matches on [`Subscriber`] without a wildcard, so a subscriber added
//! here does not compile until every one of them handles it: none can be
//! forgotten, and compaction can never delete records a subscriber has not
//! applied yet.

use crate::actors::dispatcher::pump;
use crate::actors::payment::PaymentActor;
use crate::actors::projections::board::DeliveryBoard;
use crate::actors::projections::kitchen::Kitchen;
use crate::actors::projections::mypage::MyPageView;
use crate::actors::projections::notifier::{Hub, Notifier};
use crate::actors::projections::points::PointsBook;
use crate::actors::projections::ratings::Ratings;
use crate::actors::projections::{Projection, ProjectionActor};
use crate::actors::reactions::coupons::{self, Coupons};
use crate::actors::reactions::refunds::{self, Refunds};
use crate::actors::Registry;
use crate::error::AppResult;
use crate::storage::Db;
use actix::prelude::*;
use std::sync::Arc;
use std::time::Duration;

/// What a subscriber does with the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Keeps a view built from the events alone ([`Projection`]).
    Projection,
    /// Acts on the world for some events (a refund at the gateway, a
    /// coupon given back), then records its offset.
    Reaction,
}

macro_rules! subscribers {
    ($($variant:ident => $name:expr, $role:ident;)*) => {
        /// One subscriber of the log.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Subscriber {
            $($variant),*
        }

        impl Subscriber {
            /// All of them, each once.
            pub const ALL: &'static [Subscriber] = &[$(Subscriber::$variant),*];

            /// The name its offset is stored under.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Subscriber::$variant => $name),*
                }
            }

            pub const fn role(self) -> Role {
                match self {
                    $(Subscriber::$variant => Role::$role),*
                }
            }
        }
    };
}

subscribers! {
    Kitchen => Kitchen::NAME, Projection;
    DeliveryBoard => DeliveryBoard::NAME, Projection;
    MyPage => MyPageView::NAME, Projection;
    Points => PointsBook::NAME, Projection;
    Ratings => Ratings::NAME, Projection;
    Notifier => Notifier::NAME, Projection;
    Refunds => refunds::NAME, Reaction;
    Coupons => coupons::NAME, Reaction;
}

impl Subscriber {
    /// The names of all of them (their offsets' keys).
    pub fn names() -> Vec<&'static str> {
        Subscriber::ALL.iter().map(|s| s.name()).collect()
    }
}

/// What starting the subscribers needs.
pub struct Wiring {
    pub db: Db,
    /// Least time between two deliveries of the log to one subscriber.
    pub gap: Duration,
    pub registry: Registry,
    pub payment: Addr<PaymentActor>,
    /// Whether notifications are also queued for the webhook.
    pub webhook: bool,
}

/// The running subscribers that HTTP reads from.
pub struct Running {
    pub kitchen: Addr<ProjectionActor<Kitchen>>,
    pub board: Addr<ProjectionActor<DeliveryBoard>>,
    pub hub: Arc<Hub>,
}

/// Starts every subscriber, each with its pump from its stored offset.
pub fn start_all(w: &Wiring) -> AppResult<Running> {
    let hub = Arc::new(Hub::default());
    let (mut kitchen, mut board) = (None, None);
    for subscriber in Subscriber::ALL {
        match subscriber {
            Subscriber::Kitchen => kitchen = Some(subscribe(Kitchen::default(), w)?),
            Subscriber::DeliveryBoard => board = Some(subscribe(DeliveryBoard::load(&w.db)?, w)?),
            Subscriber::MyPage => drop(subscribe(MyPageView, w)?),
            Subscriber::Points => drop(subscribe(PointsBook, w)?),
            Subscriber::Ratings => drop(subscribe(Ratings, w)?),
            Subscriber::Notifier => drop(subscribe(Notifier::new(hub.clone(), w.webhook), w)?),
            Subscriber::Refunds => {
                let refunds = Refunds::new(w.db.clone(), w.payment.clone()).start();
                pump(refunds::NAME, w.db.clone(), refunds, w.gap)?
            }
            Subscriber::Coupons => {
                let coupons = Coupons::new(w.registry.clone()).start();
                pump(coupons::NAME, w.db.clone(), coupons, w.gap)?
            }
        }
    }
    // Invariant: `ALL` lists every variant (the macro writes both).
    Ok(Running {
        kitchen: kitchen.expect("Subscriber::ALL includes the kitchen"),
        board: board.expect("Subscriber::ALL includes the delivery board"),
        hub,
    })
}

/// Starts a projection and its pump.
fn subscribe<P: Projection>(projection: P, w: &Wiring) -> AppResult<Addr<ProjectionActor<P>>> {
    let addr = ProjectionActor::new(projection, w.db.clone())?.start();
    pump(P::NAME, w.db.clone(), addr.clone(), w.gap)?;
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
        assert_eq!(
            Subscriber::ALL
                .iter()
                .filter(|s| s.role() == Role::Reaction)
                .count(),
            2
        );
    }
}
