//! Crash safety, proved by killing it: several clients drive order
//! lifecycles (with revisions, cancels and rejections) against the real binary, which
//! is SIGKILLed at a seeded moment, restarted on the same directory and
//! checked, round after round:
//!
//! - every order that got a 201 exists, and every transition that got a 200
//!   is in its history, in order;
//! - no payment is left pending, no order is charged twice or refunded
//!   twice, and no charge stands without its order;
//! - money is conserved: charged at the gateway (net of revisions) =
//!   refunded + kept by live orders, order by order;
//! - the kitchen, the delivery board and MyPage converge to each order;
//! - the restarted server takes new orders at once.
//!
//! Seeds: `BAEDAL_CRASH_SEEDS=7,8,9` replaces the default ones.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const STORES: [&str; 4] = [
    "gangnam-chicken",
    "mangwon-ramen",
    "hwagok-pizza",
    "bongcheon-gukbap",
];
const CLIENTS: usize = 4;

/// What the clients were told, by order id.
#[derive(Default)]
struct Ledger {
    /// Statuses acknowledged (201 or 200), in order.
    acked: BTreeMap<u64, Vec<String>>,
    /// `refundedAt` of each refund seen, to catch a second refund.
    refunded_at: HashMap<u64, Value>,
}

/// One lifecycle's plan: the statuses to drive it through after Placed.
fn plan(rng: &mut fastrand::Rng) -> Vec<&'static str> {
    let full = [
        "Accepted",
        "Cooking",
        "Cooked",
        "PickedUp",
        "Delivered",
        "Completed",
    ];
    match rng.u8(0..10) {
        0 | 1 => vec!["Canceled"],
        2 => vec!["Accepted", "Canceled"],
        3 => vec!["Rejected"],
        4 | 5 => full[..rng.usize(0..full.len())].to_vec(),
        _ => full.to_vec(),
    }
}

fn step(id: u64, to: &str, rider: &str) -> (String, Option<Value>) {
    let (path, body) = match to {
        "Accepted" => ("/foodCookings/{id}/accept", None),
        "Rejected" => (
            "/foodCookings/{id}/reject",
            Some(json!({ "reason": "SOLD_OUT" })),
        ),
        "Canceled" => ("/orders/{id}/cancel", None),
        "Cooking" => ("/foodCookings/{id}/start", None),
        "Cooked" => ("/foodCookings/{id}/finish", None),
        "PickedUp" => ("/deliveries/{id}/pick", Some(json!({ "riderId": rider }))),
        "Delivered" => (
            "/deliveries/{id}/complete",
            Some(json!({ "riderId": rider })),
        ),
        "Completed" => ("/orders/{id}/confirm", None),
        other => panic!("no step to {other}"),
    };
    (path.replace("{id}", &id.to_string()), body)
}

/// Drives lifecycles until the server stops answering.
async fn client(api: Api, seed: u64, n: usize, ledger: Arc<Mutex<Ledger>>, ops: Arc<AtomicUsize>) {
    let mut rng = fastrand::Rng::with_seed(seed * 1000 + n as u64);
    for i in 0.. {
        let customer = format!("s{seed}-c{n}-{i}");
        let store = STORES[rng.usize(0..STORES.len())];
        let Some((status, order)) = api
            .try_post("/orders", Some(&order_body(&customer, store)))
            .await
        else {
            return;
        };
        assert_eq!(status, StatusCode::CREATED, "{order}");
        let id = order["id"].as_u64().unwrap();
        ledger
            .lock()
            .unwrap()
            .acked
            .insert(id, vec!["Placed".into()]);
        ops.fetch_add(1, Ordering::SeqCst);
        // Some orders are revised first, up or down (the payment follows).
        if rng.u8(0..3) == 0 {
            let dish = demo_dish(store).0;
            // Two or more: one dish alone is under some stores' minimum order.
            let revision = json!({ "items": [{ "menuId": dish, "qty": rng.u64(2..5) }] });
            let path = format!("/orders/{id}/revise");
            let Some((status, answer)) = api.try_post(&path, Some(&revision)).await else {
                return;
            };
            assert_eq!(status, StatusCode::OK, "revise: {answer}");
            ops.fetch_add(1, Ordering::SeqCst);
        }
        for to in plan(&mut rng) {
            let (path, body) = step(id, to, &format!("rider-{n}"));
            let Some((status, answer)) = api.try_post(&path, body.as_ref()).await else {
                return;
            };
            assert_eq!(status, StatusCode::OK, "{path}: {answer}");
            ledger
                .lock()
                .unwrap()
                .acked
                .get_mut(&id)
                .unwrap()
                .push(to.to_string());
            ops.fetch_add(1, Ordering::SeqCst);
        }
    }
}

