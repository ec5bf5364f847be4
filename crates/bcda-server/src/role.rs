//! Which services one process runs.

use std::fmt;
use std::str::FromStr;

use bcda_infra::health::Dependency;

/// The services a `bcda serve` process runs. `All` puts every HTTP route on one origin,
/// as the sandbox guide shows it, and runs workers in the same process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    All,
    Auth,
    Api,
    Worker,
    FileServer,
}

impl Role {
    /// Every role, as `bcda serve` accepts them.
    pub const ALL: [Role; 5] = [
        Role::All,
        Role::Auth,
        Role::Api,
        Role::Worker,
        Role::FileServer,
    ];

    /// The name on the command line and in telemetry (`service.name` is `bcda-<name>`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::All => "all",
            Role::Auth => "auth",
            Role::Api => "api",
            Role::Worker => "worker",
            Role::FileServer => "fileserver",
        }
    }

    /// Whether this process serves the route group of `service`.
    pub fn serves(self, service: Role) -> bool {
        self == Role::All || self == service
    }

    /// What `/_health` checks for this role: the union of its services' needs.
    pub fn dependencies(self) -> Vec<Dependency> {
        let mut deps: Vec<Dependency> = [
            (Role::Auth, bcda_auth::DEPENDENCIES),
            (Role::Api, bcda_api::DEPENDENCIES),
            (Role::Worker, bcda_worker::DEPENDENCIES),
            (Role::FileServer, bcda_fileserver::DEPENDENCIES),
        ]
        .into_iter()
        .filter(|(service, _)| self.serves(*service))
        .flat_map(|(_, deps)| deps.iter().copied())
        .collect();
        deps.sort();
        deps.dedup();
        deps
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == s)
            .ok_or_else(|| {
                format!("unknown service {s:?}; expected all, auth, api, worker or fileserver")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_checks_every_dependency() {
        assert_eq!(
            Role::All.dependencies(),
            [
                Dependency::Database,
                Dependency::Queue,
                Dependency::Storage,
                Dependency::Consumers
            ]
        );
    }

    #[test]
    fn roles_parse_from_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("everything".parse::<Role>().is_err());
    }
}
