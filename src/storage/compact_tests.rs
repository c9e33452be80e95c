use super::*;
use crate::domain::store::StoreEvent;
use crate::domain::{Event, Timestamp};
use crate::storage::{keys, Db, WriteBatch};

fn open(path: &Path) -> Db {
    Db::open(&config(path)).unwrap()
}

fn event(n: u64) -> Event {
    Event::Store {
        store_id: format!("s{n}"),
        event: StoreEvent::OpenChanged(n.is_multiple_of(2)),
    }
}

/// A database with a write history: orders put, rewritten and removed, log
/// records appended. Returns the ids it handed out.
fn with_history(path: &Path) -> Vec<u64> {
    let db = open(path);
    let mut ids = Vec::new();
    for n in 1..=300u64 {
        let id = db.next_id().unwrap();
        ids.push(id);
        for round in 0..3 {
            let mut batch = WriteBatch::new();
            batch
                .put(keys::order(id), &format!("order {n} round {round}"))
                .unwrap();
            batch.append(Timestamp(n), event(n));
            db.commit(batch).unwrap();
        }
        if n % 10 == 0 {
            let mut batch = WriteBatch::new();
            batch.remove(keys::order(id));
            db.commit(batch).unwrap();
        }
    }
    db.flush().unwrap();
    drop(db);
    // sled skips its id generator ahead at every start: a few starts put
    // the ids beyond what a copy's fresh generator would hand out.
    for _ in 0..3 {
        ids.push(open(path).next_id().unwrap());
    }
    ids
}

fn everything(path: &Path) -> Vec<(Vec<u8>, Vec<u8>)> {
    let engine = open_engine(&config(path)).unwrap();
    engine
        .iter()
        .map(|e| e.map(|(k, v)| (k.to_vec(), v.to_vec())).unwrap())
        .collect()
}

#[tokio::test]
async fn compaction_keeps_every_key_and_every_id_handed_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let ids = with_history(&path);
    let before = everything(&path);

    let done = compact(&path).unwrap();
    assert_eq!(done.keys, before.len() as u64);
    assert!(done.bytes_after > 0 && done.bytes_before > 0);
    assert_eq!(everything(&path), before, "the same keys and values");
    assert!(!work_dir(&path).exists() && !set_aside(&path).exists());

    let db = open(&path);
    assert_eq!(
        db.get::<String>(&keys::order(ids[0])).unwrap().as_deref(),
        Some("order 1 round 2")
    );
    assert_eq!(db.get::<String>(&keys::order(ids[9])).unwrap(), None);
    let next = db.next_id().unwrap();
    assert!(
        ids.iter().all(|&id| next > id),
        "id {next} was handed out before"
    );
    // The log goes on after its last record.
    let last = db.read_log(0, 1000).unwrap().last().unwrap().seq;
    let mut batch = WriteBatch::new();
    batch.append(Timestamp(1000), event(1000));
    let written = db.commit(batch).unwrap();
    db.acknowledged(written).await.unwrap();
    assert_eq!(db.read_log(last, 10).unwrap()[0].seq, last + 1);
}

#[test]
fn a_database_in_use_is_not_compacted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    with_history(&path);
    let before = everything(&path);
    let held = open(&path);

    let refused = compact(&path).unwrap_err().to_string();
    assert!(refused.contains("could not acquire lock"), "{refused}");
    drop(held);
    assert_eq!(everything(&path), before, "the original is untouched");
}

#[test]
fn an_interrupted_swap_is_refused_by_the_server_and_finished_by_compacting_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    with_history(&path);
    let before = everything(&path);
    // The crash came between the two renames: the original is set aside
    // and the verified copy waits at the work path (marked, to tell which
    // one ends up in place).
    let source = open_engine(&config(&path)).unwrap();
    copy(&source, &work_dir(&path)).unwrap();
    drop(source);
    let marked = open_engine(&config(&work_dir(&path))).unwrap();
    marked.insert(b"marker", b"the copy").unwrap();
    marked.flush().unwrap();
    drop(marked);
    std::fs::rename(&path, set_aside(&path)).unwrap();

    let refused = Db::open(&config(&path)).err().unwrap().to_string();
    assert!(refused.contains("compaction was interrupted"), "{refused}");
    assert!(refused.contains("baedal compact"), "{refused}");
    assert!(!path.exists(), "no empty database was started in its place");

    compact(&path).unwrap();
    let mut after = everything(&path);
    let marker = after.iter().position(|(k, _)| k == b"marker");
    assert!(marker.is_some(), "the copy was moved in, not the original");
    after.remove(marker.unwrap());
    assert_eq!(after, before);
    assert!(!work_dir(&path).exists() && !set_aside(&path).exists());
}

