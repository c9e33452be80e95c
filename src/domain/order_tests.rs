use super::*;
use crate::domain::access::Principal;
use crate::domain::error::ErrorKind;
use crate::domain::testing::{self, given, new_order};
use OrderStatus as S;

/// `Order::decide`, whose decisions do not depend on the time.
fn decide(
    order: Option<&Order>,
    id: OrderId,
    cmd: &OrderCommand,
) -> Result<Vec<OrderEvent>, DomainError> {
    Order::decide(order, &id, &Principal::System, cmd, Timestamp(0))
}

fn apply(order: Option<Order>, event: &OrderEvent, at: Timestamp) -> Option<Order> {
    Order::apply(order, event, at)
}

/// The events that bring a new order to `status`, in order.
fn path_to(status: OrderStatus) -> Vec<OrderEvent> {
    let mut path = vec![OrderEvent::Placed(Box::new(new_order(1, 20_000)))];
    let happy = [
        testing::accepted(),
        OrderEvent::CookStarted,
        OrderEvent::CookFinished,
        OrderEvent::DeliveryPicked {
            rider_id: "r1".into(),
        },
        OrderEvent::DeliveryCompleted {
            rider_id: "r1".into(),
        },
        OrderEvent::Completed,
    ];
    match status {
        S::Placed => {}
        S::Rejected => path.push(testing::rejected("sold out")),
        S::Canceled => path.push(testing::canceled()),
        _ => {
            for e in happy {
                let reached = e.status() == Some(status);
                path.push(e);
                if reached {
                    break;
                }
            }
        }
    }
    path
}

fn order_in(status: OrderStatus) -> Order {
    let order = path_to(status)
        .iter()
        .enumerate()
        .fold(None, |o, (i, e)| apply(o, e, Timestamp(i as u64)))
        .expect("a placed order");
    assert_eq!(order.status, status);
    order
}

fn commands() -> Vec<OrderCommand> {
    vec![
        testing::accept(),
        testing::reject(),
        testing::cancel(),
        OrderCommand::StartCooking,
        OrderCommand::FinishCooking,
        OrderCommand::Pick {
            rider_id: "r2".into(),
        },
        OrderCommand::CompleteDelivery {
            rider_id: "r1".into(),
        },
        OrderCommand::Confirm,
    ]
}

/// The one status from which each command succeeds, and the status it leads to.
fn allowed(status: OrderStatus, cmd: &OrderCommand) -> Option<OrderStatus> {
    match (status, cmd) {
        (S::Placed, OrderCommand::Accept { .. }) => Some(S::Accepted),
        (S::Placed, OrderCommand::Reject { .. }) => Some(S::Rejected),
        (S::Placed | S::Accepted, OrderCommand::Cancel { .. }) => Some(S::Canceled),
        (S::Accepted, OrderCommand::StartCooking) => Some(S::Cooking),
        (S::Cooking, OrderCommand::FinishCooking) => Some(S::Cooked),
        (S::Cooked, OrderCommand::Pick { .. }) => Some(S::PickedUp),
        (S::PickedUp, OrderCommand::CompleteDelivery { .. }) => Some(S::Delivered),
        (S::Delivered, OrderCommand::Confirm) => Some(S::Completed),
        _ => None,
    }
}

#[test]
fn every_status_against_every_command() {
    for status in OrderStatus::ALL {
        let order = order_in(status);
        for cmd in commands() {
            let result = decide(Some(&order), 1, &cmd);
            match allowed(status, &cmd) {
                Some(next) => {
                    let events = result.unwrap_or_else(|e| panic!("{status} {cmd:?}: {e}"));
                    assert_eq!(events.len(), 1);
                    let after = apply(Some(order.clone()), &events[0], Timestamp(99)).unwrap();
                    assert_eq!(after.status, next, "{status} {cmd:?}");
                    assert_eq!(after.history.last().unwrap().status, next);
                    assert_eq!(after.history.len(), order.history.len() + 1);
                }
                None => {
                    let err = result.expect_err(&format!("{status} {cmd:?} must be refused"));
                    assert_ne!(err.kind(), ErrorKind::Invalid, "{status} {cmd:?}: {err}");
                    let message = err.to_string();
                    assert!(
                        message.contains("order 1") || message.contains("rider"),
                        "{message}"
                    );
                }
            }
        }
    }
}

