//! # scrutin-admin
//!
//! The control interface of the commissions (CELE, COE), CCI France and the national
//! administrators: an axum router built by [`router`] from an [`AdminState`] (stores +
//! [`AdminConfig`] + keys), served on its own port, never exposed publicly. Pages live in
//! `web/admin/` (served under `/admin/`); the JSON API under `/admin/api/`.
//!
//! ## Who owns what (two helpers share this crate)
//! admin-core:
//! - skeleton: [`config`], [`state`], [`error`], [`security`] (headers), [`web`] (pages,
//!   JSON errors), [`audit`] (journal entries), [`mail`] (SMTP), [`notify`];
//! - access: [`auth`] (roles, permissions, passwords, TOTP, sessions, CSRF, the
//!   [`auth::Caller`] guard), [`login`], [`users`], [`notifications`];
//! - preparation and the vote: [`uploads`] (structure and voter files), [`voters`] (lists,
//!   control lists, émargement), [`candidates`] (lists, statements), [`seals`] (every seal,
//!   "check seals now", the national seal), [`ballot_boxes`] (scrutins under the COE's
//!   election key), [`material`] (credentials, letters, email), [`resend`],
//!   [`operations`] (open/suspend/resume/close), [`dashboard`] (participation, usage),
//!   [`journal_view`], [`pdf`] (the PDF writer both helpers use).
//!
//! admin-tally: `ceremony*`, `tally*`, `pv*`, `exports*` — add their `mod` lines below
//! and merge their routes in [`router`] where marked. Every handler takes a
//! [`auth::Caller`] and calls `caller.allow(Permission::…, chamber)` before reading or
//! acting on a chamber; state-changing requests are CSRF-checked by the guard; every
//! action is journaled with [`audit::record`]. Seal kinds whose object only the tally knows
//! register a recompute function with [`AdminState::register_seal_subject`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod audit;
pub mod auth;
pub mod ballot_boxes;
pub mod candidates;
pub mod ceremony;
pub mod config;
pub mod dashboard;
pub mod error;
pub mod exports;
pub mod journal_view;
pub mod login;
pub mod mail;
pub mod material;
pub mod notifications;
pub mod notify;
pub mod operations;
pub mod pdf;
pub mod pv;
pub mod resend;
pub mod seals;
pub mod security;
pub mod state;
pub mod tally;
pub mod tally_compute;
pub mod uploads;
pub mod users;
pub mod voters;
pub mod web;

pub use config::{AdminConfig, PasswordCost, SmtpConfig, SmtpSecurity};
pub use error::{AdminError, AdminResult};
pub use state::AdminState;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tower_http::services::{ServeDir, ServeFile};

/// The API routes of admin-core.
fn core_api(config: &AdminConfig) -> Router<AdminState> {
    Router::new()
        .route(
            "/admin/api/session",
            post(login::login).get(login::me).delete(login::logout),
        )
        .route("/admin/api/activation", post(login::activate))
        .route("/admin/api/password", post(login::change_password))
        .route("/admin/api/notifications", get(notifications::list))
        .route(
            "/admin/api/notifications/{id}/read",
            post(notifications::mark_read),
        )
        .merge(users::routes())
        .merge(uploads::routes(config.upload_limit))
        .merge(candidates::routes(config.statement_limit))
        .merge(seals::routes())
        .merge(operations::routes())
        .merge(material::routes())
        .merge(voters::routes())
        .merge(resend::routes())
        .merge(ballot_boxes::routes())
        .merge(dashboard::routes())
        .merge(journal_view::routes())
        .route("/admin/api/{*rest}", axum::routing::any(web::api_not_found))
}

/// Builds the admin router: API, pages, security headers, body limits.
pub fn router(state: AdminState) -> Router {
    let web_dir = state.config.web_dir.clone();
    let pages = ServeDir::new(&web_dir)
        .append_index_html_on_directories(true)
        .fallback(ServeFile::new(web_dir.join("index.html")));
    let api = core_api(&state.config);
    // admin-tally: key ceremony, tally, PV and exports; their seal kinds' objects.
    ceremony::register_seal_subjects(&state);
    tally::register_seal_subjects(&state);
    let tally_api = ceremony::routes()
        .merge(tally::routes())
        .merge(pv::routes())
        .merge(exports::routes());
    Router::new()
        .merge(api)
        .merge(tally_api)
        .route("/", get(web::root_redirect))
        .nest_service("/admin", pages)
        // The last layer added is the outermost: security headers wrap everything, the JSON
        // error rewriting sees every answer, the body limit is closest to the handlers.
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .layer(axum::middleware::from_fn(web::json_errors))
        .layer(axum::middleware::from_fn(security::headers))
        .with_state(state)
}
