//! The roles a user holds on the hub: one typed set for the hub, the store, the wire and the app.

labelled_enum!(
    /// What a user may see and write. Stored and wire names are frozen.
    Role {
        /// Works the cases they lead or co-facilitate.
        Facilitator = "facilitator" / "facilitator",
        /// Oversees their team's cases: supervision notes and sign-offs.
        Supervisor = "supervisor" / "supervisor",
        /// Takes referrals in and allocates them; sees every case.
        Coordinator = "coordinator" / "coordinator",
        /// Runs the hub; sees every case and writes none.
        Admin = "admin" / "admin",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_stored_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(*role));
            assert_eq!(role.to_string(), role.as_str());
            let json = serde_json::to_string(role).expect("json");
            assert_eq!(json, format!("\"{}\"", role.as_str()));
        }
        let err = "boss".parse::<Role>().expect_err("not a role");
        assert!(err.to_string().contains("facilitator"), "{err}");
    }
}
