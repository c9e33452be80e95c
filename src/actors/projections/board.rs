//! The delivery board: a delivery per order, kept from the log, and an
//! in-memory index of the ready ones for riders' nearby search.

use crate::actors::projections::{Deps, Projection, ProjectionActor};
use crate::domain::delivery::{self, Delivery, DeliveryStatus};
use crate::domain::event::OrderEventOf;
use crate::domain::geo::round_km;
use crate::domain::grid::Grid;
use crate::domain::{LatLon, LogRecord, OrderId};
use crate::error::AppResult;
use crate::storage::{keys, Db, Staged, StorageError};
use actix::prelude::*;
use serde::Serialize;

/// The delivery board subscriber.
#[derive(Default)]
pub struct DeliveryBoard {
    /// Ready deliveries by their pickup point.
    ready: Grid<OrderId, Delivery>,
    /// Index changes staged by `apply`, made once committed.
    staged: Vec<(OrderId, Option<Delivery>)>,
}

impl DeliveryBoard {
    /// The board, with its index of ready deliveries read from disk (only
    /// the ready ones: start-up does not load every delivery).
    pub fn load(db: &Db) -> Result<Self, StorageError> {
        let ready: Vec<Delivery> = db
            .scan::<Delivery>(keys::READY)
            .map(|r| r.map(|(_, d)| d))
            .collect::<Result<_, _>>()?;
        Ok(Self::with_ready(ready))
    }

    /// A board holding these ready deliveries.
    pub fn with_ready(deliveries: impl IntoIterator<Item = Delivery>) -> Self {
        let mut ready = Grid::default();
        for d in deliveries {
            ready.insert(d.order_id, d.pickup, d);
        }
        DeliveryBoard {
            ready,
            staged: Vec::new(),
        }
    }

    /// Ready deliveries whose pickup lies within `radius_km` of `at`,
    /// nearest first, after the cursor `after` (a distance in km and an
    /// order id), at most `limit`; and the cursor of the last one.
    pub fn nearby(
        &self,
        at: LatLon,
        radius_km: f64,
        limit: usize,
        after: Option<(f64, OrderId)>,
    ) -> Vec<(NearbyDelivery, (f64, OrderId))> {
        self.ready
            .nearby_after(at, radius_km, limit, after)
            .into_iter()
            .map(|(km, d)| {
                let found = NearbyDelivery {
                    distance_to_store_km: round_km(km),
                    distance_to_customer_km: round_km(at.distance_km(&d.dropoff_point())),
                    delivery: d.clone(),
                };
                (found, (km, d.order_id))
            })
            .collect()
    }
}

impl Projection for DeliveryBoard {
    const NAME: &'static str = "deliveries";

    fn build(deps: &Deps) -> AppResult<Self> {
        Ok(DeliveryBoard::load(&deps.db)?)
    }

    fn apply(&mut self, record: &LogRecord, staged: &mut Staged<'_>) -> AppResult<()> {
        let Some(OrderEventOf {
            order_id, event, ..
        }) = record.event.as_order()
        else {
            return Ok(());
        };
        let key = keys::delivery(order_id);
        let current = staged.get::<Delivery>(&key)?;
        let Some(next) = delivery::apply(current.as_ref(), event, record.at) else {
            return Ok(());
        };
        staged.put(key, &next)?;
        if next.status == DeliveryStatus::Ready {
            staged.put(keys::ready(order_id), &next)?;
            self.staged.push((order_id, Some(next)));
        } else if current.is_some_and(|d| d.status == DeliveryStatus::Ready) {
            staged.remove(keys::ready(order_id));
            self.staged.push((order_id, None));
        }
        Ok(())
    }

    fn committed(&mut self) {
        for (id, change) in self.staged.drain(..) {
            match change {
                Some(d) => self.ready.insert(id, d.pickup, d),
                None => {
                    self.ready.remove(&id);
                }
            }
        }
    }

    fn rolled_back(&mut self) {
        self.staged.clear();
    }
}

/// A ready delivery found near a rider.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NearbyDelivery {
    #[serde(flatten)]
    pub delivery: Delivery,
    /// From the rider to the store.
    pub distance_to_store_km: f64,
    /// From the rider to the customer.
    pub distance_to_customer_km: f64,
}

/// Find ready deliveries near a point: a page of them, nearest first, after
/// a cursor (the exact distance in km and order id of the last one seen).
#[derive(Clone, Debug, Message)]
#[rtype(result = "Vec<(NearbyDelivery, (f64, OrderId))>")]
pub struct Nearby {
    pub at: LatLon,
    pub radius_km: f64,
    pub limit: usize,
    pub after: Option<(f64, OrderId)>,
}

impl Handler<Nearby> for ProjectionActor<DeliveryBoard> {
    type Result = MessageResult<Nearby>;

    fn handle(&mut self, msg: Nearby, _: &mut Context<Self>) -> Self::Result {
        MessageResult(
            self.projection
                .nearby(msg.at, msg.radius_km, msg.limit, msg.after),
        )
    }
}

/// One delivery.
pub fn delivery(db: &Db, order_id: OrderId) -> Result<Option<Delivery>, StorageError> {
    db.get(&keys::delivery(order_id))
}
