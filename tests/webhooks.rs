//! Webhook endpoints end to end: a store owner registers an https endpoint
//! (a Python receiver whose certificate a private CA signed, which the
//! server is told to trust with `--webhook-ca-file`), receives their store's messages in the Standard Webhooks
//! envelope, and the receiver checks every signature with Python's own
//! `hmac`, an implementation independent of ours. A failed POST is retried
//! under the same id; the attempts are listed; one is redelivered.
//! Needs python3 and openssl (`scripts/test` installs them).

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const RECEIVER: &str = r#"
import base64, hashlib, hmac, http.server, json, os, ssl, sys
cert, key, secret_file, out, fails = sys.argv[1:6]
fails = int(fails)
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global fails
        body = self.rfile.read(int(self.headers['content-length']))
        secret = open(secret_file).read().strip()
        key_bytes = base64.b64decode(secret[len('whsec_'):])
        mid, ts = self.headers['webhook-id'], self.headers['webhook-timestamp']
        signed = mid.encode() + b'.' + ts.encode() + b'.' + body
        expected = 'v1,' + base64.b64encode(hmac.new(key_bytes, signed, hashlib.sha256).digest()).decode()
        status = 500 if fails > 0 else 200
        fails -= 1
        line = {'id': mid, 'verified': hmac.compare_digest(expected, self.headers['webhook-signature']),
                'status': status, 'body': json.loads(body)}
        with open(out, 'a') as f:
            f.write(json.dumps(line) + '\n')
        self.send_response(status)
        self.send_header('content-length', '0')
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(('127.0.0.1', 0), Hook)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
"#;

