//! The order's promises in time: the accept's cooking minutes and ETA, the
//! one delay, and the durable timers (auto-accept, reminder, deadline).

use super::*;
use crate::domain::access::Principal;
use crate::domain::prep::{estimated_delivery, AcceptTerms};
use crate::domain::testing::{self, accept, new_order};
use crate::domain::ErrorKind;

const MINUTE: u64 = 60_000;
/// When the orders below are placed.
const PLACED: Timestamp = Timestamp(1_000_000);

fn terms(auto_accept: bool) -> AcceptTerms {
    AcceptTerms {
        within_secs: 600,
        default_cooking_minutes: 25,
        auto_accept,
    }
}

/// Order 1, placed at [`PLACED`] with `terms` (none: from before schema 6).
fn placed(terms: Option<AcceptTerms>) -> Order {
    let new = NewOrder {
        accept: terms,
        ..new_order(1, 20_000)
    };
    Order::apply(None, &OrderEvent::Placed(Box::new(new)), PLACED).unwrap()
}

fn decide_at(
    order: &Order,
    by: &Principal,
    cmd: OrderCommand,
    now: Timestamp,
) -> Result<Vec<OrderEvent>, DomainError> {
    Order::decide(Some(order), &order.id, by, &cmd, now)
}

/// `events` applied at `at`.
fn after(order: Order, events: &[OrderEvent], at: Timestamp) -> Order {
    events
        .iter()
        .try_fold(order, |o, e| Order::apply(Some(o), e, at))
        .unwrap()
}

fn owner() -> Principal {
    Principal::Owner {
        id: "boss".into(),
        stores: vec!["store-1".into()],
    }
}

#[test]
fn an_accept_promises_the_food_and_its_arrival() {
    let order = placed(Some(terms(false)));
    let now = Timestamp(PLACED.0 + 2 * MINUTE);
    let accept = OrderCommand::Accept {
        cooking_minutes: Some(15),
    };
    let events = decide_at(&order, &owner(), accept, now).unwrap();
    let ready_by = Timestamp(now.0 + 15 * MINUTE);
    let eta = estimated_delivery(ready_by, order.pickup, order.dropoff());
    assert!(eta > ready_by, "the ride takes time");
    assert_eq!(
        events,
        vec![OrderEvent::Accepted {
            cooking_minutes: Some(15),
            ready_by: Some(ready_by),
            estimated_delivery_at: Some(eta),
        }]
    );
    let accepted = after(order, &events, now);
    assert_eq!(accepted.ready_by, Some(ready_by));
    assert_eq!(accepted.estimated_delivery_at, Some(eta));
    assert!(
        accepted.timers().is_empty(),
        "an accepted order has no deadline left"
    );
}

#[test]
fn an_accept_naming_no_time_takes_the_store_default_then_the_platform_default() {
    let now = PLACED;
    for (terms, minutes) in [(Some(terms(false)), 25), (None, 20)] {
        let events = decide_at(&placed(terms), &owner(), accept(), now).unwrap();
        let OrderEvent::Accepted {
            cooking_minutes, ..
        } = &events[0]
        else {
            panic!("{events:?}");
        };
        assert_eq!(*cooking_minutes, Some(minutes));
    }
}

#[test]
fn cooking_minutes_outside_5_to_120_are_refused_and_nothing_changes() {
    let order = placed(Some(terms(false)));
    for minutes in [0, 4, 121] {
        let cmd = OrderCommand::Accept {
            cooking_minutes: Some(minutes),
        };
        let err = decide_at(&order, &owner(), cmd, PLACED).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid);
        assert!(
            err.to_string()
                .starts_with("cookingMinutes must be between 5 and 120"),
            "{err}"
        );
    }
}

fn accepted_at(now: Timestamp) -> Order {
    let order = placed(Some(terms(false)));
    let events = decide_at(&order, &owner(), accept(), now).unwrap();
    after(order, &events, now)
}

#[test]
fn a_delay_pushes_the_promise_back_once() {
    let order = accepted_at(PLACED);
    let ready = order.ready_by.unwrap();
    let delay = OrderCommand::Delay { minutes: 10 };
    let events = decide_at(&order, &owner(), delay.clone(), PLACED).unwrap();
    let OrderEvent::Delayed {
        minutes,
        ready_by,
        estimated_delivery_at,
    } = events[0]
    else {
        panic!("{events:?}");
    };
    assert_eq!((minutes, ready_by), (10, Timestamp(ready.0 + 10 * MINUTE)));
    assert_eq!(
        estimated_delivery_at.0 - order.estimated_delivery_at.unwrap().0,
        10 * MINUTE
    );
    let delayed = after(order, &events, PLACED);
    assert_eq!(
        delayed.status,
        OrderStatus::Accepted,
        "not a change of status"
    );
    assert_eq!(delayed.history.len(), 2);
    let again = decide_at(&delayed, &owner(), delay, PLACED).unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Conflict);
    assert!(
        again
            .to_string()
            .contains("already delayed once (by 10 minutes)"),
        "{again}"
    );
}

#[test]
fn a_delay_needs_an_accepted_or_cooking_order_and_5_to_60_minutes() {
    let delay = |minutes| OrderCommand::Delay { minutes };
    let err = decide_at(&placed(None), &owner(), delay(10), PLACED).unwrap_err();
    assert!(
        err.to_string()
            .contains("delaying needs it to be Accepted or Cooking"),
        "{err}"
    );
    let order = accepted_at(PLACED);
    for minutes in [4, 61] {
        let err = decide_at(&order, &owner(), delay(minutes), PLACED).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid, "{err}");
    }
    let cooking = after(order, &[OrderEvent::CookStarted], PLACED);
    assert!(decide_at(&cooking, &owner(), delay(5), PLACED).is_ok());
    let cooked = after(cooking, &[OrderEvent::CookFinished], PLACED);
    assert!(decide_at(&cooked, &owner(), delay(5), PLACED).is_err());
    let customer = Principal::Customer("kim".into());
    let err = decide_at(&accepted_at(PLACED), &customer, delay(5), PLACED).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
}