#[test]
fn an_original_left_beside_its_copy_is_reported_and_left_to_a_person() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    with_history(&path);
    let before = everything(&path);
    std::fs::create_dir_all(set_aside(&path)).unwrap();
    std::fs::write(set_aside(&path).join("db"), b"what was left").unwrap();

    let refused = compact(&path).unwrap_err().to_string();
    assert!(refused.contains("did not remove the original"), "{refused}");
    assert!(refused.contains("precompact"), "{refused}");
    assert_eq!(everything(&path), before);
    assert_eq!(
        std::fs::read(set_aside(&path).join("db")).unwrap(),
        b"what was left"
    );
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    with_history(&path);
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&path, &link).unwrap();

    let refused = compact(&link).unwrap_err().to_string();
    assert!(refused.contains("symbolic link"), "{refused}");
    assert!(link.exists() && path.join("db").is_file());
}

#[test]
fn a_directory_that_is_not_a_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes");
    std::fs::create_dir_all(&path).unwrap();
    std::fs::write(path.join("todo.txt"), b"buy kimchi").unwrap();

    let refused = compact(&path).unwrap_err().to_string();
    assert!(refused.contains("no database at"), "{refused}");
    assert_eq!(std::fs::read(path.join("todo.txt")).unwrap(), b"buy kimchi");
    assert_eq!(std::fs::read_dir(&path).unwrap().count(), 1);
    assert!(!work_dir(&path).exists());
}

#[test]
fn an_original_set_aside_without_its_copy_goes_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    with_history(&path);
    let before = everything(&path);
    std::fs::rename(&path, set_aside(&path)).unwrap();

    compact(&path).unwrap();
    assert_eq!(everything(&path), before);
}

#[test]
fn a_copy_left_half_done_is_started_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    with_history(&path);
    let before = everything(&path);
    std::fs::create_dir_all(work_dir(&path)).unwrap();
    std::fs::write(work_dir(&path).join("junk"), b"half a copy").unwrap();

    compact(&path).unwrap();
    assert_eq!(everything(&path), before);
}

#[test]
fn a_missing_database_is_not_created_to_be_compacted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let refused = compact(&path).unwrap_err().to_string();
    assert!(refused.contains("no database at"), "{refused}");
    assert!(!path.exists());
}

#[test]
fn a_database_with_trees_baedal_does_not_write_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    with_history(&path);
    {
        let engine = open_engine(&config(&path)).unwrap();
        engine
            .open_tree("someone-else")
            .unwrap()
            .insert(b"k", b"v")
            .unwrap();
        engine.flush().unwrap();
    }
    let before = everything(&path);

    let refused = compact(&path).unwrap_err().to_string();
    assert!(refused.contains("2 trees"), "{refused}");
    assert!(refused.contains("not its database"), "{refused}");
    assert_eq!(everything(&path), before);
    assert!(!work_dir(&path).exists());
}

#[test]
fn a_database_from_a_newer_release_is_not_compacted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let engine = open_engine(&config(&path)).unwrap();
        let newer = crate::storage::SCHEMA + 1;
        engine.insert(keys::SCHEMA, &newer.to_be_bytes()).unwrap();
        // A journal record in a layout this release does not know.
        engine.insert(keys::JOURNAL, &[7u8, 7, 7][..]).unwrap();
        engine.flush().unwrap();
    }
    let before = everything(&path);
    let refused = compact(&path).unwrap_err().to_string();
    assert!(refused.contains("newer baedal"), "{refused}");
    assert_eq!(everything(&path), before, "left as it was");
    assert!(!work_dir(&path).exists(), "no copy begun");
}
