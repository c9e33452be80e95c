//! Live delivery tracking: while a delivery is picked up and not yet
//! delivered, each location its rider reports is pushed to that order's
//! customer, and no one else, with the ETA recomputed from it
//! (`prep::estimated_arrival`).
//!
//! Which orders a rider carries is kept with the order (`keys::rider_trip`,
//! written by its `also_write` at pick-up and removed at delivery), so a
//! restart loses none and pushes stop at delivery. The positions
//! themselves are never stored: a customer who is not listening misses
//! them (location is personal data; `GET /orders/{id}` gives the ETA from
//! the rider's last location).

use crate::domain::delivery::Trip;
use crate::domain::prep;
use crate::domain::{LatLon, OrderId, Timestamp};
use crate::storage::{keys, Db, StorageError};
use dashmap::DashMap;
use serde::Serialize;
use tokio::sync::broadcast;

/// Positions awaiting a slow listener; older ones are dropped (only the
/// latest matters).
const BUFFER: usize = 16;

/// One rider position, as the customer's WebSocket receives it:
/// `{"tracking": {...}}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Position {
    pub order_id: OrderId,
    pub rider_id: String,
    pub lat: f64,
    pub lon: f64,
    /// Now plus the ride from here (`prep`).
    pub estimated_delivery_at: Timestamp,
    pub at: Timestamp,
}

/// Live channels of positions, one per customer someone listens for.
#[derive(Debug, Default)]
pub struct TrackingHub {
    channels: DashMap<String, broadcast::Sender<Position>>,
}

impl TrackingHub {
    /// Listens to the positions of `customer`'s deliveries from now on.
    pub fn subscribe(&self, customer: &str) -> broadcast::Receiver<Position> {
        self.channels
            .entry(customer.to_string())
            .or_insert_with(|| broadcast::channel(BUFFER).0)
            .subscribe()
    }

    /// Forgets a customer's channel once nobody listens any more.
    pub fn release(&self, customer: &str) {
        self.channels
            .remove_if(customer, |_, tx| tx.receiver_count() == 0);
    }

    /// Pushes rider `rider`'s location `at` to the customer of each
    /// delivery they carry; answers how many positions were sent.
    pub fn rider_moved(
        &self,
        db: &Db,
        rider: &str,
        at: LatLon,
        now: Timestamp,
    ) -> Result<usize, StorageError> {
        let mut sent = 0;
        for entry in db.scan::<Trip>(&keys::rider_trips(rider)) {
            let (_, trip) = entry?;
            let Some(tx) = self.channels.get(&trip.customer_id) else {
                continue;
            };
            let position = Position {
                order_id: trip.order_id,
                rider_id: rider.to_string(),
                lat: at.lat,
                lon: at.lon,
                estimated_delivery_at: prep::estimated_arrival(now, at, trip.dropoff),
                at: now,
            };
            if tx.send(position).is_ok() {
                sent += 1;
            }
        }
        Ok(sent)
    }
}
