//! Full-text search over case summaries, party names and contact notes.

use rusqlite::{Connection, params};

use crate::error::StoreError;
use crate::model::SearchHit;

/// Turns what a person typed into an FTS5 query: every word must match, the last as a prefix.
fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\""))
        .collect();
    if words.is_empty() {
        return None;
    }
    Some(format!("{}*", words.join(" ")))
}

/// The three full-text indexes: (entity, FTS table, source table, join to the case).
const SEARCHED: [(&str, &str, &str); 3] = [
    (
        "case",
        "cases_fts",
        "SELECT s.id, s.id, s.reference FROM cases s WHERE s.rid = ?1",
    ),
    (
        "party",
        "parties_fts",
        "SELECT s.id, s.case_id, c.reference FROM parties s JOIN cases c ON c.id = s.case_id WHERE s.rid = ?1",
    ),
    (
        "contact",
        "contacts_fts",
        "SELECT s.id, s.case_id, c.reference FROM contacts s JOIN cases c ON c.id = s.case_id WHERE s.rid = ?1",
    ),
];

/// Full-text search over case summaries, party names and contact notes, best matches first.
pub(crate) fn search(conn: &Connection, text: &str, limit: u32) -> Result<Vec<SearchHit>, StoreError> {
    let Some(query) = fts_query(text) else {
        return Ok(Vec::new());
    };
    let mut scored: Vec<(f64, SearchHit)> = Vec::new();
    for (entity, fts, source) in SEARCHED {
        // `ORDER BY rank LIMIT` is answered by FTS5 itself, so snippets are only built for the
        // rows returned, not for every match.
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT rowid, rank, snippet({fts}, 0, '[', ']', '…', 12) FROM {fts} WHERE {fts} MATCH ?1
             ORDER BY rank LIMIT ?2"
        ))?;
        let matches: Vec<(i64, f64, String)> = stmt
            .query_map(params![query, limit], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let mut record = conn.prepare_cached(source)?;
        for (rowid, rank, snippet) in matches {
            let (entity_id, case_id, reference): (String, String, String) =
                record.query_row(params![rowid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            let case_id = case_id
                .parse()
                .map_err(|_| StoreError::Corrupt("bad case id".into()))?;
            scored.push((
                rank,
                SearchHit {
                    case_id,
                    reference,
                    entity,
                    entity_id,
                    snippet,
                },
            ));
        }
    }
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(scored
        .into_iter()
        .take(limit as usize)
        .map(|(_, hit)| hit)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn search_text_becomes_a_safe_fts_query() {
        assert_eq!(
            fts_query("broken window").as_deref(),
            Some("\"broken\" \"window\"*")
        );
        assert_eq!(
            fts_query("\"; DROP TABLE cases; --").as_deref(),
            Some("\"DROP\" \"TABLE\" \"cases\"*")
        );
        assert_eq!(fts_query("  -- ").as_deref(), None);
    }
}
