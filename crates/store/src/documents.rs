//! The store's records as the models of the printable documents (`casebook-documents` makes
//! the PDFs from them): one translation, shared by the `casebook` command and the app, so the
//! two never print a case differently.

use casebook_documents::{AgreementAction, AgreementDoc, CourtReport, PreparationBrief, british_date};
use casebook_domain::{CaseId, PartyId};
use chrono::NaiveDate;

use crate::Store;
use crate::error::StoreError;
use crate::report::{CourtReportData, PartyWords};

impl Store {
    /// The model of `case`'s agreement, or `None` while none is recorded.
    pub fn agreement_document(&self, case: CaseId) -> Result<Option<AgreementDoc>, StoreError> {
        let Some(a) = self.agreements(case)?.into_iter().next() else {
            return Ok(None);
        };
        let detail = self.case_detail(case)?;
        let meeting_on = match a.meeting {
            Some(m) => self.meeting(m)?.held_on.unwrap_or(a.made_on),
            None => a.made_on,
        };
        Ok(Some(AgreementDoc {
            reference: detail.case.reference,
            meeting_on,
            parties: detail.parties.iter().map(|p| p.name.clone()).collect(),
            actions: actions(&a.actions),
            reviews: a.review_on.into_iter().collect(),
            how_agreed: Some(a.how_agreed)
                .filter(|h| !h.trim().is_empty())
                .into_iter()
                .collect(),
        }))
    }

    /// The model of `case`'s court report, prepared `today`.
    pub fn court_report_document(&self, case: CaseId, today: NaiveDate) -> Result<CourtReport, StoreError> {
        Ok(court_report(&self.court_report(case)?, today))
    }

    /// The model of the preparation brief of `case` for `party`, prepared `today`.
    pub fn preparation_brief_document(
        &self,
        case: CaseId,
        party: PartyId,
        today: NaiveDate,
    ) -> Result<PreparationBrief, StoreError> {
        let data = self.preparation_brief(case, party)?;
        Ok(PreparationBrief {
            reference: data.reference,
            for_party: data.for_party,
            prepared_on: today,
            shared_by_others: party_words(&data.shared),
        })
    }
}

/// The court report's model from its gathered contents, prepared `today`.
pub fn court_report(r: &CourtReportData, today: NaiveDate) -> CourtReport {
    let mut took_place: Vec<String> = r
        .what_took_place
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    for on in &r.meetings_held {
        took_place.push(format!(
            "A restorative meeting was held on {}.",
            british_date(*on)
        ));
    }
    CourtReport {
        reference: r.reference.clone(),
        court_date: r.court_date,
        court_date_is: r.pre_sentence.map(|k| k.label().to_owned()),
        prepared_on: today,
        facilitator: r.facilitator.clone(),
        summary_of_referral: r.summary.clone(),
        what_took_place: took_place,
        agreement: actions(&r.actions),
        parties_words: party_words(&r.words),
        approved_by: r.approved_by.clone(),
    }
}

fn actions(actions: &[casebook_domain::agreement::Action]) -> Vec<AgreementAction> {
    actions
        .iter()
        .map(|a| AgreementAction {
            what: a.what.clone(),
            by_whom: a.by.clone(),
            by_when: a.due,
            status: a.status.label().to_owned(),
        })
        .collect()
}

fn party_words(words: &[PartyWords]) -> Vec<casebook_documents::PartyWords> {
    words
        .iter()
        .map(|w| casebook_documents::PartyWords {
            role: capitalised(&w.role),
            words: w.words.join("\n\n"),
        })
        .collect()
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::capitalised;

    #[test]
    fn a_role_starts_with_a_capital() {
        assert_eq!(capitalised("victim"), "Victim");
        assert_eq!(capitalised(""), "");
        assert_eq!(capitalised("équipe"), "Équipe");
    }
}
