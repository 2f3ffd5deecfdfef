//! Users of the control interface, their sessions and the notifications shown to
//! commissions, in the registry store. Written for the admin
//! server (`scrutin-admin`): policy (roles, perimeters, password rules, TOTP) lives there;
//! this module only keeps rows and makes the counters atomic.

use chrono::{DateTime, Duration, Utc};

use crate::backend::{BeginWrite, with_db};
use crate::electors::FailureOutcome;
use crate::error::{Result, StoreError};
use crate::lockout::{Counter, record_failure};
use crate::registry::Registry;

/// A user of the control interface as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AdminUserRow {
    /// Stable identifier.
    pub id: String,
    /// Email address, lowercase (the login name).
    pub email: String,
    /// Surname.
    pub last_name: String,
    /// First name.
    pub first_name: String,
    /// Role code (the admin server's `Role`).
    pub role: String,
    /// `NATIONAL` or chamber codes separated by commas.
    pub perimeter: String,
    /// Argon2id PHC string, once a password was chosen.
    pub password_hash: Option<String>,
    /// TOTP secret sealed by the master key (`MasterKey::seal_totp`), once enrolment
    /// started; empty after a reset.
    pub totp_secret: Option<Vec<u8>>,
    /// Whether a first TOTP code confirmed the secret.
    pub totp_confirmed: bool,
    /// Last accepted TOTP time step (each code is accepted once).
    pub totp_last_step: i64,
    /// Password or code failures in a row.
    pub failures: i64,
    /// Locked until this instant.
    pub locked_until: Option<DateTime<Utc>>,
    /// Expiry of the pending activation token, if any.
    pub activation_expires: Option<DateTime<Utc>>,
    /// Disabled accounts cannot log in.
    pub disabled: bool,
    /// `file` or `interface`.
    pub origin: String,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewAdminUser {
    /// Stable identifier.
    pub id: String,
    /// Email address (stored lowercase).
    pub email: String,
    /// Surname.
    pub last_name: String,
    /// First name.
    pub first_name: String,
    /// Role code.
    pub role: String,
    /// Perimeter text.
    pub perimeter: String,
    /// Password hash, when created with a password (bootstrap, demo, tests).
    pub password_hash: Option<String>,
    /// TOTP secret sealed by the master key, when created already enrolled (bootstrap,
    /// demo, tests).
    pub totp_secret: Option<Vec<u8>>,
    /// SHA-256 of an activation token, when the user must activate the account.
    pub activation_hash: Option<Vec<u8>>,
    /// Expiry of that token.
    pub activation_expires: Option<DateTime<Utc>>,
    /// `file` or `interface`.
    pub origin: String,
    /// Creation instant.
    pub created_at: DateTime<Utc>,
}

/// A stored session.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AdminSessionRow {
    /// Its user.
    pub user_id: String,
    /// Opened at.
    pub created_at: DateTime<Utc>,
    /// Ends at (moved forward on activity, never past the absolute limit).
    pub expires_at: DateTime<Utc>,
    /// Last request.
    pub last_seen: DateTime<Utc>,
}

/// A notification for the commissions of a chamber, with whether the reader saw it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NotificationRow {
    /// Identifier.
    pub id: String,
    /// The chamber concerned.
    pub chamber_code: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// What (`operator-access`, `operator-action`…).
    pub kind: String,
    /// French text shown in the interface.
    pub message: String,
    /// Who caused it (email).
    pub actor: String,
    /// Whether the reader marked it read.
    pub read: bool,
}

const USER_COLUMNS: &str = "id, email, last_name, first_name, role, perimeter, password_hash, totp_secret, totp_confirmed, totp_last_step, failures, locked_until, activation_expires, disabled, origin, created_at";

