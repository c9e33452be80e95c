//! Where an audience's notifications are kept: in pages of up to [`PAGE`],
//! one key each, keyed by the id of the page's first notification.
//!
//! One key per notification made them the largest part of the database:
//! nine keys per order, 40% of the server's resident memory and more than
//! half of its disk with 200,000 orders (BENCHMARKS.md). A page is
//! rewritten as it fills, which the notifier's batched deliveries make
//! cheaper: the notifications a delivery adds to one page are written once.
//! Pages are small for the same reason (see [`PAGE`]); older databases'
//! larger pages are read as they are.

use crate::domain::notification::{Audience, Notification};
use crate::storage::{keys, Db, Staged, StorageError};
use std::collections::hash_map::{Entry, HashMap};

/// Notifications per page.
pub const PAGE: usize = keys::NOTIFICATIONS_PER_PAGE;

/// The last page of each audience a delivery added to, until it commits.
#[derive(Debug, Default)]
pub struct OpenPages {
    pages: HashMap<Audience, (Vec<u8>, Vec<Notification>)>,
}

impl OpenPages {
    /// Adds `n` (newer than everything the audience has) to its last page,
    /// or to a new page once that one is full.
    pub fn append(
        &mut self,
        staged: &mut Staged<'_>,
        audience: &Audience,
        n: Notification,
    ) -> Result<(), StorageError> {
        let (kind, id) = (audience.kind(), audience.id());
        let (key, page) = match self.pages.entry(audience.clone()) {
            Entry::Occupied(open) => open.into_mut(),
            Entry::Vacant(vacant) => vacant.insert(last_page(staged.db(), kind, id)?),
        };
        if key.is_empty() || page.len() >= PAGE {
            *key = keys::inbox_page(kind, id, n.id);
            page.clear();
        }
        page.push(n);
        staged.put(key.clone(), page)
    }

    /// Forgets the pages: they are on disk now, or must be read again.
    pub fn clear(&mut self) {
        self.pages.clear();
    }
}

/// An audience's last page and its key (none yet: an empty key).
fn last_page(db: &Db, kind: &str, id: &str) -> Result<(Vec<u8>, Vec<Notification>), StorageError> {
    match db.last_key(&keys::inbox(kind, id))? {
        Some(key) => {
            let page = db.get::<Vec<Notification>>(&key)?.unwrap_or_default();
            Ok((key, page))
        }
        None => Ok((Vec::new(), Vec::new())),
    }
}

/// An audience's notifications after `since` (exclusive), oldest first.
pub fn list(
    db: &Db,
    audience: &Audience,
    since: u64,
    limit: usize,
) -> Result<Vec<Notification>, StorageError> {
    let prefix = keys::inbox(audience.kind(), audience.id());
    // The page holding `since`: the last one starting at or before it.
    let from = db
        .last_key_upto(
            &prefix,
            &keys::inbox_page(audience.kind(), audience.id(), since),
        )?
        .unwrap_or_else(|| prefix.clone());
    let mut found = Vec::new();
    let mut short: Option<Vec<u8>> = None;
    for entry in db.scan_from::<Vec<Notification>>(&prefix, &from) {
        let (key, mut page) = entry?;
        // A page is short only while it is the last. Seeing one after a
        // short page means a delivery filled that page and went on while
        // this scan ran (readers see a commit's writes one by one, in key
        // order): read the short page again, now full, before going on.
        if let Some(short) = short.take() {
            let filled = db.get::<Vec<Notification>>(&short)?.unwrap_or_default();
            let seen = found.last().map_or(since, |n: &Notification| n.id);
            found.extend(filled.into_iter().filter(|n| n.id > seen));
        }
        if found.len() >= limit {
            break;
        }
        if page.len() < PAGE {
            short = Some(key);
        }
        page.retain(|n| n.id > since);
        found.extend(page);
        if found.len() >= limit {
            break;
        }
    }
    found.truncate(limit);
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Timestamp;

    fn note(id: u64) -> Notification {
        Notification {
            id,
            order_id: id,
            status: "Placed".into(),
            message: format!("주문 {id}"),
            at: Timestamp(id),
        }
    }

    #[test]
    fn pages_fill_across_deliveries_and_list_from_any_point() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_for_tests(dir.path());
        let kim = Audience::Customer("kim".into());
        let lee = Audience::Customer("lee".into());
        let mut open = OpenPages::default();
        // Three deliveries, the ids of two audiences interleaved.
        for chunk in (1..=200u64).collect::<Vec<_>>().chunks(70) {
            let mut staged = Staged::new(&db);
            for &id in chunk {
                let who = if id % 3 == 0 { &lee } else { &kim };
                open.append(&mut staged, who, note(id)).unwrap();
            }
            db.commit(staged.into_batch()).unwrap();
            open.clear();
        }
        let kims: Vec<u64> = (1..=200).filter(|id| id % 3 != 0).collect();
        let all = list(&db, &kim, 0, 1_000).unwrap();
        assert_eq!(all.iter().map(|n| n.id).collect::<Vec<_>>(), kims);
        let pages = db.scan_keys(&keys::inbox("customer", "kim")).count();
        assert_eq!(
            pages,
            kims.len().div_ceil(PAGE),
            "pages are filled, not restarted"
        );
        for since in [0, 1, 2, 50, 64, 65, 133, 199, 200] {
            let got: Vec<u64> = list(&db, &kim, since, 10)
                .unwrap()
                .iter()
                .map(|n| n.id)
                .collect();
            let want: Vec<u64> = kims
                .iter()
                .copied()
                .filter(|&id| id > since)
                .take(10)
                .collect();
            assert_eq!(got, want, "since {since}");
        }
        assert_eq!(list(&db, &lee, 0, 1_000).unwrap().len(), 66);
        assert!(list(&db, &Audience::Rider("park".into()), 0, 10)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn an_older_release_larger_last_page_is_read_whole_and_followed_by_small_ones() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_for_tests(dir.path());
        let kim = Audience::Customer("kim".into());
        // As a release with pages of 32 left it: one page of 20, the last.
        let mut staged = Staged::new(&db);
        let old: Vec<Notification> = (1..=20).map(note).collect();
        staged
            .put(keys::inbox_page("customer", "kim", 1), &old)
            .unwrap();
        db.commit(staged.into_batch()).unwrap();
        let mut open = OpenPages::default();
        let mut staged = Staged::new(&db);
        for id in 21..=30 {
            open.append(&mut staged, &kim, note(id)).unwrap();
        }
        db.commit(staged.into_batch()).unwrap();
        let pages: Vec<usize> = db
            .scan::<Vec<Notification>>(&keys::inbox("customer", "kim"))
            .map(|page| page.unwrap().1.len())
            .collect();
        assert_eq!(
            pages,
            vec![20, PAGE, 10 - PAGE],
            "the old page is not grown"
        );
        for since in [0, 5, 20, 25] {
            let got: Vec<u64> = list(&db, &kim, since, 100)
                .unwrap()
                .iter()
                .map(|n| n.id)
                .collect();
            assert_eq!(got, (since + 1..=30).collect::<Vec<_>>(), "since {since}");
        }
    }
}