#[test]
fn a_placed_order_has_its_reminder_and_deadline_and_an_old_one_none() {
    let order = placed(Some(terms(false)));
    assert_eq!(order.accept_by, Some(Timestamp(PLACED.0 + 600_000)));
    assert_eq!(
        order.timers(),
        vec![
            (Timestamp(PLACED.0 + 300_000), OrderTimer::Remind),
            (Timestamp(PLACED.0 + 600_000), OrderTimer::Expire),
        ]
    );
    assert_eq!(
        placed(Some(terms(true))).timers()[0],
        (PLACED, OrderTimer::AutoAccept)
    );
    assert!(placed(None).timers().is_empty());
    let fired = decide_at(
        &placed(None),
        &Principal::System,
        OrderCommand::Timer(OrderTimer::Expire),
        Timestamp(u64::MAX),
    );
    assert_eq!(fired, Ok(vec![]), "no deadline before schema 6");
}

#[test]
fn the_deadline_cancels_never_before_its_time_and_only_once() {
    let order = placed(Some(terms(false)));
    let expire = OrderCommand::Timer(OrderTimer::Expire);
    let system = Principal::System;
    let early = Timestamp(PLACED.0 + 599_999);
    assert_eq!(
        decide_at(&order, &system, expire.clone(), early),
        Ok(vec![])
    );
    let due = Timestamp(PLACED.0 + 600_000);
    let events = decide_at(&order, &system, expire.clone(), due).unwrap();
    assert_eq!(
        events,
        vec![OrderEvent::Canceled {
            code: Some(CancelReason::NotAccepted),
            note: None
        }]
    );
    assert!(events[0].refunds_payment(), "and the payment comes back");
    let canceled = after(order, &events, due);
    assert_eq!(canceled.cancel_code, Some(CancelReason::NotAccepted));
    assert!(canceled.timers().is_empty());
    assert_eq!(
        decide_at(&canceled, &system, expire, due),
        Ok(vec![]),
        "fired twice: nothing"
    );
}

#[test]
fn the_reminder_comes_half_way_once_and_an_accepted_order_expires_never() {
    let order = placed(Some(terms(false)));
    let remind = OrderCommand::Timer(OrderTimer::Remind);
    let half = Timestamp(PLACED.0 + 300_000);
    let events = decide_at(&order, &Principal::System, remind.clone(), half).unwrap();
    assert_eq!(
        events,
        vec![OrderEvent::AcceptReminded {
            accept_by: Timestamp(PLACED.0 + 600_000)
        }]
    );
    let reminded = after(order, &events, half);
    assert!(reminded.reminded);
    assert_eq!(reminded.status, OrderStatus::Placed);
    assert_eq!(reminded.timers().len(), 1, "the deadline remains");
    assert_eq!(
        decide_at(&reminded, &Principal::System, remind, half),
        Ok(vec![])
    );
    let accepted = after(reminded, &[testing::accepted()], half);
    let late = Timestamp(u64::MAX);
    let expire = OrderCommand::Timer(OrderTimer::Expire);
    assert_eq!(
        decide_at(&accepted, &Principal::System, expire, late),
        Ok(vec![])
    );
}

#[test]
fn a_reminder_come_due_with_its_deadline_is_not_sent() {
    // Down for the whole window: both come due at the restart.
    let order = placed(Some(terms(false)));
    let late = Timestamp(PLACED.0 + 700_000);
    let remind = OrderCommand::Timer(OrderTimer::Remind);
    assert_eq!(
        decide_at(&order, &Principal::System, remind, late),
        Ok(vec![])
    );
    let expire = OrderCommand::Timer(OrderTimer::Expire);
    let events = decide_at(&order, &Principal::System, expire, late).unwrap();
    let canceled = after(order, &events, late);
    assert!(canceled.timers().is_empty(), "the reminder went with it");
}

#[test]
fn a_store_that_auto_accepts_accepts_at_once_with_its_default_time() {
    let order = placed(Some(terms(true)));
    let fire = OrderCommand::Timer(OrderTimer::AutoAccept);
    let events = decide_at(&order, &Principal::System, fire.clone(), PLACED).unwrap();
    let OrderEvent::Accepted {
        cooking_minutes,
        ready_by,
        ..
    } = events[0]
    else {
        panic!("{events:?}");
    };
    assert_eq!(cooking_minutes, Some(25));
    assert_eq!(ready_by, Some(Timestamp(PLACED.0 + 25 * MINUTE)));
    let accepted = after(order, &events, PLACED);
    assert_eq!(
        decide_at(&accepted, &Principal::System, fire, PLACED),
        Ok(vec![])
    );
}

#[test]
fn only_baedal_fires_a_timer() {
    let order = placed(Some(terms(false)));
    let expire = OrderCommand::Timer(OrderTimer::Expire);
    let late = Timestamp(u64::MAX);
    for by in [
        owner(),
        Principal::Operator("ops".into()),
        Principal::Customer("kim".into()),
    ] {
        let err = decide_at(&order, &by, expire.clone(), late).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Forbidden, "{by:?}");
    }
}
