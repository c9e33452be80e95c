//! Fills a database with completed orders, as a long-running server would
//! have left them: each order decided through its whole lifecycle by the
//! domain, written with its payment and events, and every event delivered
//! to the real projections (kitchen, delivery board, MyPage, points,
//! ratings, notifications), so their keys are the ones the server writes.

use crate::actors::projections::notifier::Hub;
use crate::actors::projections::Deps;
use crate::actors::subscribers::{self, Subscriber};
use crate::domain::access::Principal;
use crate::domain::aggregate::Aggregate;
use crate::domain::geo::LatLon;
use crate::domain::order::{NewOrder, Order, OrderCommand, OrderLine};
use crate::domain::payment::{Payment, PaymentEvent};
use crate::domain::store::Store;
use crate::domain::{Event, OrderId, Timestamp};
use crate::error::{AppError, AppResult};
use crate::storage::{keys, Db, WriteBatch};
use std::sync::Arc;

/// Orders written per commit.
const CHUNK: u64 = 200;

/// An order of one to three dishes of a store, to a point near it.
fn new_order(id: OrderId, store: &Store, customers: u64) -> NewOrder {
    let lines: Vec<OrderLine> = store
        .menu
        .iter()
        .cycle()
        .skip(id as usize % store.menu.len())
        .take(1 + id as usize % 3)
        .map(|m| OrderLine {
            menu_id: m.id.clone(),
            name: m.name.clone(),
            qty: 1,
            unit_price: m.price,
            options: vec![],
        })
        .collect();
    let amount = lines.iter().map(|l| l.unit_price * u64::from(l.qty)).sum();
    NewOrder {
        id,
        customer_id: format!("customer-{}", id % customers),
        store_id: store.id.clone(),
        store_name: store.name.clone(),
        pickup: store.location(),
        items: lines,
        amount,
        discount: 0,
        coupon_id: None,
        address: format!("{} {}호", store.address, id % 1_000),
        dropoff: LatLon {
            lat: store.lat + 0.003,
            lon: store.lon + 0.003,
        },
        transaction_id: format!("seed-{id}"),
        fees: Default::default(),
        accept: None,
        notes: Default::default(),
    }
}

/// Stages one completed order: snapshot, index, payment and events.
fn stage_order(batch: &mut WriteBatch, new: NewOrder, now: Timestamp) -> AppResult<()> {
    let id = new.id;
    let rider = format!("rider-{}", id % 2_000);
    let mut commands = vec![OrderCommand::Place(Box::new(new))];
    commands.extend([
        OrderCommand::Accept {
            cooking_minutes: None,
        },
        OrderCommand::StartCooking,
        OrderCommand::FinishCooking,
        OrderCommand::Pick {
            rider_id: rider.clone(),
        },
        OrderCommand::CompleteDelivery { rider_id: rider },
        OrderCommand::Confirm,
    ]);
    let mut state = None;
    for cmd in &commands {
        for event in Order::decide(state.as_ref(), &id, &Principal::System, cmd, now)? {
            state = Order::apply(state, &event, now);
            let o = state
                .as_ref()
                .ok_or_else(|| AppError::Internal(format!("order {id} vanished")))?;
            batch.append(
                now,
                Event::Order {
                    order_id: id,
                    customer_id: o.customer_id.clone(),
                    store_id: o.store_id.clone(),
                    event,
                },
            );
        }
    }
    let done = state.ok_or_else(|| AppError::Internal(format!("order {id} vanished")))?;
    let payment = Payment::pending(id, done.customer_id.clone(), done.amount, now).apply(
        &PaymentEvent::Approved {
            transaction_id: done.transaction_id.clone(),
        },
        now,
    )?;
    batch.put(keys::payment(id), &payment)?;
    batch.put(keys::customer_order(&done.customer_id, id), &())?;
    batch.put(keys::order(id), &done)?;
    Ok(())
}

/// How many orders earlier runs seeded into this database.
pub fn seeded(db: &Db) -> AppResult<u64> {
    Ok(db.get::<u64>(keys::SEEDED_ORDERS)?.unwrap_or(0))
}

