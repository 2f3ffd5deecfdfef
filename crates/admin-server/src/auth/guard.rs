//! The guard every authenticated route goes through: session cookie → live session →
//! enabled user; CSRF token on every state-changing method; the operator's every request
//! journaled and notified. Handlers then ask [`Caller::allow`] (role and
//! perimeter) before reading or acting on a chamber.

use axum::extract::FromRequestParts;
use axum::http::Method;
use axum::http::request::Parts;

use crate::auth::session::{self, CSRF_HEADER};
use crate::auth::{AdminUser, Permission, Role};
use crate::error::{AdminError, AdminResult};
use crate::notify;
use crate::state::AdminState;

/// The authenticated user of a request.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The user.
    pub user: AdminUser,
    /// SHA-256 of the session token.
    pub session_hash: [u8; 32],
    /// The session's CSRF token (for the page to send back).
    pub csrf: String,
}

impl Caller {
    /// Allows the request if the role may do `p` and `chamber` is in the perimeter.
    pub fn allow(&self, p: Permission, chamber: &str) -> AdminResult<()> {
        self.allow_role(p)?;
        if self.user.sees(chamber) {
            Ok(())
        } else {
            Err(AdminError::OutOfPerimeter)
        }
    }

    /// Allows the request if the role may do `p` on every chamber of the list.
    pub fn allow_all<'a>(
        &self,
        p: Permission,
        chambers: impl IntoIterator<Item = &'a str>,
    ) -> AdminResult<()> {
        self.allow_role(p)?;
        for c in chambers {
            if !self.user.sees(c) {
                return Err(AdminError::OutOfPerimeter);
            }
        }
        Ok(())
    }

    /// Allows the request if the role may do `p` and the perimeter is NATIONAL.
    pub fn allow_national(&self, p: Permission) -> AdminResult<()> {
        self.allow_role(p)?;
        if self.user.chambers().is_none() {
            Ok(())
        } else {
            Err(AdminError::OutOfPerimeter)
        }
    }

    /// Allows the request if the role may do `p` somewhere; the handler then filters what
    /// it shows by [`Caller::sees`].
    pub fn allow_role(&self, p: Permission) -> AdminResult<()> {
        if self.user.role.can(p) {
            Ok(())
        } else {
            Err(AdminError::Forbidden)
        }
    }

    /// Whether a chamber is in the perimeter.
    pub fn sees(&self, chamber: &str) -> bool {
        self.user.sees(chamber)
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl FromRequestParts<AdminState> for Caller {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &AdminState) -> AdminResult<Caller> {
        let token = session::read_cookie(&parts.headers).ok_or(AdminError::Unauthenticated)?;
        let hash = session::token_hash(&token);
        let registry = &state.stores.registry;
        let now = state.now();
        let row = registry
            .admin_session(&hash)
            .await?
            .ok_or(AdminError::Unauthenticated)?;
        if row.expires_at <= now {
            registry.delete_admin_session(&hash).await?;
            return Err(AdminError::Unauthenticated);
        }
        let user_row = registry
            .admin_user(&row.user_id)
            .await?
            .ok_or(AdminError::Unauthenticated)?;
        let user = AdminUser::from_row(&user_row)?;
        if user.disabled {
            return Err(AdminError::Unauthenticated);
        }
        if !is_safe(&parts.method) {
            let presented = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if !session::csrf_matches(&token, presented) {
                return Err(AdminError::Csrf);
            }
        }
        // Sliding idle expiry, never past the absolute limit of the session.
        let expires =
            (now + state.config.session_idle).min(row.created_at + state.config.session_max);
        if expires - row.expires_at > chrono::Duration::seconds(60) {
            registry.touch_admin_session(&hash, now, expires).await?;
        }
        if user.role == Role::Operator {
            let action = format!("{} {}", parts.method, parts.uri.path());
            notify::operator_request(state, &user, &action, !is_safe(&parts.method)).await?;
        }
        Ok(Caller {
            csrf: session::csrf_token(&token),
            user,
            session_hash: hash,
        })
    }
}
