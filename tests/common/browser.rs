//! Real headless Chromium for the console's tests: Debian's `chromium`
//! driven through `chromedriver` (both installed by `scripts/test`) with
//! fantoccini, each session its own browser profile. Screenshots go to
//! `target/browser-artifacts/`.

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Where the browser tests leave their screenshots.
pub fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/browser-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A running chromedriver on a free loopback port; stopped when dropped.
pub struct Driver {
    child: Child,
    pub url: String,
}

impl Driver {
    /// Starts `chromedriver` (or `$CHROMEDRIVER`) and waits until it answers.
    pub async fn start() -> Driver {
        let program = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // A process group of its own, which its browsers join: dropping the
        // driver ends them too, even if a failed test never closed them.
        let child = Command::new(&program)
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("{program} does not start ({e}): scripts/test installs chromium and chromium-driver")
            });
        let url = format!("http://127.0.0.1:{port}");
        let status = format!("{url}/status");
        super::eventually("chromedriver to answer", || async {
            let ready = reqwest::get(&status)
                .await
                .ok()?
                .json::<serde_json::Value>()
                .await
                .ok()?;
            (ready["value"]["ready"] == true).then_some(())
        })
        .await;
        Driver { child, url }
    }

    /// A new headless Chromium session of its own.
    pub async fn session(&self) -> Session {
        let mut caps = serde_json::Map::new();
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": binary,
                "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                         "--window-size=1280,960", "--lang=ko-KR", "--autoplay-policy=no-user-gesture-required"],
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a Chromium session starts");
        Session { client }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // SAFETY: kill(2) on our own child's process group, by its id.
        unsafe { libc::kill(-(self.child.id() as i32), libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

/// One browser session.
pub struct Session {
    pub client: Client,
}

impl Session {
    /// Waits (up to `PATIENCE`) for an element matching `css`; without
    /// one, leaves a screenshot of the page as `failed.png` and panics.
    pub async fn find(&self, css: &str) -> Element {
        let found = self
            .client
            .wait()
            .at_most(super::PATIENCE)
            .every(Duration::from_millis(50))
            .for_element(Locator::Css(css))
            .await;
        match found {
            Ok(element) => element,
            Err(e) => {
                let shot = self.screenshot("failed").await;
                panic!(
                    "no {css} on the page ({e}); it looked like {}",
                    shot.display()
                )
            }
        }
    }

    /// Waits for `css`, then clicks it. The console redraws parts of the
    /// page as answers and notifications come: an element found just
    /// before it was replaced is looked for again.
    pub async fn click(&self, css: &str) {
        for _ in 0..20 {
            match self.find(css).await.click().await {
                Ok(()) => return,
                Err(e) if e.to_string().contains("stale element") => continue,
                Err(e) => panic!("click {css}: {e}"),
            }
        }
        panic!("click {css}: replaced every time it was found");
    }

    /// Types `text` into the field `css` (found again if it was replaced
    /// meanwhile, as for [`Session::click`]).
    pub async fn fill(&self, css: &str, text: &str) {
        for _ in 0..20 {
            let field = self.find(css).await;
            let typed = match field.clear().await {
                Ok(()) => field.send_keys(text).await,
                Err(e) => Err(e),
            };
            match typed {
                Ok(()) => return,
                Err(e) if e.to_string().contains("stale element") => continue,
                Err(e) => panic!("fill {css}: {e}"),
            }
        }
        panic!("fill {css}: replaced every time it was found");
    }

    /// Opens the console at `base`, signs in, and answers how long the
    /// page took to load, in ms (Navigation Timing: from the request to the
    /// load event). A new browser's first load also pays for starting its
    /// renderer, and two cores are shared with the other browsers: the page
    /// is loaded once to warm up, then three times, and the median is
    /// answered.
    pub async fn sign_in(&self, base: &str, id: &str, password: &str) -> f64 {
        self.client.goto(base).await.unwrap();
        let mut loads = Vec::new();
        for _ in 0..3 {
            self.client.refresh().await.unwrap();
            // The load event's end, once it has come.
            let ms = super::eventually("the page's load event", || async {
                let script = "const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd > 0 ? n.loadEventEnd - n.startTime : null;";
                self.run(script).await.as_f64()
            })
            .await;
            loads.push(ms);
        }
        loads.sort_by(f64::total_cmp);
        let loaded = loads[1];
        self.fill("input[name=id]", id).await;
        self.fill("input[name=password]", password).await;
        self.click("form.login button[type=submit]").await;
        self.find("#who .role").await;
        loaded
    }

    /// Loads the signed-in page three times and answers the median time
    /// until the role's view was drawn, in ms (`data-ready`, set by
    /// `app.js`: its own module, the account, and the view's first API
    /// answers included).
    pub async fn view_ready(&self) -> f64 {
        let mut times = Vec::new();
        for _ in 0..3 {
            self.client.refresh().await.unwrap();
            let ms = super::eventually("the view to be drawn", || async {
                self.run("return Number(document.body.dataset.ready) || null;")
                    .await
                    .as_f64()
            })
            .await;
            times.push(ms);
        }
        times.sort_by(f64::total_cmp);
        times[1]
    }

    /// Saves a screenshot as `target/browser-artifacts/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.unwrap();
        let path = artifacts().join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    /// Runs a script in the page and answers its value.
    pub async fn run(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, vec![]).await.unwrap()
    }
}
