//! Customers as entities: a customer's wallet (coupons and reviews), so a
//! coupon is used once, and a review and its coupon never disagree.

use super::shell::{Entity, EntityActor, Execute};
use crate::actors::registry::{Directory, Registry};
use crate::domain::access::Principal;
use crate::domain::wallet::{Wallet, WalletCommand, WalletEvent};
use crate::domain::{Event, OrderId, Timestamp, Won};
use crate::error::AppResult;
use crate::storage::{keys, Db, WriteBatch};
use actix::prelude::*;
use dashmap::DashMap;

impl Entity for Wallet {
    const KIND: &'static str = "customer";

    fn key(customer: &String) -> Vec<u8> {
        keys::wallet(customer)
    }

    fn logged(customer: &String, _: &Wallet, event: &WalletEvent) -> Option<Event> {
        Some(Event::Wallet {
            customer_id: customer.clone(),
            event: event.clone(),
        })
    }

    /// Who wrote each review, to check who may delete it.
    fn also_write(
        _: &Db,
        customer: &String,
        _: Option<&Wallet>,
        _: &Wallet,
        _: &WalletCommand,
        events: &[WalletEvent],
        batch: &mut WriteBatch,
        _: Timestamp,
    ) -> AppResult<()> {
        for event in events {
            if let WalletEvent::ReviewWritten { review, .. } = event {
                batch.put(keys::review_owner(review.id), customer)?;
            }
        }
        Ok(())
    }

    fn live(directory: &Directory) -> &DashMap<String, Addr<EntityActor<Wallet>>> {
        &directory.customers
    }

    fn label(customer: &String) -> String {
        customer.clone()
    }
}

/// Uses a coupon of `customer` on the order `order_id`; answers its discount.
pub async fn use_coupon(
    registry: &Registry,
    customer: &str,
    coupon_id: &str,
    order_id: OrderId,
    subtotal: Won,
) -> AppResult<Won> {
    let cmd = WalletCommand::UseCoupon {
        coupon_id: coupon_id.to_string(),
        order_id,
        subtotal,
    };
    let done = registry
        .send(
            &customer.to_string(),
            Execute::<Wallet>::new(&Principal::Customer(customer.to_string()), cmd),
        )
        .await??;
    Ok(done
        .events
        .iter()
        .map(|e| match e {
            WalletEvent::CouponUsed { discount, .. } => *discount,
            _ => 0,
        })
        .sum())
}