fn ticket_status(order: &str) -> &'static str {
    match order {
        "Placed" => "Requested",
        "Accepted" => "Accepted",
        "Rejected" => "Rejected",
        "Canceled" => "Canceled",
        "Cooking" => "Cooking",
        "Cooked" => "Cooked",
        _ => "HandedOver",
    }
}

fn delivery_status(order: &str) -> &'static str {
    match order {
        "Placed" | "Accepted" | "Cooking" => "Pending",
        "Rejected" | "Canceled" => "Canceled",
        "Cooked" => "Ready",
        "PickedUp" => "PickedUp",
        _ => "Delivered",
    }
}

/// Per gateway transaction: the gateway and the payment's ledger hold the
/// same charges, and each charge the same refunds, each made once and none
/// beyond what was charged.
fn same_transactions(id: u64, account: &Value, payment: &Value) {
    let at_gateway = account["charges"].as_array().unwrap();
    let in_ledger = payment["charges"].as_array().unwrap();
    assert_eq!(
        at_gateway.len(),
        in_ledger.len(),
        "order {id}: charges {account} vs {payment}"
    );
    for (g, l) in at_gateway.iter().zip(in_ledger) {
        assert_eq!(g["transactionId"], l["transactionId"], "order {id}");
        assert_eq!(g["amount"], l["amount"], "order {id}");
        let refunds: Vec<u64> = l["refunds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["amount"].as_u64().unwrap())
            .collect();
        assert_eq!(
            g["refunds"].as_array().unwrap().len(),
            refunds.len(),
            "order {id}: every refund made exactly once: {g} vs {l}"
        );
        let back: u64 = refunds.iter().sum();
        assert!(back <= g["amount"].as_u64().unwrap(), "order {id}: {g}");
    }
}

/// Everything that must hold after a restart.
async fn verify(api: &Api, ledger: &mut Ledger) {
    caught_up(api).await;
    eventually("pending payments and revisions to be settled", || async {
        let (_, health) = api.get("/health").await;
        (health["pendingPayments"] == 0 && health["pendingRevisions"] == 0).then_some(())
    })
    .await;
    caught_up(api).await;
    let mut orders = HashMap::new();
    for (id, acked) in &ledger.acked {
        let (status, order) = api.get(&format!("/orders/{id}")).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "order {id} got a 201 and must exist"
        );
        let history = statuses(&order);
        assert!(
            history.starts_with(&acked.iter().map(String::as_str).collect::<Vec<_>>()),
            "order {id}: acknowledged {acked:?}, history {history:?}"
        );
        orders.insert(*id, order);
    }
    // Every account at the gateway: all given back, or the net kept by its
    // live order, to the won; and the sums balance.
    let (_, accounts) = api.get("/admin/chaos/payment/charges").await;
    let (mut charged, mut refunded, mut kept, mut live) = (0u64, 0u64, 0u64, 0u64);
    for account in accounts.as_array().unwrap() {
        let id = account["orderId"].as_u64().unwrap();
        charged += account["charged"].as_u64().unwrap();
        refunded += account["refunded"].as_u64().unwrap();
        let net = account["net"]
            .as_u64()
            .expect("never more refunded than charged");
        kept += net;
        let (_, payment) = api.get(&format!("/payments/{id}")).await;
        assert_eq!(
            payment["transactionId"], account["transactionId"],
            "order {id}"
        );
        same_transactions(id, account, &payment);
        if account["fullyRefunded"] == true {
            assert_eq!(net, 0, "order {id}: {account}");
            assert_eq!(payment["status"], "Refunded", "order {id}");
            let at = payment["refundedAt"].clone();
            let first = ledger.refunded_at.entry(id).or_insert_with(|| at.clone());
            assert_eq!(*first, at, "order {id} refunded twice");
        } else {
            assert_eq!(payment["status"], "Approved", "order {id}");
            assert_eq!(
                payment["amount"], net,
                "order {id}: the payment and the gateway agree"
            );
            let (status, order) = api.get(&format!("/orders/{id}")).await;
            assert_eq!(
                status,
                StatusCode::OK,
                "a kept charge of order {id} without its order"
            );
            assert_eq!(order["amount"], net, "order {id}");
            let s = order["status"].as_str().unwrap();
            assert!(
                s != "Canceled" && s != "Rejected",
                "order {id} is {s} but was not refunded"
            );
            live += order["amount"].as_u64().unwrap();
        }
    }
    assert_eq!(charged, refunded + kept, "charged = refunded + kept");
    assert_eq!(
        kept, live,
        "what the gateway keeps is what live orders cost"
    );
    let charges = accounts;
    // Every acknowledged order was charged once, and its views agree.
    let charged_ids: HashMap<u64, &Value> = charges
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["orderId"].as_u64().unwrap(), c))
        .collect();
    for (id, order) in &orders {
        assert!(
            charged_ids.contains_key(id),
            "order {id} exists without a charge"
        );
        let status = order["status"].as_str().unwrap();
        let (_, ticket) = api.get(&format!("/foodCookings/{id}")).await;
        assert_eq!(
            ticket["status"],
            ticket_status(status),
            "kitchen of order {id}"
        );
        let (_, delivery) = api.get(&format!("/deliveries/{id}")).await;
        assert_eq!(
            delivery["status"],
            delivery_status(status),
            "delivery of order {id}"
        );
        let (_, page) = api.get(&format!("/myPages/{id}")).await;
        assert_eq!(page["status"], status, "MyPage of order {id}");
        assert_eq!(page["history"], order["history"], "MyPage of order {id}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_random_moments_it_loses_nothing_and_does_nothing_twice() {
    let seeds: Vec<u64> = std::env::var("BAEDAL_CRASH_SEEDS")
        .map(|s| {
            s.split(',')
                .map(|n| n.trim().parse().expect("a seed"))
                .collect()
        })
        .unwrap_or_else(|_| vec![11, 23, 37, 41, 59]);
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::default();
    for &seed in &seeds {
        let server = Server::start(dir.path(), &["--chaos"]);
        // A little gateway latency, so kills also land while payments are
        // pending (resolved on restart).
        server
            .api
            .post("/admin/chaos/payment", json!({ "latencyMs": 15 }))
            .await;
        let shared = Arc::new(Mutex::new(std::mem::take(&mut ledger)));
        let ops = Arc::new(AtomicUsize::new(0));
        let kill_at = fastrand::Rng::with_seed(seed).usize(150..300);
        let clients: Vec<_> = (0..CLIENTS)
            .map(|n| {
                tokio::spawn(client(
                    server.api.clone(),
                    seed,
                    n,
                    shared.clone(),
                    ops.clone(),
                ))
            })
            .collect();
        eventually("the clients to reach the kill point", || async {
            (ops.load(Ordering::SeqCst) >= kill_at).then_some(())
        })
        .await;
        server.kill();
        for c in clients {
            c.await.expect("a client saw something wrong");
        }
        ledger = Arc::try_unwrap(shared).ok().unwrap().into_inner().unwrap();
        let orders = ledger.acked.len();
        eprintln!(
            "seed {seed}: killed after {} acknowledged requests; {orders} orders so far",
            ops.load(Ordering::SeqCst)
        );

        let server = Server::start(dir.path(), &["--chaos"]);
        let fresh = server.api.place(&format!("s{seed}-after"), STORES[0]).await;
        assert_eq!(
            fresh["status"], "Placed",
            "the restarted server takes orders at once"
        );
        ledger
            .acked
            .insert(fresh["id"].as_u64().unwrap(), vec!["Placed".into()]);
        verify(&server.api, &mut ledger).await;
        assert!(server.stop().success());
    }
    assert!(
        ledger.acked.len() >= 200,
        "only {} orders",
        ledger.acked.len()
    );
    // A last graceful restart replays nothing that was applied.
    let server = Server::start(dir.path(), &["--chaos"]);
    verify(&server.api, &mut ledger).await;
}
