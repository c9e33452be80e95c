//! Which payment gateway `serve` pays through, and how to reach it.

use clap::{Args, ValueEnum};

/// The payment gateways baedal can pay through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GatewayKind {
    /// The built-in sandbox: its books in the server's own database, its
    /// faults injectable (`--sandbox-*`, `/admin/chaos/payment`).
    Sandbox,
    /// Toss Payments (docs.tosspayments.com, API v1): approves the payment
    /// the customer authorized in Toss's widget (`paymentKey`), cancels
    /// all or part of it, looks it up by the widget's order id.
    Toss,
}

/// The payment gateway's settings.
#[derive(Clone, Debug, Args)]
pub struct GatewayArgs {
    /// The payment gateway: `sandbox` (built in) or `toss` (Toss Payments,
    /// which needs --gateway-secret-key).
    #[arg(long, env = "BAEDAL_PAYMENT_GATEWAY", value_enum, default_value_t = GatewayKind::Sandbox)]
    pub payment_gateway: GatewayKind,

    /// The gateway's API base URL (Toss Payments: https://api.tosspayments.com).
    #[arg(long, env = "BAEDAL_GATEWAY_URL", default_value = "https://api.tosspayments.com", value_parser = gateway_url)]
    pub gateway_url: String,

    /// The gateway's secret key (Toss Payments: `test_sk_…` or `live_sk_…`).
    /// Prefer the environment variable: a flag shows in `ps`.
    #[arg(long, env = "BAEDAL_GATEWAY_SECRET_KEY", hide_env_values = true)]
    pub gateway_secret_key: Option<String>,
}

impl GatewayArgs {
    /// Refuses settings that could never pay, without repeating the key.
    pub fn check(&self) -> Result<(), String> {
        match (self.payment_gateway, &self.gateway_secret_key) {
            (GatewayKind::Toss, None) => Err(
                "--payment-gateway toss needs --gateway-secret-key (or BAEDAL_GATEWAY_SECRET_KEY)"
                    .into(),
            ),
            (GatewayKind::Toss, Some(key)) if key.trim().is_empty() => {
                Err("--gateway-secret-key must not be empty".into())
            }
            _ => Ok(()),
        }
    }
}

fn gateway_url(url: &str) -> Result<String, String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() => Ok(url.trim_end_matches('/').to_string()),
        _ => Err(
            "the gateway URL must start with https:// (or http:// for a local test gateway)".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(kind: GatewayKind, key: Option<&str>) -> GatewayArgs {
        GatewayArgs {
            payment_gateway: kind,
            gateway_url: "https://api.tosspayments.com".into(),
            gateway_secret_key: key.map(String::from),
        }
    }

    #[test]
    fn toss_needs_a_secret_key_and_the_sandbox_none() {
        assert!(args(GatewayKind::Sandbox, None).check().is_ok());
        assert!(args(GatewayKind::Toss, Some("test_sk_1")).check().is_ok());
        let refused = args(GatewayKind::Toss, None).check().unwrap_err();
        assert!(refused.contains("needs --gateway-secret-key"), "{refused}");
        let blank = args(GatewayKind::Toss, Some("  ")).check().unwrap_err();
        assert!(blank.contains("must not be empty"), "{blank}");
    }

    #[test]
    fn the_url_is_http_or_https() {
        assert_eq!(
            gateway_url("https://api.tosspayments.com/").unwrap(),
            "https://api.tosspayments.com"
        );
        assert!(gateway_url("http://127.0.0.1:9").is_ok());
        assert!(gateway_url("ftp://x").is_err());
        assert!(gateway_url("https://").is_err());
    }
}
