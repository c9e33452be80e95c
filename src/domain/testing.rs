//! What domain tests share: builders of the values they need, so that a
//! field added to a type is one line here, and given/when/then for the
//! aggregates.

use super::access::Principal;
use super::aggregate::Aggregate;
use super::delivery_terms::DeliveryTerms;
use super::error::DomainError;
use super::geo::LatLon;
use super::order::{NewOrder, OrderCommand, OrderEvent, OrderLine, Revision};
use super::reasons::{CancelReason, RejectReason};
use super::store::{MenuItem, Store};
use super::time::Timestamp;
use super::{OrderId, Won};

/// A placed order of one dish at `amount` won, from kim to store-1.
pub fn new_order(id: OrderId, amount: Won) -> NewOrder {
    NewOrder {
        id,
        customer_id: "kim".into(),
        store_id: "store-1".into(),
        store_name: "강남 바삭치킨".into(),
        pickup: LatLon {
            lat: 37.50,
            lon: 127.03,
        },
        items: vec![OrderLine {
            menu_id: "fried".into(),
            name: "후라이드치킨".into(),
            qty: 1,
            unit_price: amount,
            options: vec![],
        }],
        amount,
        discount: 0,
        coupon_id: None,
        address: "서울 강남구 테헤란로 1".into(),
        dropoff: LatLon {
            lat: 37.51,
            lon: 127.04,
        },
        transaction_id: format!("tx-{id}"),
        fees: Default::default(),
        accept: None,
        notes: Default::default(),
    }
}

/// A store's accept naming no cooking time (the store's default).
pub fn accept() -> OrderCommand {
    OrderCommand::Accept {
        cooking_minutes: None,
    }
}

/// An accept as a release before schema 6 logged it: no promised time.
pub fn accepted() -> OrderEvent {
    OrderEvent::Accepted {
        cooking_minutes: None,
        ready_by: None,
        estimated_delivery_at: None,
    }
}

/// Revision `n` of an order to `items`, costing `amount` won, `delta` won
/// more (or less) than before; no coupon, no gateway call yet.
pub fn revision(n: u32, items: Vec<OrderLine>, amount: Won, delta: i64) -> Revision {
    Revision {
        revision: n,
        items,
        amount,
        discount: 0,
        delta,
        transaction_id: None,
        key: 1,
        delivery_fee: 0,
    }
}

/// A dish on a menu.
pub fn menu_item(id: &str, name: &str, price: Won) -> MenuItem {
    MenuItem {
        id: id.into(),
        name: name.into(),
        price,
        sold_out: false,
        option_groups: vec![],
    }
}

/// An open store in Mapo-gu, `s1`, selling `menu`.
pub fn store_with(menu: Vec<MenuItem>) -> Store {
    Store {
        id: "s1".into(),
        name: "홍대 짬뽕".into(),
        address: "서울 마포구 와우산로 94".into(),
        lat: 37.55,
        lon: 126.92,
        open: true,
        menu,
        owner_id: None,
        awaiting_approval: false,
        delivery: Default::default(),
        kitchen: Default::default(),
        hours: None,
        paused_until: None,
    }
}

/// Baemin-like terms: 15,000 won minimum, 3,000 won up to 1.5 km, then
/// 500 won per started 500 m, within 4 km; the server's deadline.
pub fn delivery_terms() -> DeliveryTerms {
    DeliveryTerms {
        min_order_won: 15_000,
        base_fee_won: 3_000,
        base_distance_km: 1.5,
        step_fee_won: 500,
        step_km: 0.5,
        radius_km: 4.0,
        accept_deadline_minutes: None,
    }
}

/// `s1`, selling 짜장면 at 7,000 won.
pub fn store() -> Store {
    store_with(vec![menu_item("jjajang", "짜장면", 7_000)])
}

/// A customer's cancel, for no particular reason.
pub fn cancel() -> OrderCommand {
    OrderCommand::Cancel {
        code: CancelReason::ChangedMind,
        note: None,
    }
}

/// The event of [`cancel`].
pub fn canceled() -> OrderEvent {
    OrderEvent::Canceled {
        code: Some(CancelReason::ChangedMind),
        note: None,
    }
}

/// A store's reject: sold out.
pub fn reject() -> OrderCommand {
    OrderCommand::Reject {
        code: RejectReason::SoldOut,
        note: None,
    }
}

/// The event of a reject as `reason` (an older event's free text).
pub fn rejected(reason: &str) -> OrderEvent {
    OrderEvent::Rejected {
        reason: reason.into(),
        code: None,
        note: None,
    }
}

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
    /// Decides `cmd`, asked by baedal itself (who may do anything), at
    /// time 1,000.
    pub fn when(&self, cmd: A::Command) -> Then<A> {
        self.when_by(&Principal::System, cmd)
    }

    /// Decides `cmd`, asked `by` someone, at time 1,000.
    pub fn when_by(&self, by: &Principal, cmd: A::Command) -> Then<A> {
        let decided = A::decide(self.state.as_ref(), &self.id, by, &cmd, Timestamp(1_000));
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
