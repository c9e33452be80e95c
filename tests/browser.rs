//! The web console in real headless Chromium: one whole lifecycle in three
//! sessions at once. A customer orders with options after a quote; the
//! store's screen alerts and the store accepts, cooks and finishes; the
//! rider sees the delivery on the picture of Seoul, picks it and delivers
//! it; the customer's page follows live, never reloaded, and confirms.
//! Then an operator's view with its charts. Screenshots of every step are
//! left in `target/browser-artifacts/`; each page loads within 300 ms.

mod common;

#[path = "common/browser.rs"]
mod browser;

use browser::{Driver, Session};
use common::*;

/// What a console page may take to load from a local server (issue 14).
const MAX_LOAD_MS: f64 = 300.0;

async fn status_is(session: &Session, css: &str, status: &str) {
    session
        .find(&format!("{css}[data-status=\"{status}\"]"))
        .await;
}

#[tokio::test]
async fn a_whole_lifecycle_in_three_browsers() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let base = server.api.base.clone();
    let (status, body) = server
        .api
        .anonymous()
        .post(
            "/auth/signup",
            serde_json::json!({"id": "minji", "password": PASSWORD, "role": "customer", "name": "김민지"}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");

    let driver = Driver::start().await;
    // Each browser starts and signs in before the next starts, so that no
    // page load is measured while another browser is still starting.
    let mut loads = Vec::new();
    let customer = driver.session().await;
    loads.push(customer.sign_in(&base, "minji", PASSWORD).await);
    let store = driver.session().await;
    loads.push(
        store
            .sign_in(&base, "owner-gangnam-chicken", DEMO_PASSWORD)
            .await,
    );
    let rider = driver.session().await;
    loads.push(rider.sign_in(&base, "rider-7", DEMO_PASSWORD).await);
    let views = [
        customer.view_ready().await,
        store.view_ready().await,
        rider.view_ready().await,
    ];
    eprintln!("views drawn after (ms): {views:?}");
    for (who, ms) in ["customer", "store", "rider"].iter().zip(&views) {
        assert!(
            *ms < MAX_LOAD_MS,
            "the {who}'s view took {ms} ms to be drawn"
        );
    }
    // Proof of no reload: a mark on the customer's page that a reload would wipe.
    customer
        .run("window.stillTheSamePage = true; return 1;")
        .await;

    // The rider says where they are: Gangnam.
    rider
        .find("select[name=district]")
        .await
        .select_by_value("강남구")
        .await
        .unwrap();
    rider.find(".marks .me").await;

    // The customer picks the chicken place, a dish with options, sees the bill, orders.
    customer.click("[data-store=gangnam-chicken]").await;
    customer
        .click("[data-menu=fried] input[data-choice=boneless]")
        .await;
    customer
        .click("[data-menu=fried] input[data-choice=cola]")
        .await;
    customer.click("[data-add=fried]").await;
    // The basket is drawn again with the dish in it.
    customer.click("#quote-button:not([disabled])").await;
    let amount = customer.find("#quote-amount").await.text().await.unwrap();
    assert_eq!(
        amount, "23,000원",
        "19,000 + 순살 2,000 + 콜라 2,000, free delivery"
    );
    customer.screenshot("1-customer-quote").await;
    customer.click("#order-button").await;
    status_is(&customer, "#order-status", "Placed").await;

    // The store's screen rings and shows the alert; the owner accepts, cooks, finishes.
    let alert = store.find("#new-order-alert:not(.hidden)").await;
    assert!(alert.text().await.unwrap().contains("새 주문 #1"));
    store
        .find(".ticket[data-order=\"1\"][data-status=Requested]")
        .await;
    store.screenshot("2-store-alert").await;
    store
        .fill(".ticket[data-order=\"1\"] input[name=cookingMinutes]", "15")
        .await;
    store
        .click(".ticket[data-order=\"1\"] [data-action=accept]")
        .await;
    status_is(&customer, "#order-status", "Accepted").await;
    customer.find("#eta").await;
    let (_, accepted) = server.api.get("/orders/1").await;
    let accepted_at = accepted["history"][1]["at"].clone();
    assert_eq!(
        ms(&accepted["readyBy"]) - ms(&accepted_at),
        15 * 60_000,
        "the 15 minutes typed"
    );
    store
        .click(".ticket[data-order=\"1\"][data-status=Accepted] [data-action=start]")
        .await;
    store
        .click(".ticket[data-order=\"1\"][data-status=Cooking] [data-action=finish]")
        .await;
    status_is(&customer, "#order-status", "Cooked").await;

    // The rider sees it on the picture, nearest first, and picks it.
    rider.find(".marks .ready[data-order=\"1\"]").await;
    rider.screenshot("3-rider-map").await;
    rider
        .click("li.delivery[data-order=\"1\"] [data-action=pick]")
        .await;
    status_is(&customer, "#order-status", "PickedUp").await;
    rider
        .click(".delivery[data-order=\"1\"] [data-action=complete]")
        .await;

    // The customer's page followed every step live; they confirm.
    status_is(&customer, "#order-status", "Delivered").await;
    customer.click("#confirm-button").await;
    status_is(&customer, "#order-status", "Completed").await;
    let same = customer
        .run("return window.stillTheSamePage === true;")
        .await;
    assert_eq!(same, true, "the customer's page was never reloaded");
    customer.screenshot("4-customer-completed").await;
    let (_, order) = server.api.get("/orders/1").await;
    assert_eq!(order["status"], "Completed");
    assert_eq!(order["amount"], 23_000);

    // The operator's view: health, breaker, lag, sockets and throughput.
    let operator = driver.session().await;
    loads.push(operator.sign_in(&base, "admin", ADMIN_PASSWORD).await);
    operator.find("#breaker[data-status=closed]").await;
    operator.find(".chart .uplot").await;
    // Three samples, so that the throughput has rates to draw.
    eventually("three samples on the charts", || async {
        let samples = operator
            .run("return Number(document.querySelector('.charts').dataset.samples || 0);")
            .await;
        (samples.as_u64()? >= 3).then_some(())
    })
    .await;
    operator.screenshot("5-operator").await;

    for session in [customer, store, rider, operator] {
        session.client.close().await.unwrap();
    }
    eprintln!("page loads (ms): {loads:?}");
    for (who, ms) in ["customer", "store", "rider", "operator"]
        .iter()
        .zip(&loads)
    {
        assert!(*ms < MAX_LOAD_MS, "the {who}'s page took {ms} ms to load");
    }
}

/// `/docs` renders the contract with the embedded Redoc, every operation
/// of it, loading nothing from elsewhere (Redoc's footer logo is asked
/// for, and refused by the page's policy).
#[tokio::test]
async fn the_api_reference_renders_every_operation() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let contract = baedal::http::openapi::document();
    let operations: usize = contract["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum();
    let driver = Driver::start().await;
    let reader = driver.session().await;
    reader
        .client
        .goto(&format!("{}/docs", server.api.base))
        .await
        .unwrap();
    reader.find("h1").await;
    let rendered = eventually("every operation drawn", || async {
        let n = reader
            .run("return document.querySelectorAll('[data-section-id*=\"/operation/\"]').length;")
            .await
            .as_u64()?;
        (n as usize >= operations).then_some(n)
    })
    .await;
    let title = reader
        .run("return document.querySelector('h1').textContent;")
        .await;
    assert!(title.as_str().unwrap().contains("baedal"), "{title}");
    // Everything it loaded came from this server, but Redoc's footer logo,
    // which it always asks for and the page's policy refuses (images only
    // from the server itself).
    let elsewhere = reader
        .run("return performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith(location.origin + '/'));")
        .await;
    let logo = "https://cdn.redoc.ly/redoc/logo-mini.svg";
    assert!(
        elsewhere.as_array().unwrap().iter().all(|n| n == logo),
        "loaded from elsewhere: {elsewhere}"
    );
    let page = reqwest::get(format!("{}/docs", server.api.base))
        .await
        .unwrap();
    let policy = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("img-src 'self' data:;"), "{policy}");
    assert!(!policy.contains("redoc.ly"), "{policy}");
    // The picture shows an operation: the checkout.
    reader
        .run("document.querySelector('[data-section-id$=\"operation/orders.place\"]').scrollIntoView(); return true;")
        .await;
    reader.screenshot("6-api-reference").await;
    reader.client.close().await.unwrap();
    eprintln!("{rendered} operations drawn of {operations}");
}
