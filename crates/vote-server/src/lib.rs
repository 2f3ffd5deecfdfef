//! # scrutin-vote
//!
//! The voting server (axum): login in two steps, the ballot sheet, casting with the checks
//! of protocol §6 and the atomic cast of `scrutin-store`, signed receipts, the public
//! board, resend requests, and the voter pages as static files. The contract with the
//! pages is `specs/api.md`; the OpenAPI description is served at `/api/v1/openapi.json`.
//!
//! Stateless: sessions are signed tokens and every counter lives in the stores, so any
//! number of servers run behind a load balancer. One function builds the router from a
//! store handle and a configuration ([`router`]), so the CLI, the demo and tests mount the
//! same thing; [`background`] runs the recovery rule, the board's epochs and journal
//! checkpoints; [`serve`] listens (HTTPS with rustls, plain HTTP on loopback only).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod batches;
pub mod casting;
pub mod config;
pub mod error;
pub mod extract;
pub mod headers;
pub mod openapi;
pub mod receipt;
pub mod routes;
pub mod run;
pub mod session;
pub mod state;
pub mod verify;
pub mod views;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::{any, get, post};
use scrutin_store::cast::Recovery;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

pub use config::VoteConfig;
pub use error::{ApiError, ERROR_CODES};
pub use state::{AppState, ELECTION_ID_SETTING};

/// Body limit of JSON requests.
pub const JSON_LIMIT: usize = 64 * 1024;
/// Body limit of a ballot.
pub const BALLOT_LIMIT: usize = 512 * 1024;
/// Body limit of a resend request (identity document included).
pub const RESEND_LIMIT: usize = 6 * 1024 * 1024;

async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        openapi::openapi_json(),
    )
}

