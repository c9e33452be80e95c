//! The delivery board: a delivery per order, kept from the log, and an
//! in-memory index of the ready ones for riders' nearby search.

use super::dispatcher::{Projection, ProjectionActor};
use crate::domain::delivery::{self, Delivery, DeliveryStatus};
use crate::domain::geo::round_km;
use crate::domain::{Event, LatLon, LogRecord, OrderId};
use crate::error::AppResult;
use crate::storage::{keys, Db, Staged, StorageError};
use actix::prelude::*;
use serde::Serialize;
use std::collections::HashMap;

/// The delivery board subscriber.
#[derive(Default)]
pub struct DeliveryBoard {
    ready: HashMap<OrderId, Delivery>,
    /// Index changes staged by `apply`, made once committed.
    staged: Vec<(OrderId, Option<Delivery>)>,
}

impl DeliveryBoard {
    /// The board, with its index of ready deliveries read from disk (only
    /// the ready ones: start-up does not load every delivery).
    pub fn load(db: &Db) -> Result<Self, StorageError> {
        let ready = db
            .scan::<Delivery>(keys::READY)
            .map(|r| r.map(|(_, d)| (d.order_id, d)))
            .collect::<Result<_, _>>()?;
        Ok(DeliveryBoard {
            ready,
            staged: Vec::new(),
        })
    }

    /// Ready deliveries whose pickup lies within `radius_km` of `at`,
    /// nearest first.
    pub fn nearby(&self, at: LatLon, radius_km: f64, limit: usize) -> Vec<NearbyDelivery> {
        let mut found: Vec<(f64, &Delivery)> = self
            .ready
            .values()
            .map(|d| (at.distance_km(&d.pickup), d))
            .filter(|(km, _)| *km <= radius_km)
            .collect();
        found.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.order_id.cmp(&b.1.order_id)));
        found
            .into_iter()
            .take(limit)
            .map(|(km, d)| NearbyDelivery {
                distance_to_store_km: round_km(km),
                distance_to_customer_km: round_km(at.distance_km(&d.dropoff_point())),
                delivery: d.clone(),
            })
            .collect()
    }
}

impl Projection for DeliveryBoard {
    const NAME: &'static str = "deliveries";

    fn apply(&mut self, record: &LogRecord, staged: &mut Staged<'_>) -> AppResult<()> {
        let Event::Order {
            order_id, event, ..
        } = &record.event
        else {
            return Ok(());
        };
        let key = keys::delivery(*order_id);
        let current = staged.get::<Delivery>(&key)?;
        let Some(next) = delivery::apply(current.as_ref(), event, record.at) else {
            return Ok(());
        };
        staged.put(key, &next)?;
        if next.status == DeliveryStatus::Ready {
            staged.put(keys::ready(*order_id), &next)?;
            self.staged.push((*order_id, Some(next)));
        } else if current.is_some_and(|d| d.status == DeliveryStatus::Ready) {
            staged.remove(keys::ready(*order_id));
            self.staged.push((*order_id, None));
        }
        Ok(())
    }

    fn committed(&mut self) {
        for (id, change) in self.staged.drain(..) {
            match change {
                Some(d) => self.ready.insert(id, d),
                None => self.ready.remove(&id),
            };
        }
    }

    fn rolled_back(&mut self) {
        self.staged.clear();
    }
}

/// A ready delivery found near a rider.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NearbyDelivery {
    #[serde(flatten)]
    pub delivery: Delivery,
    /// From the rider to the store.
    pub distance_to_store_km: f64,
    /// From the rider to the customer.
    pub distance_to_customer_km: f64,
}

/// Find ready deliveries near a point.
#[derive(Clone, Debug, Message)]
#[rtype(result = "Vec<NearbyDelivery>")]
pub struct Nearby {
    pub at: LatLon,
    pub radius_km: f64,
    pub limit: usize,
}

impl Handler<Nearby> for ProjectionActor<DeliveryBoard> {
    type Result = MessageResult<Nearby>;

    fn handle(&mut self, msg: Nearby, _: &mut Context<Self>) -> Self::Result {
        MessageResult(self.projection.nearby(msg.at, msg.radius_km, msg.limit))
    }
}

/// One delivery.
pub fn delivery(db: &Db, order_id: OrderId) -> Result<Option<Delivery>, StorageError> {
    db.get(&keys::delivery(order_id))
}
