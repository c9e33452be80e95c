//! Open WebSockets per account: at most `--max-websockets-per-account`
//! each, so that one account cannot hold the server's sockets (each also
//! holds an admission slot for as long as it is open).

use super::Problem;
use dashmap::DashMap;
use std::sync::Arc;

/// How many WebSockets each account has open.
#[derive(Debug, Default)]
pub struct Sockets {
    open: DashMap<String, usize>,
}

/// One open WebSocket of an account; closing it drops this.
#[derive(Debug)]
pub struct Slot {
    sockets: Arc<Sockets>,
    account: String,
}

impl Sockets {
    /// A slot for one more socket of `account`, or a 429 if it has `max`.
    pub fn open(self: &Arc<Self>, account: &str, max: usize) -> Result<Slot, Problem> {
        let mut open = self.open.entry(account.to_string()).or_insert(0);
        if *open >= max {
            return Err(Problem::new(
                actix_web::http::StatusCode::TOO_MANY_REQUESTS,
                "too-many-sockets",
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
        self.open.get(account).map_or(0, |n| *n)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        // Forget an account with none left, so the map does not keep every
        // account that ever listened.
        self.sockets.open.remove_if_mut(&self.account, |_, n| {
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
        let sockets = Arc::new(Sockets::default());
        let a = sockets.open("kim", 2).unwrap();
        let _b = sockets.open("kim", 2).unwrap();
        let refused = sockets.open("kim", 2).unwrap_err();
        assert_eq!(refused.status.as_u16(), 429);
        assert!(refused.detail.contains("at most 2"));
        sockets.open("lee", 2).unwrap();
        drop(a);
        assert_eq!(sockets.of("kim"), 1);
        let _c = sockets.open("kim", 2).unwrap();
        drop(_c);
        drop(_b);
        assert_eq!(sockets.of("kim"), 0);
        assert!(
            sockets.open.get("kim").is_none(),
            "forgotten once none is open"
        );
    }
}
