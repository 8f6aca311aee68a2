//! Test support: real encrypted stores enrolled as team members, writing on a chosen day, and
//! exchanging their ops as the hub would hand them on (judged as vetted on arrival).

use casebook_domain::{DeviceId, UserId};
use chrono::NaiveDate;

use crate::model::{NewCase, NewParty};
use crate::{HubLink, RemoteOp, SecretString, Store, StoreError, StorePaths, Writer};

/// A laptop: its store and the scratch directory that holds it.
pub(crate) struct Laptop {
    pub(crate) store: Store,
    _dir: tempfile::TempDir,
}

/// A new store enrolled as `role` of `team` (`None`: never enrolled).
pub(crate) fn laptop(enrolled: Option<(&str, &str, Option<&str>)>) -> Laptop {
    let dir = tempfile::tempdir().expect("scratch dir");
    let paths = StorePaths::new(dir.path().join("profile"));
    let mut store =
        Store::create(&paths, &SecretString::from("correct horse battery".to_owned())).expect("store");
    if let Some((name, role, team)) = enrolled {
        store
            .link_hub(&HubLink {
                url: "https://hub.invalid".into(),
                token: SecretString::from("token".to_owned()),
                device_id: DeviceId::new(),
                user_id: UserId::new(),
                user_name: name.into(),
                role: role.parse().expect("role"),
                team: team.map(str::to_owned),
                recovery_recipient: None,
            })
            .expect("enrol");
    }
    Laptop { store, _dir: dir }
}

impl Laptop {
    /// Makes changes as if today were `day`: dates the store sets itself (status changes,
    /// meetings held, agreements, reviews, submissions) fall on it.
    pub(crate) fn on<T>(
        &mut self,
        day: NaiveDate,
        f: impl FnOnce(&mut Writer<'_>) -> Result<T, StoreError>,
    ) -> T {
        self.store
            .write(|w| {
                w.today = day;
                f(w)
            })
            .expect("write")
    }

    /// Hands every op of this laptop to `to`, as a pull would.
    pub(crate) fn deliver(&self, to: &mut Laptop) {
        let ops: Vec<RemoteOp> = crate::apply::read_ops(&self.store.conn)
            .expect("ops")
            .into_iter()
            .map(|op| RemoteOp {
                seq: 0,
                op,
                flag: None,
            })
            .collect();
        let counts = to.store.apply_remote(&ops, None).expect("apply");
        assert_eq!(counts.set_aside, 0, "every op delivered applies");
    }

    /// This laptop's user as the hub's directory lists them: a facilitator of `team`.
    pub(crate) fn facilitator_in(&self, name: &str, team: &str) -> crate::model::Person {
        crate::model::Person {
            id: self.store.actor().user,
            name: name.into(),
            role: "facilitator".into(),
            team: Some(team.into()),
        }
    }
}

/// A case as a facilitator records a referral.
pub(crate) fn referral(
    source: casebook_domain::ReferralSource,
    stage: casebook_domain::JusticeStage,
    received_on: NaiveDate,
) -> NewCase {
    NewCase {
        kind: casebook_domain::CaseKind::RestorativeJustice,
        stage,
        source,
        referrer: None,
        summary: "A referral".into(),
        court_date: (stage == casebook_domain::JusticeStage::PreSentence)
            .then(|| NaiveDate::from_ymd_opt(2027, 3, 1))
            .flatten(),
        pre_sentence: None,
        received_on: Some(received_on),
    }
}

/// A party of `role`, an adult.
pub(crate) fn party(name: &str, role: casebook_domain::PartyRole) -> NewParty {
    NewParty {
        role,
        name: name.into(),
        phone: None,
        minor: false,
        guardian_of: None,
    }
}

/// A police referral received on `day` with a victim, Ann, and the person responsible, Bob,
/// written on `laptop`: the case most process tests start from.
pub(crate) fn ann_and_bob(
    laptop: &mut Laptop,
    day: NaiveDate,
) -> (
    casebook_domain::CaseId,
    casebook_domain::PartyId,
    casebook_domain::PartyId,
) {
    use casebook_domain::{JusticeStage, PartyRole, ReferralSource};
    laptop.on(day, |w| {
        let case = w
            .create_case(referral(ReferralSource::Police, JusticeStage::OutOfCourt, day))?
            .id;
        let ann = w.add_party(case, party("Ann", PartyRole::Victim))?;
        let bob = w.add_party(case, party("Bob", PartyRole::Harmer))?;
        Ok((case, ann, bob))
    })
}
