//! Invariants over any sequence of commands, across the order, its kitchen
//! ticket, its delivery and its payment, driven as the system drives them.

use super::access::Principal;
use super::aggregate::Aggregate;
use super::delivery::{self, Delivery, DeliveryStatus};
use super::kitchen::{self, Ticket, TicketStatus};
use super::order::OrderStatus;
use super::order::{Order, OrderCommand};
use super::payment::{Payment, PaymentEvent, PaymentStatus};
use super::testing::{self, new_order};
use super::Timestamp;
use proptest::prelude::*;

/// Everything the system keeps about one order.
struct World {
    order: Option<Order>,
    ticket: Option<Ticket>,
    delivery: Option<Delivery>,
    payment: Payment,
}

fn command() -> impl Strategy<Value = OrderCommand> {
    let rider = prop::sample::select(vec!["r1", "r2", "r3"]).prop_map(String::from);
    prop_oneof![
        Just(testing::accept()),
        Just(super::testing::reject()),
        Just(super::testing::cancel()),
        Just(OrderCommand::StartCooking),
        Just(OrderCommand::FinishCooking),
        rider
            .clone()
            .prop_map(|rider_id| OrderCommand::Pick { rider_id }),
        rider.prop_map(|rider_id| OrderCommand::CompleteDelivery { rider_id }),
        Just(OrderCommand::Confirm),
    ]
}

fn place(id: u64, amount: u64) -> World {
    let new = new_order(id, amount);
    let payment = Payment::pending(id, new.customer_id.clone(), amount, Timestamp(0))
        .apply(
            &PaymentEvent::Approved {
                transaction_id: format!("tx-{id}"),
            },
            Timestamp(0),
        )
        .expect("a pending payment approves");
    let events = Order::decide(
        None,
        &id,
        &Principal::System,
        &OrderCommand::Place(Box::new(new)),
        Timestamp(0),
    )
    .expect("placement");
    let mut world = World {
        order: None,
        ticket: None,
        delivery: None,
        payment,
    };
    for e in &events {
        world.order = Order::apply(world.order.take(), e, Timestamp(0));
        world.ticket = kitchen::apply(None, e, Timestamp(0));
        world.delivery = delivery::apply(None, e, Timestamp(0));
    }
    world
}

proptest! {
    #[test]
    fn any_command_sequence_keeps_every_invariant(
        amounts in prop::collection::vec(1u64..200_000, 1..6),
        script in prop::collection::vec((0usize..6, command()), 0..80),
    ) {
        let mut worlds: Vec<World> = amounts.iter().enumerate().map(|(i, &a)| place(i as u64 + 1, a)).collect();
        for (pick, cmd) in script {
            let w = &mut worlds[pick % amounts.len()];
            let Some(order) = w.order.as_ref() else { continue };
            let before = order.status;
            let rider_before = w.delivery.as_ref().and_then(|d| d.rider_id.clone());
            match Order::decide(Some(order), &order.id, &Principal::System, &cmd, Timestamp(0)) {
                Err(_) => prop_assert_eq!(w.order.as_ref().map(|o| o.status), Some(before)),
                Ok(events) => for (i, e) in events.iter().enumerate() {
                    let at = Timestamp(i as u64 + 1);
                    w.order = Order::apply(w.order.take(), e, at);
                    if let Some(t) = kitchen::apply(w.ticket.as_ref(), e, at) { w.ticket = Some(t); }
                    if let Some(d) = delivery::apply(w.delivery.as_ref(), e, at) { w.delivery = Some(d); }
                    if e.refunds_payment() {
                        let mut p = w.payment.apply(&PaymentEvent::RefundRequested, at).expect("refunded once");
                        for call in p.pending_refunds() {
                            let confirmed = PaymentEvent::RefundConfirmed { key: call.key, transaction_id: "rf".into() };
                            p = p.apply(&confirmed, at).expect("confirmed");
                        }
                        w.payment = p;
                    }
                },
            }
            // The order is in exactly one state, and its projections agree with it.
            let order = w.order.as_ref().expect("still there");
            prop_assert_eq!(w.ticket.as_ref().map(|t| t.status), Some(TicketStatus::of(order.status)));
            prop_assert_eq!(w.delivery.as_ref().map(|d| d.status), Some(DeliveryStatus::of(order.status)));
            prop_assert_eq!(order.history.last().map(|c| c.status), Some(order.status));
            // What a command answers is what the subscribers keep (but for
            // when each last changed).
            let ticket = w.ticket.clone().map(|t| Ticket { updated_at: order.updated_at(), ..t });
            prop_assert_eq!(ticket, Some(Ticket::of(order)));
            let delivery = w.delivery.clone().map(|d| Delivery { updated_at: order.updated_at(), ..d });
            prop_assert_eq!(delivery, Some(Delivery::of(order)));
            // A delivery has at most one rider, and never changes it.
            let rider_now = w.delivery.as_ref().and_then(|d| d.rider_id.clone());
            if rider_before.is_some() { prop_assert_eq!(&rider_before, &rider_now); }
            prop_assert_eq!(&order.rider_id, &rider_now);
            // Refunded exactly when the order ended in a refund.
            let ended_refunded = matches!(order.status, OrderStatus::Rejected | OrderStatus::Canceled);
            prop_assert_eq!(w.payment.status == PaymentStatus::Refunded, ended_refunded);
        }
        // Money is conserved: charged = refunded + kept.
        let charged: u64 = worlds.iter().map(|w| w.payment.charged()).sum();
        let refunded: u64 = worlds.iter().map(|w| w.payment.refunded()).sum();
        let kept: u64 = worlds.iter().map(|w| w.payment.kept()).sum();
        prop_assert_eq!(charged, refunded + kept);
        prop_assert_eq!(charged, amounts.iter().sum::<u64>());
    }
}