#[test]
fn final_statuses_refuse_everything_as_already_final() {
    for status in [S::Rejected, S::Canceled, S::Completed] {
        let order = order_in(status);
        for cmd in [testing::accept(), testing::cancel(), OrderCommand::Confirm] {
            let err = decide(Some(&order), 1, &cmd).unwrap_err();
            assert!(
                matches!(err, DomainError::AlreadyFinal { .. }),
                "{status}: {err}"
            );
            assert!(err.to_string().contains(status.as_str()));
        }
    }
}

#[test]
fn cancel_after_cooking_started_says_so() {
    for status in [S::Cooking, S::Cooked, S::PickedUp, S::Delivered] {
        let err = decide(Some(&order_in(status)), 1, &testing::cancel()).unwrap_err();
        assert_eq!(err, DomainError::CookingStarted(1));
        assert_eq!(err.kind(), ErrorKind::Conflict);
        assert!(err.to_string().contains("cooking has started"));
    }
}

#[test]
fn accept_needs_placed_and_says_what_it_is() {
    let err = decide(Some(&order_in(S::Cooking)), 1, &testing::accept()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "order 1 is Cooking; accepting needs it to be Placed"
    );
}

#[test]
fn second_rider_is_told_the_delivery_is_taken() {
    let err = decide(
        Some(&order_in(S::PickedUp)),
        1,
        &OrderCommand::Pick {
            rider_id: "r2".into(),
        },
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(err.to_string().contains("already taken by a rider"));
}

#[test]
fn another_rider_cannot_complete_the_delivery() {
    let err = decide(
        Some(&order_in(S::PickedUp)),
        1,
        &OrderCommand::CompleteDelivery {
            rider_id: "r9".into(),
        },
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert!(err.to_string().contains("not yours"));
}

#[test]
fn completing_an_unpicked_delivery_is_a_conflict() {
    let err = decide(
        Some(&order_in(S::Cooked)),
        1,
        &OrderCommand::CompleteDelivery {
            rider_id: "r1".into(),
        },
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
}

#[test]
fn unknown_order_and_double_placement() {
    let err = decide(None, 7, &testing::accept()).unwrap_err();
    assert_eq!(err, DomainError::OrderNotFound(7));
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let placed = order_in(S::Placed);
    let err = decide(
        Some(&placed),
        1,
        &OrderCommand::Place(Box::new(new_order(1, 5))),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
}

#[test]
fn placement_keeps_prices_amount_and_locations() {
    let new = new_order(3, 18_000);
    let events = decide(None, 3, &OrderCommand::Place(Box::new(new.clone()))).unwrap();
    let order = apply(None, &events[0], Timestamp(5)).unwrap();
    assert_eq!(order.amount, 18_000);
    assert_eq!(order.items, new.items);
    assert_eq!(order.dropoff(), new.dropoff);
    assert_eq!(order.pickup, new.pickup);
    assert_eq!(
        order.history,
        vec![StatusChange {
            status: S::Placed,
            at: Timestamp(5),
            by: None,
        }]
    );
}

#[test]
fn apply_is_total_on_events_that_do_not_fit() {
    assert_eq!(apply(None, &testing::accepted(), Timestamp(1)), None);
    let placed = order_in(S::Placed);
    let again = apply(
        Some(placed.clone()),
        &OrderEvent::Placed(Box::new(new_order(1, 1))),
        Timestamp(2),
    );
    assert_eq!(again, Some(placed));
}

#[test]
fn rejection_keeps_the_reason_and_pick_the_rider() {
    let rejected = order_in(S::Rejected);
    assert_eq!(rejected.reject_reason.as_deref(), Some("sold out"));
    assert_eq!(order_in(S::Delivered).rider_id.as_deref(), Some("r1"));
}

#[test]
fn statuses_parse_back() {
    for s in OrderStatus::ALL {
        assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
        assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
    }
    assert_eq!(OrderStatus::parse("Lost"), None);
}

fn revision(n: u32, amount: Won) -> OrderCommand {
    OrderCommand::Revise(Box::new(testing::revision(
        n,
        vec![OrderLine {
            menu_id: "half".into(),
            name: "반반치킨".into(),
            qty: 2,
            unit_price: amount / 2,
            options: vec![],
        }],
        amount,
        amount as i64 - 20_000,
    )))
}

#[test]
fn a_placed_order_is_revised_in_turn_without_a_new_status() {
    let placed = order_in(S::Placed);
    let events = decide(Some(&placed), 1, &revision(1, 42_000)).unwrap();
    let revised = apply(Some(placed.clone()), &events[0], Timestamp(9)).unwrap();
    assert_eq!(
        (revised.amount, revised.revision, revised.status),
        (42_000, 1, S::Placed)
    );
    assert_eq!(revised.items[0].menu_id, "half");
    assert_eq!(revised.history, placed.history, "not a change of status");
    let err = decide(Some(&revised), 1, &revision(1, 10_000)).unwrap_err();
    assert!(
        matches!(
            err,
            DomainError::RevisedMeanwhile {
                expected: 2,
                got: 1,
                ..
            }
        ),
        "{err}"
    );
    assert!(decide(Some(&revised), 1, &revision(2, 10_000)).is_ok());
}

#[test]
fn only_a_placed_order_is_revised() {
    for status in OrderStatus::ALL.into_iter().filter(|s| *s != S::Placed) {
        let err = decide(Some(&order_in(status)), 1, &revision(1, 1_000)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Conflict, "{status}");
        assert!(err.to_string().contains(status.as_str()));
    }
}

#[test]
fn a_cancel_is_decided_from_the_history_given() {
    let placed = OrderEvent::Placed(Box::new(new_order(1, 20_000)));
    let canceled = given::<Order>(1, [placed.clone(), testing::accepted()])
        .when(testing::cancel())
        .then(vec![testing::canceled()])
        .expect("still there");
    assert_eq!(canceled.status, S::Canceled);
    let refused = given::<Order>(1, [placed, testing::accepted(), OrderEvent::CookStarted])
        .when(testing::cancel())
        .then_refused();
    assert_eq!(refused.kind(), ErrorKind::Conflict);
    assert!(
        refused.to_string().contains("cooking has started"),
        "{refused}"
    );
}

#[test]
fn a_command_to_an_order_never_placed_is_not_found() {
    let refused = given::<Order>(7, []).when(testing::accept()).then_refused();
    assert_eq!(refused, DomainError::OrderNotFound(7));
}

#[test]
fn a_reject_or_cancel_keeps_its_code_and_note_in_the_order() {
    use crate::domain::reasons::{CancelReason, RejectReason};
    let placed = OrderEvent::Placed(Box::new(new_order(1, 20_000)));
    let note = Some("닭이 다 떨어졌어요".to_string());
    let rejected = given::<Order>(1, [placed.clone()])
        .when(OrderCommand::Reject {
            code: RejectReason::SoldOut,
            note: note.clone(),
        })
        .then(vec![OrderEvent::Rejected {
            reason: "재료 소진".into(),
            code: Some(RejectReason::SoldOut),
            note: note.clone(),
        }])
        .unwrap();
    assert_eq!(rejected.reject_reason.as_deref(), Some("재료 소진"));
    assert_eq!(rejected.reject_code, Some(RejectReason::SoldOut));
    assert_eq!(rejected.reason_note, note);
    let canceled = given::<Order>(1, [placed])
        .when(OrderCommand::Cancel {
            code: CancelReason::TooSlow,
            note: None,
        })
        .then(vec![OrderEvent::Canceled {
            code: Some(CancelReason::TooSlow),
            note: None,
        }])
        .unwrap();
    assert_eq!(canceled.cancel_code, Some(CancelReason::TooSlow));
}
