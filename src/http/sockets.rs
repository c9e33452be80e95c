//! Open WebSockets: at most `--max-websockets-per-account` per account, and
//! at most half of `--max-in-flight` in all. Each open socket also keeps its
//! request's admission slot (`admission::Held`), so sockets count against
//! the requests in flight, and the cap on all of them leaves the other half
//! of the slots to requests: sign-ups are free, and a few hundred accounts
//! holding sockets must not take every slot.

use super::problem::ProblemType;
use super::Problem;
use dashmap::DashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// How many WebSockets are open, per account and in all.
#[derive(Debug)]
pub struct Sockets {
    per_account: DashMap<String, usize>,
    total: AtomicUsize,
    max_total: usize,
}

/// One open WebSocket of an account; closing it drops this.
#[derive(Debug)]
pub struct Slot {
    sockets: Arc<Sockets>,
    account: String,
}

impl Sockets {
    /// Room for `max_total` sockets in all (at least one).
    pub fn new(max_total: usize) -> Self {
        Sockets {
            per_account: DashMap::new(),
            total: AtomicUsize::new(0),
            max_total: max_total.max(1),
        }
    }

    /// A slot for one more socket of `account`: a 429 if it has `max` open,
    /// a 503 if the server has all it takes.
    pub fn open(self: &Arc<Self>, account: &str, max: usize) -> Result<Slot, Problem> {
        // The total first: a refused socket leaves no entry for its account.
        if self.total.fetch_add(1, Ordering::AcqRel) >= self.max_total {
            self.total.fetch_sub(1, Ordering::AcqRel);
            return Err(Problem::overloaded());
        }
        let mut open = self.per_account.entry(account.to_string()).or_insert(0);
        if *open >= max {
            self.total.fetch_sub(1, Ordering::AcqRel);
            return Err(Problem::new(
                ProblemType::TooManySockets,
                format!("at most {max} WebSockets may be open per account; close one first"),
            ));
        }
        *open += 1;
        Ok(Slot {
            sockets: self.clone(),
            account: account.to_string(),
        })
    }

    /// How many sockets `account` has open.
    pub fn of(&self, account: &str) -> usize {
        self.per_account.get(account).map_or(0, |n| *n)
    }

    /// How many sockets are open in all.
    pub fn total(&self) -> usize {
        self.total.load(Ordering::Acquire)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.sockets.total.fetch_sub(1, Ordering::AcqRel);
        // Forget an account with none left, so the map does not keep every
        // account that ever listened.
        self.sockets
            .per_account
            .remove_if_mut(&self.account, |_, n| {
                *n = n.saturating_sub(1);
                *n == 0
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_has_at_most_its_sockets_and_closing_one_frees_it() {
        let sockets = Arc::new(Sockets::new(100));
        let a = sockets.open("kim", 2).unwrap();
        let b = sockets.open("kim", 2).unwrap();
        let refused = sockets.open("kim", 2).unwrap_err();
        assert_eq!(refused.status.as_u16(), 429);
        assert!(refused.detail.contains("at most 2"));
        assert_eq!(sockets.total(), 2, "a refused socket is not counted");
        let _lee = sockets.open("lee", 2).unwrap();
        drop(a);
        assert_eq!(sockets.of("kim"), 1);
        let c = sockets.open("kim", 2).unwrap();
        drop((b, c));
        assert_eq!(sockets.of("kim"), 0);
        assert!(
            sockets.per_account.get("kim").is_none(),
            "forgotten once none is open"
        );
        assert_eq!(sockets.total(), 1);
    }

    #[test]
    fn the_server_holds_at_most_its_sockets_in_all() {
        let sockets = Arc::new(Sockets::new(2));
        let a = sockets.open("a", 5).unwrap();
        let _b = sockets.open("b", 5).unwrap();
        let refused = sockets.open("c", 5).unwrap_err();
        assert_eq!(refused.status.as_u16(), 503);
        assert!(
            sockets.per_account.get("c").is_none(),
            "a refused socket counts for no one"
        );
        drop(a);
        assert!(sockets.open("c", 5).is_ok());
    }
}
