//! Small helpers every kind of test uses: randomness from the kernel, unique markers, dates,
//! and a finished command described for an assertion message.

use std::fs;
use std::io::Read;
use std::process::Output;
use std::time::{SystemTime, UNIX_EPOCH};

/// Random bytes from the kernel (no extra dependency for test randomness).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .expect("read /dev/urandom");
    buf
}

/// A random number in `lo..hi` (hi exclusive, hi > lo).
pub fn random_between(lo: u64, hi: u64) -> u64 {
    assert!(hi > lo, "random_between({lo}, {hi}): empty range");
    lo + u64::from_le_bytes(random_bytes::<8>()) % (hi - lo)
}

/// A marker unique to this run: one lowercase alphanumeric token (so a full-text index keeps
/// it whole) that cannot occur by chance in any file.
pub fn marker() -> String {
    let bytes = random_bytes::<10>();
    format!(
        "zqmk{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Today's date (UTC) as `YYYY-MM-DD`, shifted by `days_from_today`.
pub fn date_from_today(days_from_today: i64) -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs() as i64;
    civil_from_days(secs.div_euclid(86_400) + days_from_today)
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> String {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

/// Exit code, stdout and stderr of a finished command, for assertion messages.
pub fn describe(out: &Output) -> String {
    format!(
        "exit status: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The stdout of a finished command as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The stderr of a finished command as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts the exit code of `out`, printing everything it said when it differs.
#[track_caller]
pub fn assert_code(out: &Output, code: i32, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: expected exit {code}\n{}",
        describe(out)
    );
}

/// The text of the PDF at `path` as poppler's `pdftotext` reads it (installed by scripts/setup),
/// with every run of white space made one space: a phrase may wrap onto two lines.
pub fn pdf_text(path: &std::path::Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils, installed by scripts/setup)");
    assert!(
        out.status.success(),
        "pdftotext {}: {}",
        path.display(),
        stderr(&out)
    );
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_match_known_days() {
        assert_eq!(civil_from_days(0), "1970-01-01");
        assert_eq!(civil_from_days(19_723), "2024-01-01");
        assert_eq!(civil_from_days(20_513), "2026-03-01");
    }

    #[test]
    fn markers_differ_and_are_one_token() {
        let (a, b) = (marker(), marker());
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()), "{a}");
    }
}
