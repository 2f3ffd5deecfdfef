//! Authentication and access control of the control interface: users and
//! their perimeters, Argon2id passwords with a policy, TOTP second factor, lockout,
//! sessions with expiry, CSRF, and the one guard every route goes through ([`Caller`]).

mod guard;
pub mod password;
pub mod roles;
pub mod session;
pub mod totp;

pub use guard::Caller;
pub use roles::{Permission, Role};

use scrutin_election::Perimeter;
use scrutin_store::admin_access::AdminUserRow;
use serde::Serialize;

use crate::error::{AdminError, AdminResult};

/// A user of the control interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminUser {
    /// Identifier.
    pub id: String,
    /// Email (login name).
    pub email: String,
    /// Surname.
    pub last_name: String,
    /// First name.
    pub first_name: String,
    /// Role.
    pub role: Role,
    /// Chambers or NATIONAL.
    pub perimeter: Perimeter,
    /// Whether the account is disabled.
    pub disabled: bool,
}

/// What the interface shows about a user.
#[derive(Clone, Debug, Serialize)]
pub struct UserView {
    /// Identifier.
    pub id: String,
    /// Email.
    pub email: String,
    /// Surname.
    pub last_name: String,
    /// First name.
    pub first_name: String,
    /// Role code.
    pub role: &'static str,
    /// Role label.
    pub role_label: &'static str,
    /// `NATIONAL` or `011,381`.
    pub perimeter: String,
    /// Whether the account needs the second factor.
    pub needs_totp: bool,
    /// Whether the account is active (password chosen, not disabled).
    pub active: bool,
}

/// The text form of a perimeter: `NATIONAL` or codes separated by commas.
pub fn perimeter_text(p: &Perimeter) -> String {
    match p {
        Perimeter::National => "NATIONAL".into(),
        Perimeter::Chambers(list) => list
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(","),
    }
}

impl AdminUser {
    /// From a stored row.
    pub fn from_row(row: &AdminUserRow) -> AdminResult<AdminUser> {
        Ok(AdminUser {
            id: row.id.clone(),
            email: row.email.clone(),
            last_name: row.last_name.clone(),
            first_name: row.first_name.clone(),
            role: Role::parse(&row.role)
                .ok_or_else(|| AdminError::internal(format!("stored role {:?}", row.role)))?,
            perimeter: Perimeter::parse(&row.perimeter).ok_or_else(|| {
                AdminError::internal(format!("stored perimeter {:?}", row.perimeter))
            })?,
            disabled: row.disabled,
        })
    }

    /// Whether the account needs a TOTP code at login: national perimeter, several
    /// chambers, or a platform-wide role.
    pub fn needs_totp(&self) -> bool {
        needs_totp(self.role, &self.perimeter)
    }

    /// The chambers of the perimeter, `None` for NATIONAL.
    pub fn chambers(&self) -> Option<Vec<String>> {
        match &self.perimeter {
            Perimeter::National => None,
            Perimeter::Chambers(list) => Some(list.iter().map(|c| c.as_str().to_owned()).collect()),
        }
    }

    /// Whether a chamber is in the perimeter.
    pub fn sees(&self, chamber: &str) -> bool {
        match &self.perimeter {
            Perimeter::National => true,
            Perimeter::Chambers(list) => list.iter().any(|c| c.as_str() == chamber),
        }
    }

    /// "Prénom NOM <email>", for journal entries and notifications.
    pub fn display(&self) -> String {
        format!(
            "{} {} <{}>",
            self.first_name,
            self.last_name.to_uppercase(),
            self.email
        )
    }

    /// The interface's view.
    pub fn view(&self, active: bool) -> UserView {
        UserView {
            id: self.id.clone(),
            email: self.email.clone(),
            last_name: self.last_name.clone(),
            first_name: self.first_name.clone(),
            role: self.role.code(),
            role_label: self.role.label_fr(),
            perimeter: perimeter_text(&self.perimeter),
            needs_totp: self.needs_totp(),
            active: active && !self.disabled,
        }
    }
}

/// Whether a role on a perimeter needs the second factor.
pub fn needs_totp(role: Role, perimeter: &Perimeter) -> bool {
    role.always_needs_totp()
        || match perimeter {
            Perimeter::National => true,
            Perimeter::Chambers(list) => list.len() > 1,
        }
}
