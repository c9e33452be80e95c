//! Admission control: past a number of requests in flight, new ones are
//! refused at once with 503 and `Retry-After`, instead of queueing without
//! bound in front of full actor mailboxes. Health and metrics always pass,
//! so an overloaded server can still be watched. A WebSocket keeps its
//! request's slot for as long as it is open ([`Held`]).

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Counts requests in flight against a limit.
#[derive(Debug)]
pub struct Admission {
    limit: usize,
    in_flight: AtomicUsize,
}

/// A request being served; leaving drops it.
#[derive(Debug)]
pub struct Permit(Option<Arc<Admission>>);

impl Admission {
    pub fn new(limit: usize) -> Arc<Self> {
        Arc::new(Admission {
            limit: limit.max(1),
            in_flight: AtomicUsize::new(0),
        })
    }

    /// A permit for a request to `path`, or `None` when overloaded.
    pub fn enter(self: &Arc<Self>, path: &str) -> Option<Permit> {
        if path == "/health" || path == "/health/live" || path == "/metrics" {
            return Some(Permit(None));
        }
        let before = self.in_flight.fetch_add(1, Ordering::AcqRel);
        if before >= self.limit {
            self.in_flight.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        Some(Permit(Some(self.clone())))
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Acquire)
    }
}

/// A request's permit, in the request's extensions: given back once it is
/// answered, unless a handler took it to keep (a WebSocket does, so that
/// open sockets count against the limit like the requests they were).
#[derive(Clone, Debug)]
pub struct Held(Rc<RefCell<Option<Permit>>>);

impl Held {
    pub fn new(permit: Permit) -> Self {
        Held(Rc::new(RefCell::new(Some(permit))))
    }

    /// The permit, unless someone took it already.
    pub fn take(&self) -> Option<Permit> {
        self.0.borrow_mut().take()
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some(a) = &self.0 {
            a.in_flight.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_limit_and_frees_on_drop() {
        let a = Admission::new(2);
        let p1 = a.enter("/orders").unwrap();
        let _p2 = a.enter("/orders").unwrap();
        assert!(a.enter("/orders").is_none());
        assert!(a.enter("/health").is_some(), "health always passes");
        assert!(a.enter("/health/live").is_some(), "so does liveness");
        assert_eq!(a.in_flight(), 2);
        drop(p1);
        assert!(a.enter("/orders").is_some());
    }

    #[test]
    fn a_held_permit_is_taken_once() {
        let a = Admission::new(1);
        let held = Held::new(a.enter("/ws").unwrap());
        let kept = held.clone().take();
        assert!(kept.is_some() && held.take().is_none());
        assert!(a.enter("/orders").is_none(), "the kept permit still counts");
        drop(kept);
        assert!(a.enter("/orders").is_some());
    }
}
