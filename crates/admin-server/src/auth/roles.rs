//! Roles (groups of the authorised-users file, R-12) and what each may do. The
//! perimeter (chambers or NATIONAL) is checked separately, on every request, by
//! [`crate::auth::Caller`].

use serde::{Deserialize, Serialize};

/// A user's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// National administrator: users, structure, national seals.
    NationalAdmin,
    /// CCI France: structure, users, anonymous usage indicators.
    CciFrance,
    /// Commission d'établissement des listes électorales: voter lists.
    Cele,
    /// Member (assessor) of a Commission d'organisation des élections.
    CoeMember,
    /// President of a COE.
    CoePresident,
    /// Observer or independent expert: reads, checks seals and the journal.
    Observer,
    /// The platform's operator: technical access, journaled and notified.
    Operator,
}

/// Everything a request may need to be allowed to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Create, import, change and disable users.
    ManageUsers,
    /// Upload the election structure file.
    UploadStructure,
    /// Upload or change voter lists until the voters seal.
    EditVoters,
    /// Consult and print voter lists, control lists.
    ViewVoters,
    /// Enter and order candidates, groupings and statements until the candidates seal.
    EditCandidates,
    /// Consult and print candidates and statements.
    ViewCandidates,
    /// Seal a stage of a chamber (voters, candidates, credentials, box, émargement).
    Seal,
    /// National seals: platform software, the final national seal.
    SealNational,
    /// Check seals at any time.
    CheckSeals,
    /// Generate credentials, letters and send the voting material.
    ProduceMaterial,
    /// Approve or refuse resend requests.
    DecideResend,
    /// Open, suspend, resume and close scrutins.
    OperateVote,
    /// Participation figures per scrutin: commissions and authorised users.
    ViewParticipation,
    /// Anonymous usage indicators.
    ViewUsage,
    /// The journal and its verification.
    ViewJournal,
    /// Key ceremony as a trustee (admin-tally).
    Ceremony,
    /// Tally as a trustee, results and PV (admin-tally).
    Tally,
    /// Consult results, PV and exports (admin-tally).
    ViewResults,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 7] = [
        Role::NationalAdmin,
        Role::CciFrance,
        Role::Cele,
        Role::CoeMember,
        Role::CoePresident,
        Role::Observer,
        Role::Operator,
    ];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Role::NationalAdmin => "national_admin",
            Role::CciFrance => "cci_france",
            Role::Cele => "cele",
            Role::CoeMember => "coe_member",
            Role::CoePresident => "coe_president",
            Role::Observer => "observer",
            Role::Operator => "operator",
        }
    }

    /// Parses the stored code.
    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// French label.
    pub fn label_fr(self) -> &'static str {
        match self {
            Role::NationalAdmin => "Administrateur national",
            Role::CciFrance => "CCI France",
            Role::Cele => "CELE",
            Role::CoeMember => "Membre de COE",
            Role::CoePresident => "Président de COE",
            Role::Observer => "Observateur / expert",
            Role::Operator => "Opérateur",
        }
    }

    /// The role of a GROUPE of the authorised-users file (annex §7.1.4; 10 characters at
    /// most). `REGION` (a regional chamber following its territorial chambers) observes.
    pub fn from_group(group: &str) -> Option<Role> {
        Some(match group.trim().to_uppercase().as_str() {
            "ADMIN" | "ADMINNAT" | "ADMIN_NAT" => Role::NationalAdmin,
            "CCIFRANCE" | "CCI_FRANCE" => Role::CciFrance,
            "CELE" => Role::Cele,
            "COE" | "COE_MEMBRE" | "ASSESSEUR" => Role::CoeMember,
            "COE_PRES" | "PRESIDENT" | "PRES_COE" => Role::CoePresident,
            "OBSERV" | "EXPERT" | "REGION" => Role::Observer,
            "OPERATEUR" | "OPERATOR" => Role::Operator,
            _ => return None,
        })
    }

    /// The groups [`Role::from_group`] knows, for error messages.
    pub const GROUPS: &'static str =
        "ADMIN, CCIFRANCE, CELE, COE, COE_PRES, OBSERV, EXPERT, REGION, OPERATEUR";

    /// Whether the role may do this (anywhere in its perimeter).
    pub fn can(self, p: Permission) -> bool {
        use Permission as P;
        use Role as R;
        match p {
            P::ManageUsers | P::UploadStructure => matches!(self, R::NationalAdmin | R::CciFrance),
            P::EditVoters => matches!(self, R::Cele | R::NationalAdmin),
            P::ViewVoters => matches!(
                self,
                R::Cele | R::CoeMember | R::CoePresident | R::NationalAdmin | R::Observer
            ),
            P::EditCandidates => matches!(self, R::CoeMember | R::CoePresident | R::NationalAdmin),
            P::ViewCandidates | P::CheckSeals => true,
            P::Seal => matches!(self, R::CoePresident | R::CoeMember | R::NationalAdmin),
            P::SealNational => matches!(self, R::NationalAdmin),
            P::ProduceMaterial => matches!(self, R::CoePresident | R::NationalAdmin),
            P::DecideResend => matches!(self, R::CoePresident | R::CoeMember),
            P::OperateVote => matches!(self, R::CoePresident | R::NationalAdmin),
            P::ViewParticipation => matches!(
                self,
                R::CoePresident | R::CoeMember | R::NationalAdmin | R::Observer
            ),
            P::ViewUsage => matches!(self, R::CciFrance | R::NationalAdmin),
            P::ViewJournal => matches!(
                self,
                R::NationalAdmin | R::CoePresident | R::CoeMember | R::Observer | R::Operator
            ),
            P::Ceremony | P::Tally => matches!(self, R::CoePresident | R::CoeMember),
            P::ViewResults => matches!(
                self,
                R::CoePresident | R::CoeMember | R::NationalAdmin | R::CciFrance | R::Observer
            ),
        }
    }

    /// Roles whose accounts always need the second factor, whatever their
    /// perimeter: they hold platform-wide powers.
    pub fn always_needs_totp(self) -> bool {
        matches!(self, Role::NationalAdmin | Role::CciFrance | Role::Operator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_groups_map() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(r));
        }
        assert_eq!(Role::from_group("coe"), Some(Role::CoeMember));
        assert_eq!(Role::from_group("CCIFRANCE"), Some(Role::CciFrance));
        assert_eq!(Role::from_group("REGION"), Some(Role::Observer));
        assert_eq!(Role::from_group("PIRATE"), None);
    }

    #[test]
    fn only_commissions_decide_and_only_trustees_tally() {
        assert!(Role::CoePresident.can(Permission::OperateVote));
        assert!(!Role::CoeMember.can(Permission::OperateVote));
        assert!(!Role::Operator.can(Permission::OperateVote));
        assert!(!Role::Operator.can(Permission::ViewVoters));
        assert!(!Role::CciFrance.can(Permission::ViewParticipation));
        assert!(Role::CciFrance.can(Permission::ViewUsage));
        assert!(!Role::NationalAdmin.can(Permission::Tally));
        assert!(Role::Cele.can(Permission::EditVoters));
        assert!(!Role::Cele.can(Permission::EditCandidates));
    }
}
