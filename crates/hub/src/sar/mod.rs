//! Subject access requests (UK GDPR Art. 15): finding a person's party records across cases,
//! the one-month deadline, and the redacted answer built from the ops the hub holds. Pure but for
//! `steps`, which reads the storage: the requests are stored by `storage::sar`, the command line
//! is `sar_cmd` in the binary, the API `routes::sar`; both take their steps from `steps`.
//!
//! A person is not a record of their own: each case has its own party records. So an operator
//! picks which party records are the person (`sar find NAME` lists candidates with the case,
//! role and phone), and the request keeps those party ids.

mod case_text;
pub mod deadline;
pub mod fold;
pub mod redact;
pub mod report;
pub mod steps;

pub use deadline::{days_left, due_on};
pub use fold::{Record, fold};
pub use redact::Redactor;
pub use report::{CaseInput, PartyCandidate, RequestFacts, answer, candidates, same_name};
pub use steps::{AnswerFiles, answer_files, find};