/// Every order id in the database, in order.
pub fn order_ids(db: &Db) -> AppResult<Vec<u64>> {
    let ids: Vec<u64> = db
        .scan_keys(keys::ORDERS)
        .filter_map(|k| k.map(|k| keys::trailing_u64(&k)).transpose())
        .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Err(AppError::Internal("no orders in the database".into()));
    }
    Ok(ids)
}

/// Adds completed orders until the database holds `target`, over the demo
/// stores and `customers` customers. Logs progress every 100,000; returns
/// how many it holds.
pub async fn fill(db: &Db, target: u64, customers: u64) -> AppResult<u64> {
    if seeded(db)? == 0 && db.last_key(keys::ORDERS)?.is_some() {
        // Its subscribers' offsets are set below: that would skip real work.
        return Err(AppError::Internal(
            "this database has orders it did not seed: seed an empty directory".into(),
        ));
    }
    crate::demo::load(db).await?;
    let stores = crate::demo::stores()?;
    // Every projection the server runs, fed as the server would feed them;
    // the reactions have nothing to do in completed orders (no refund
    // owed, no coupon to give back): their offsets are only moved along.
    let mut projections = subscribers::in_process(&Deps {
        db: db.clone(),
        hub: Arc::new(Hub::default()),
        webhook: false,
    })?;
    let mut offset = db
        .get::<u64>(&keys::offset(Subscriber::MyPage.name()))?
        .unwrap_or(0);
    let mut done = seeded(db)?;
    let now = Timestamp::now();
    while done < target {
        let n = CHUNK.min(target - done);
        let mut batch = WriteBatch::new();
        for _ in 0..n {
            // From the server's own id source, so its next orders follow.
            let id = db.next_id()?;
            let store = &stores[id as usize % stores.len()];
            stage_order(&mut batch, new_order(id, store, customers), now)?;
        }
        done += n;
        batch.put(keys::SEEDED_ORDERS.to_vec(), &done)?;
        let commit = db.commit(batch)?;
        // The projections read the log only as far as it is on disk.
        db.durable(commit).await?;
        offset = projections.catch_up(db, offset)?;
        if done % 100_000 < n {
            tracing::info!(orders = done, "seeded");
        }
    }
    // Completed orders owe no refund and free no coupon: the reactions
    // have nothing to do in what was written.
    let mut batch = WriteBatch::new();
    for reaction in Subscriber::ALL.iter().filter(|s| s.is_reaction()) {
        batch.put(keys::offset(reaction.name()), &offset)?;
    }
    let commit = db.commit(batch)?;
    // As the server's own compaction would have left it.
    crate::actors::dispatcher::compact_log(db, &Subscriber::names())?;
    db.flush()?;
    db.durable(commit).await?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn seeds_completed_orders_and_tops_up_to_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_for_tests(dir.path());
        assert_eq!(fill(&db, 250, 10).await.unwrap(), 250);
        assert_eq!(fill(&db, 300, 10).await.unwrap(), 300);
        let ids = order_ids(&db).unwrap();
        assert_eq!(ids.len(), 300);
        let order: crate::domain::order::Order = db.get(&keys::order(ids[0])).unwrap().unwrap();
        assert_eq!(order.status, crate::domain::order::OrderStatus::Completed);
        for name in Subscriber::names() {
            assert_eq!(
                db.get::<u64>(&keys::offset(name)).unwrap(),
                Some(db.horizon().borrow().log_seq),
                "{name} is caught up"
            );
        }
    }

    #[tokio::test]
    async fn refuses_a_database_it_did_not_seed() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_for_tests(dir.path());
        let mut batch = WriteBatch::new();
        batch.put(keys::order(7), &"a real order").unwrap();
        db.commit(batch).unwrap();
        let refused = fill(&db, 10, 10).await.unwrap_err().to_string();
        assert!(refused.contains("did not seed"), "{refused}");
        assert_eq!(seeded(&db).unwrap(), 0, "nothing seeded");
        assert_eq!(
            db.get::<u64>(&keys::offset(Subscriber::Refunds.name()))
                .unwrap(),
            None
        );
        assert!(!db.contains(keys::DEMO_LOADED).unwrap(), "nothing written");
    }
}