impl Registry {
    /// Creates a user; a second account with the same email is refused.
    pub async fn insert_admin_user(&self, u: &NewAdminUser) -> Result<()> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    sqlx::query(
                "INSERT INTO admin_users (id, email, last_name, first_name, role, perimeter, password_hash, totp_secret, totp_confirmed, activation_hash, activation_expires, origin, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(&u.id)
            .bind(u.email.to_lowercase())
            .bind(&u.last_name)
            .bind(&u.first_name)
            .bind(&u.role)
            .bind(&u.perimeter)
            .bind(&u.password_hash)
            .bind(&u.totp_secret)
            .bind(u.totp_secret.is_some())
            .bind(&u.activation_hash)
            .bind(u.activation_expires)
            .bind(&u.origin)
            .bind(u.created_at)
            .execute(p)
            .await
            .map_err(StoreError::unique_as_conflict(format!(
                "a user with the address {} exists",
                u.email
            )))?;
                    Ok(())
                }
        )
    }

    /// One user by identifier.
    pub async fn admin_user(&self, id: &str) -> Result<Option<AdminUserRow>> {
        with_db!(
            &self.db,
            read | p | {
                Ok(sqlx::query_as(&format!(
                    "SELECT {USER_COLUMNS} FROM admin_users WHERE id = $1"
                ))
                .bind(id)
                .fetch_optional(p)
                .await?)
            }
        )
    }

    /// One user by email (case-insensitive).
    pub async fn admin_user_by_email(&self, email: &str) -> Result<Option<AdminUserRow>> {
        with_db!(
            &self.db,
            read | p | {
                Ok(sqlx::query_as(&format!(
                    "SELECT {USER_COLUMNS} FROM admin_users WHERE email = $1"
                ))
                .bind(email.trim().to_lowercase())
                .fetch_optional(p)
                .await?)
            }
        )
    }

    /// The user holding a pending activation token (by its SHA-256), if not expired.
    pub async fn admin_user_by_activation(
        &self,
        token_hash: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Option<AdminUserRow>> {
        with_db!(
            &self.db,
            read | p
                | {
                    Ok(sqlx::query_as(&format!(
                "SELECT {USER_COLUMNS} FROM admin_users WHERE activation_hash = $1 AND activation_expires > $2"
            ))
            .bind(token_hash)
            .bind(now)
            .fetch_optional(p)
            .await?)
                }
        )
    }

    /// Every user, by email.
    pub async fn admin_users(&self) -> Result<Vec<AdminUserRow>> {
        with_db!(
            &self.db,
            read | p | {
                Ok(sqlx::query_as(&format!(
                    "SELECT {USER_COLUMNS} FROM admin_users ORDER BY email"
                ))
                .fetch_all(p)
                .await?)
            }
        )
    }

    /// Changes a user's names, role and perimeter.
    pub async fn update_admin_user(
        &self,
        id: &str,
        last_name: &str,
        first_name: &str,
        role: &str,
        perimeter: &str,
    ) -> Result<()> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    let done = sqlx::query(
                "UPDATE admin_users SET last_name = $1, first_name = $2, role = $3, perimeter = $4 WHERE id = $5",
            )
            .bind(last_name)
            .bind(first_name)
            .bind(role)
            .bind(perimeter)
            .bind(id)
            .execute(p)
            .await?;
                    one_row(done.rows_affected(), id)
                }
        )
    }

    /// Sets a new password hash and clears any activation token and failure count.
    pub async fn set_admin_password(&self, id: &str, password_hash: &str) -> Result<()> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    let done = sqlx::query(
                "UPDATE admin_users SET password_hash = $1, activation_hash = NULL, activation_expires = NULL, failures = 0, locked_until = NULL WHERE id = $2",
            )
            .bind(password_hash)
            .bind(id)
            .execute(p)
            .await?;
                    one_row(done.rows_affected(), id)
                }
        )
    }

    /// Sets (or replaces) the activation token; the user then chooses a new password.
    pub async fn set_admin_activation(
        &self,
        id: &str,
        token_hash: &[u8],
        expires: DateTime<Utc>,
    ) -> Result<()> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    let done = sqlx::query(
                "UPDATE admin_users SET activation_hash = $1, activation_expires = $2 WHERE id = $3",
            )
            .bind(token_hash)
            .bind(expires)
            .bind(id)
            .execute(p)
            .await?;
                    one_row(done.rows_affected(), id)
                }
        )
    }

    /// Starts (or restarts) TOTP enrolment with a new, unconfirmed secret (sealed by the
    /// master key; empty to require a new enrolment).
    pub async fn set_admin_totp(&self, id: &str, secret: &[u8]) -> Result<()> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    let done = sqlx::query(
                "UPDATE admin_users SET totp_secret = $1, totp_confirmed = $2, totp_last_step = 0 WHERE id = $3",
            )
            .bind(secret)
            .bind(false)
            .bind(id)
            .execute(p)
            .await?;
                    one_row(done.rows_affected(), id)
                }
        )
    }

    /// Accepts a TOTP time step for a user if it is later than the last accepted one (a
    /// code is never accepted twice, R-71) and marks the secret confirmed. Returns whether
    /// the step was accepted.
    pub async fn accept_admin_totp_step(&self, id: &str, step: i64) -> Result<bool> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    let done = sqlx::query(
                "UPDATE admin_users SET totp_last_step = $1, totp_confirmed = $2 WHERE id = $3 AND totp_last_step < $1",
            )
            .bind(step)
            .bind(true)
            .bind(id)
            .execute(p)
            .await?;
                    Ok(done.rows_affected() == 1)
                }
        )
    }

    /// Enables or disables an account; disabling also ends its sessions.
    pub async fn set_admin_disabled(&self, id: &str, disabled: bool) -> Result<()> {
        with_db!(
            &self.db,
            write | p | {
                let mut tx = p.begin_write().await?;
                let done = sqlx::query("UPDATE admin_users SET disabled = $1 WHERE id = $2")
                    .bind(disabled)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                one_row(done.rows_affected(), id)?;
                if disabled {
                    sqlx::query("DELETE FROM admin_sessions WHERE user_id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }
        )
    }

    /// Counts a failed login for a user: the `threshold`-th failure in a row locks the
    /// account until `now + lock_for`. A failure while locked does not move the lock.
    pub async fn record_admin_failure(
        &self,
        id: &str,
        now: DateTime<Utc>,
        threshold: i64,
        lock_for: Duration,
    ) -> Result<FailureOutcome> {
        let users = Counter {
            table: "admin_users",
            key: "id",
            what: "user",
        };
        record_failure(&self.db, &users, id, now, threshold, lock_for).await
    }

    /// Clears the failure count after a successful login.
    pub async fn reset_admin_failures(&self, id: &str) -> Result<()> {
        with_db!(
            &self.db,
            write | p | {
                sqlx::query("UPDATE admin_users SET failures = 0 WHERE id = $1 AND failures <> 0")
                    .bind(id)
                    .execute(p)
                    .await?;
                Ok(())
            }
        )
    }

    /// Stores a new session.
    pub async fn insert_admin_session(
        &self,
        token_hash: &[u8],
        user_id: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    sqlx::query(
                "INSERT INTO admin_sessions (token_hash, user_id, created_at, expires_at, last_seen) VALUES ($1, $2, $3, $4, $3)",
            )
            .bind(token_hash)
            .bind(user_id)
            .bind(now)
            .bind(expires_at)
            .execute(p)
            .await?;
                    Ok(())
                }
        )
    }

    /// A session by the SHA-256 of its token.
    pub async fn admin_session(&self, token_hash: &[u8]) -> Result<Option<AdminSessionRow>> {
        with_db!(
            &self.db,
            read | p
                | {
                    Ok(sqlx::query_as(
                "SELECT user_id, created_at, expires_at, last_seen FROM admin_sessions WHERE token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(p)
            .await?)
                }
        )
    }

    /// Records activity on a session and moves its expiry.
    pub async fn touch_admin_session(
        &self,
        token_hash: &[u8],
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    sqlx::query("UPDATE admin_sessions SET last_seen = $1, expires_at = $2 WHERE token_hash = $3")
                .bind(now)
                .bind(expires_at)
                .bind(token_hash)
                .execute(p)
                .await?;
                    Ok(())
                }
        )
    }

    /// Ends a session.
    pub async fn delete_admin_session(&self, token_hash: &[u8]) -> Result<()> {
        with_db!(
            &self.db,
            write | p | {
                sqlx::query("DELETE FROM admin_sessions WHERE token_hash = $1")
                    .bind(token_hash)
                    .execute(p)
                    .await?;
                Ok(())
            }
        )
    }

    /// Ends every session of a user (password change, disabling).
    pub async fn delete_admin_sessions_of(&self, user_id: &str) -> Result<()> {
        with_db!(
            &self.db,
            write | p | {
                sqlx::query("DELETE FROM admin_sessions WHERE user_id = $1")
                    .bind(user_id)
                    .execute(p)
                    .await?;
                Ok(())
            }
        )
    }

    /// Stores a notification for the commissions of a chamber.
    pub async fn insert_notification(
        &self,
        id: &str,
        chamber_code: &str,
        now: DateTime<Utc>,
        kind: &str,
        message: &str,
        actor: &str,
    ) -> Result<()> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    sqlx::query(
                "INSERT INTO admin_notifications (id, chamber_code, created_at, kind, message, actor) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(chamber_code)
            .bind(now)
            .bind(kind)
            .bind(message)
            .bind(actor)
            .execute(p)
            .await?;
                    Ok(())
                }
        )
    }

    /// Notifications of the given chambers (every chamber with `None`), newest first, with
    /// the reader's read mark.
    pub async fn notifications(
        &self,
        chambers: Option<&[String]>,
        reader: &str,
        limit: i64,
    ) -> Result<Vec<NotificationRow>> {
        if chambers.is_some_and(<[String]>::is_empty) {
            return Ok(Vec::new());
        }
        with_db!(
            &self.db,
            read | p | {
                let mut q = sqlx::QueryBuilder::new(
                    "SELECT n.id, n.chamber_code, n.created_at, n.kind, n.message, n.actor, \
                 (r.user_id IS NOT NULL) AS read \
                 FROM admin_notifications n LEFT JOIN admin_notification_reads r \
                 ON r.notification_id = n.id AND r.user_id = ",
                );
                q.push_bind(reader);
                if let Some(list) = chambers {
                    q.push(" WHERE n.chamber_code IN (");
                    let mut sep = q.separated(", ");
                    for c in list {
                        sep.push_bind(c.clone());
                    }
                    q.push(")");
                }
                q.push(" ORDER BY n.created_at DESC, n.id LIMIT ");
                q.push_bind(limit);
                Ok(q.build_query_as().fetch_all(p).await?)
            }
        )
    }

    /// Marks a notification read by a user.
    pub async fn mark_notification_read(&self, id: &str, user_id: &str) -> Result<()> {
        with_db!(
            &self.db,
            write
                | p
                | {
                    sqlx::query(
                "INSERT INTO admin_notification_reads (notification_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(user_id)
            .execute(p)
            .await?;
                    Ok(())
                }
        )
    }
}

fn one_row(affected: u64, id: &str) -> Result<()> {
    if affected == 0 {
        Err(StoreError::NotFound(format!("user {id}")))
    } else {
        Ok(())
    }
}