/// The receiver: its process, port, and where it writes what it got.
struct Receiver {
    child: Child,
    port: u16,
    secret: PathBuf,
    out: PathBuf,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A private CA, and a certificate for 127.0.0.1 it signed, in `dir`:
/// (the CA's certificate, the receiver's certificate, its key).
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let at = |name: &str| dir.join(name).to_str().unwrap().to_string();
    std::fs::write(
        dir.join("leaf.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    let steps: [Vec<String>; 3] = [
        vec![
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=baedal test CA",
        ]
        .into_iter()
        .map(String::from)
        .chain(["-keyout".into(), at("ca.key"), "-out".into(), at("ca.pem")])
        .collect(),
        vec![
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
        ]
        .into_iter()
        .map(String::from)
        .chain([
            "-keyout".into(),
            at("key.pem"),
            "-out".into(),
            at("leaf.csr"),
        ])
        .collect(),
        vec!["x509", "-req", "-days", "2", "-CAcreateserial"]
            .into_iter()
            .map(String::from)
            .chain([
                "-in".into(),
                at("leaf.csr"),
                "-CA".into(),
                at("ca.pem"),
                "-CAkey".into(),
                at("ca.key"),
                "-extfile".into(),
                at("leaf.ext"),
                "-out".into(),
                at("cert.pem"),
            ])
            .collect(),
    ];
    for args in steps {
        let made = Command::new("openssl")
            .args(&args)
            .stderr(Stdio::null())
            .status()
            .expect("openssl runs");
        assert!(made.success(), "openssl {args:?}");
    }
    (
        dir.join("ca.pem"),
        dir.join("cert.pem"),
        dir.join("key.pem"),
    )
}

/// Starts the receiver, answering 500 to its first `fails` POSTs.
fn receiver(dir: &Path, cert: &Path, key: &Path, fails: u32) -> Receiver {
    let script = dir.join("receiver.py");
    std::fs::write(&script, RECEIVER).unwrap();
    let (secret, out) = (dir.join("secret"), dir.join("received.jsonl"));
    std::fs::write(&secret, "whsec_").unwrap();
    let mut child = Command::new("python3")
        .arg(&script)
        .args([cert, key, &secret, &out])
        .arg(fails.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    Receiver {
        port: line.trim().parse().expect("the receiver's port"),
        child,
        secret,
        out,
    }
}

/// What the receiver got so far, in order.
fn received(r: &Receiver) -> Vec<Value> {
    std::fs::read_to_string(&r.out)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

async fn until_received(r: &Receiver, n: usize) -> Vec<Value> {
    eventually(&format!("{n} POSTs at the receiver"), || async {
        let got = received(r);
        (got.len() >= n).then_some(got)
    })
    .await
}

#[tokio::test]
async fn an_owners_endpoint_gets_their_stores_messages_signed_retried_and_redelivered() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certificates(dir.path());
    let hook = receiver(dir.path(), &cert, &key, 1);
    let ca = ca.to_str().unwrap().to_string();
    let server = Server::start(dir.path(), &["--webhook-ca-file", &ca]);
    let api = &server.api;
    let owner = api.as_account("owner-gangnam-chicken", "owner").await;
    let url = format!("https://127.0.0.1:{}/hook", hook.port);
    let wanted = json!({ "url": url, "types": ["order.placed", "order.accepted"] });

    // Who may register, and what.
    let kim = api.as_customer("kim").await;
    let (status, body) = kim.post("/webhooks", wanted.clone()).await;
    assert_problem(status, &body, 403, "a store owner or an operator");
    let (status, _) = api.anonymous().post("/webhooks", wanted.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = owner.post("/webhooks", json!({ "url": "ftp://x" })).await;
    assert_problem(status, &body, 422, "url must be http:// or https://");
    let (status, body) = owner
        .post("/webhooks", json!({ "url": url, "types": ["order.eaten"] }))
        .await;
    assert_problem(status, &body, 422, "order.eaten");

    let (status, endpoint) = owner.post("/webhooks", wanted).await;
    assert_eq!(status, StatusCode::CREATED, "{endpoint}");
    let secret = endpoint["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{endpoint}");
    std::fs::write(&hook.secret, secret).unwrap();
    let id = endpoint["id"].as_u64().unwrap();
    let (_, listed) = owner.get(&format!("/webhooks/{id}")).await;
    assert_eq!(listed.get("secret"), None, "the secret is shown once");

    // Their store's order, placed and accepted; another store's order.
    let mine = api.place("kim", "gangnam-chicken").await["id"]
        .as_u64()
        .unwrap();
    let mut sushi = order_body("kim", "cheongdam-sushi");
    sushi["items"][0]["qty"] = json!(2);
    let (status, body) = api.post("/orders", sushi).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    api.advance(mine, "rider-1", "Cooking").await;

    // The first POST failed (500) and was retried under the same id.
    let got = until_received(&hook, 3).await;
    assert!(
        got.iter().all(|m| m["verified"] == true),
        "python's hmac agrees: {got:?}"
    );
    assert_eq!(got[0]["status"], 500);
    assert_eq!(got[1]["status"], 200);
    assert_eq!(got[0]["id"], got[1]["id"], "a retry keeps the id");
    let placed = &got[1]["body"];
    assert_eq!(placed["type"], "order.placed");
    assert_eq!(placed["id"], got[1]["id"]);
    assert_eq!(placed["data"]["orderId"], mine);
    assert_eq!(placed["data"]["storeId"], "gangnam-chicken");
    assert!(placed["timestamp"].as_str().unwrap().ends_with('Z'));
    let mut keys: Vec<&str> = placed
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    keys.sort();
    assert_eq!(keys, ["data", "id", "timestamp", "type"]);
    assert_eq!(got[2]["body"]["type"], "order.accepted");
    assert_eq!(got[2]["body"]["data"]["cookingMinutes"], 25);
    // Nothing of the other store, nor the types not asked for.
    let types: Vec<&str> = got
        .iter()
        .map(|m| m["body"]["type"].as_str().unwrap())
        .collect();
    assert!(!types.contains(&"order.cooking_started"), "{types:?}");
    assert!(got
        .iter()
        .all(|m| m["body"]["data"]["storeId"] == "gangnam-chicken"));

    // The attempts, newest first; another owner sees no such endpoint.
    let (status, attempts) = owner.get(&format!("/webhooks/{id}/attempts")).await;
    assert_eq!(status, StatusCode::OK, "{attempts}");
    let outcomes: Vec<(&str, u64)> = attempts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["outcome"].as_str().unwrap(),
                a["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [("Delivered", 200), ("Delivered", 200), ("Retrying", 500)]
    );
    let other = api.as_account("owner-cheongdam-sushi", "owner").await;
    let (status, body) = other.get(&format!("/webhooks/{id}/attempts")).await;
    assert_problem(status, &body, 404, "does not exist");
    let (_, theirs) = other.get("/webhooks").await;
    assert_eq!(theirs, json!([]));
    let (_, all) = api.get("/webhooks").await;
    assert_eq!(all[0]["id"], id, "an operator sees every endpoint");

    // Redelivered by hand: the same message again.
    let first = attempts[1]["id"].as_u64().unwrap();
    let (status, body) = other
        .post_empty(&format!("/webhooks/{id}/attempts/{first}/redeliver"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = owner
        .post_empty(&format!("/webhooks/{id}/attempts/{first}/redeliver"))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let got = until_received(&hook, 4).await;
    assert_eq!(got[3]["id"], got[1]["id"]);
    assert_eq!(got[3]["verified"], true);

    // Deleted: gone for its owner.
    let (status, _) = owner.delete(&format!("/webhooks/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = owner.get(&format!("/webhooks/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_account_holds_at_most_ten_endpoints() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let owner = server
        .api
        .as_account("owner-gangnam-chicken", "owner")
        .await;
    for n in 0..10 {
        let url = json!({ "url": format!("http://127.0.0.1:9/hook-{n}") });
        let (status, body) = owner.post("/webhooks", url).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, body) = owner
        .post("/webhooks", json!({ "url": "http://127.0.0.1:9/one-more" }))
        .await;
    assert_problem(status, &body, 422, "at most 10 endpoints");
    let (_, listed) = owner.get("/webhooks").await;
    assert_eq!(listed.as_array().unwrap().len(), 10, "nothing added");
}