/// The voting server's router: the API of specs/api.md and, if configured, the voter
/// pages.
pub fn router(state: AppState) -> Router {
    use routes::*;
    let tls = headers::Tls(state.config().tls);
    let web_dir = state.config().web_dir.clone();
    let api = Router::new()
        .route("/api/v1/scrutins", get(scrutins::list))
        .route("/api/v1/scrutins/{scrutin_id}", get(scrutins::one))
        .route("/api/v1/platform-key", get(scrutins::platform_key))
        .route("/api/v1/login/challenge", post(login::challenge))
        .route("/api/v1/login/key", post(login::key))
        .route("/api/v1/login/birth-date", post(login::birth_date))
        .route("/api/v1/ballot-sheet", get(sheet::sheet))
        .route("/api/v1/statements/{id}", get(statements::statement))
        .route("/api/v1/chambers/{chamber_code}/logo", get(logo::logo))
        .route(
            "/api/v1/ballots",
            post(cast::cast).layer(DefaultBodyLimit::max(BALLOT_LIMIT)),
        )
        .route("/api/v1/receipts/{tracking_code}", get(cast::receipt))
        .route("/api/v1/board/{scrutin_id}", get(board::heads))
        .route(
            "/api/v1/board/{scrutin_id}/epochs/{epoch}",
            get(board::epoch),
        )
        .route(
            "/api/v1/board/{scrutin_id}/inclusion/{tracking_code}",
            get(board::inclusion),
        )
        .route(
            "/api/v1/board/{scrutin_id}/consistency",
            get(board::consistency),
        )
        .route(
            "/api/v1/resend-requests",
            post(resend::request).layer(DefaultBodyLimit::max(RESEND_LIMIT)),
        )
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api", any(headers::api_not_found))
        .route("/api/{*rest}", any(headers::api_not_found))
        .layer(DefaultBodyLimit::max(JSON_LIMIT))
        .with_state(state);
    let app = match web_dir {
        Some(dir) => {
            // The verification page (web/verify, beside web/voter): anyone checks the
            // election record in the browser.
            let api = match dir
                .parent()
                .map(|p| p.join("verify"))
                .filter(|p| p.is_dir())
            {
                Some(verify) => api
                    .route(
                        "/verifier",
                        get(|| async { axum::response::Redirect::permanent("/verifier/") }),
                    )
                    .nest_service(
                        "/verifier/",
                        ServeDir::new(verify).append_index_html_on_directories(true),
                    ),
                None => api,
            };
            api.fallback_service(ServeDir::new(dir).append_index_html_on_directories(true))
        }
        None => api,
    };
    // Outermost first: trace, then compression, then the headers on every answer
    // (errors included), then JSON errors for the framework's own refusals.
    app.layer(middleware::from_fn(headers::json_errors))
        .layer(middleware::from_fn_with_state(
            tls,
            headers::security_headers,
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}

/// Runs the recovery rule once (start-up: before serving) and returns the recovery to
/// keep for [`background`].
pub async fn recover_at_start(state: &AppState) -> scrutin_store::Result<Recovery> {
    let mut recovery = Recovery::new(state.config().recovery_grace);
    let report = recovery.run(state.stores()).await?;
    tracing::info!(?report, "start-up recovery done");
    Ok(recovery)
}

/// The background work of a voting server, forever: the recovery rule, closing due board
/// epochs, and a signed journal checkpoint every 20 periods. Several servers may run it:
/// every step is safe to repeat.
pub async fn background(state: AppState, mut recovery: Recovery) {
    let mut ticker = tokio::time::interval(state.config().background_period);
    let mut n: u64 = 0;
    loop {
        ticker.tick().await;
        if let Err(e) = recovery.run(state.stores()).await {
            tracing::error!(error = %e, "recovery pass failed");
        }
        let keys = &state.config().keys;
        if let Err(e) = scrutin_store::board::tick(
            state.stores(),
            state.now(),
            &keys.platform,
            state.config().epoch_policy,
        )
        .await
        {
            tracing::error!(error = %e, "board pass failed");
        }
        if n.is_multiple_of(20)
            && let Err(e) = scrutin_store::journal::checkpoint(
                &state.stores().registry,
                state.now(),
                &keys.platform,
            )
            .await
        {
            tracing::error!(error = %e, "journal checkpoint failed");
        }
        n += 1;
    }
}

/// TLS certificate and key (PEM files).
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// Certificate chain.
    pub cert: PathBuf,
    /// Private key.
    pub key: PathBuf,
}

/// Why the server could not listen.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Plain HTTP asked on a non-loopback address (R-80: HTTPS only).
    #[error(
        "plain HTTP is allowed only on a loopback address; give a TLS certificate to listen on {0}"
    )]
    PlainHttpNotLoopback(SocketAddr),
    /// Socket or TLS set-up failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Listens on `addr` and serves `app` until the process ends: HTTPS when `tls` is given,
/// plain HTTP only on loopback. `on_listen` receives the bound address (port 0 picks one).
pub async fn serve(
    app: Router,
    addr: SocketAddr,
    tls: Option<TlsFiles>,
    on_listen: impl FnOnce(SocketAddr) + Send + 'static,
) -> Result<(), ServeError> {
    match tls {
        None => {
            if !addr.ip().is_loopback() {
                return Err(ServeError::PlainHttpNotLoopback(addr));
            }
            let listener = tokio::net::TcpListener::bind(addr).await?;
            on_listen(listener.local_addr()?);
            axum::serve(listener, app).await?;
            Ok(())
        }
        Some(files) => {
            // One process-wide provider; a second install is harmless.
            let _ = rustls::crypto::ring::default_provider().install_default();
            let config =
                axum_server::tls_rustls::RustlsConfig::from_pem_file(&files.cert, &files.key)
                    .await?;
            let handle = axum_server::Handle::new();
            let h = handle.clone();
            tokio::spawn(async move {
                if let Some(bound) = h.listening().await {
                    on_listen(bound);
                }
            });
            axum_server::bind_rustls(addr, config)
                .handle(handle)
                .serve(app.into_make_service())
                .await?;
            Ok(())
        }
    }
}

/// Default period of nothing: used by callers that want the background loop rarely.
pub const DEFAULT_BACKGROUND_PERIOD: Duration = Duration::from_secs(15);
