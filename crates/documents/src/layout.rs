//! Flowing blocks of text onto A4 pages: lines broken at spaces by measured width, new pages when
//! the body is full, and headings kept with what follows them.

use crate::fonts::{Face, Fonts};

/// A4 in points (210 mm x 297 mm).
pub(crate) const PAGE_WIDTH: f32 = 595.28;
/// A4 in points (210 mm x 297 mm).
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
/// Left and right margin: 20 mm.
pub(crate) const MARGIN: f32 = 56.69;
/// Where the body starts, below the header.
pub(crate) const BODY_TOP: f32 = 100.0;
/// Where the body must end, above the footer.
pub(crate) const BODY_BOTTOM: f32 = PAGE_HEIGHT - 72.0;

const BODY_SIZE: f32 = 10.5;
const HEADING_SIZE: f32 = 13.0;
const TITLE_SIZE: f32 = 18.0;
/// Line height as a multiple of the font size.
const LEADING: f32 = 1.4;
/// How far a field's value starts from its label.
const FIELD_LABEL_WIDTH: f32 = 120.0;
/// The least room between a field's label and its value.
const FIELD_GAP: f32 = 8.0;
/// How far a bullet's text starts from its bullet.
const BULLET_INDENT: f32 = 14.0;

/// One piece of a document's body, before it is placed on a page.
#[derive(Debug, Clone)]
pub(crate) enum Block {
    /// The document's title, large and bold.
    Title(String),
    /// A section heading; never left alone at the foot of a page.
    Heading(String),
    /// A bold line introducing what follows (a party's role); kept with it.
    Label(String),
    /// Running text; line breaks in it start new paragraphs.
    Paragraph(String),
    /// A label and its value side by side ("Reference  RJ-2026-0042").
    Field(String, String),
    /// One item of a list.
    Bullet(String),
    /// Empty space of this many points (room to sign); dropped at the top of a page.
    Space(f32),
}

/// Text placed on a page: `y` is the baseline, measured from the top of the page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    pub(crate) x: f32,
    pub(crate) y: f32,
    pub(crate) face: Face,
    pub(crate) size: f32,
    pub(crate) text: String,
}

/// Everything placed in one page's body.
pub(crate) type Page = Vec<Line>;

/// Text of one row, placed horizontally but not yet vertically.
struct Piece {
    x: f32,
    face: Face,
    size: f32,
    text: String,
}

/// One row of a block: all its pieces share a baseline.
struct Row {
    height: f32,
    pieces: Vec<Piece>,
}

/// A block broken into rows, with the space it wants above it.
struct Chunk {
    space_before: f32,
    keep_with_next: bool,
    rows: Vec<Row>,
}

/// Places `blocks` on as many pages as they need (always at least one).
pub(crate) fn flow(blocks: &[Block], fonts: &Fonts) -> Vec<Page> {
    let chunks: Vec<Chunk> = blocks.iter().map(|b| chunk(b, fonts)).collect();
    let mut pages: Vec<Page> = vec![Vec::new()];
    let mut y = BODY_TOP;
    for (i, chunk) in chunks.iter().enumerate() {
        let at_top = pages.last().is_none_or(|p| p.is_empty());
        if !at_top {
            y += chunk.space_before;
        }
        // A heading needs room for itself and the first row of what follows.
        let mut needed: f32 = chunk.rows.iter().map(|r| r.height).sum();
        if chunk.keep_with_next
            && let Some(next) = chunks.get(i + 1)
        {
            needed += next.space_before + next.rows.first().map_or(0.0, |r| r.height);
        }
        if !at_top && y + needed > BODY_BOTTOM {
            pages.push(Vec::new());
            y = BODY_TOP;
        }
        for row in &chunk.rows {
            let page_has_text = pages.last().is_some_and(|p| !p.is_empty());
            if page_has_text && y + row.height > BODY_BOTTOM {
                pages.push(Vec::new());
                y = BODY_TOP;
            }
            if let Some(page) = pages.last_mut() {
                for piece in &row.pieces {
                    page.push(Line {
                        x: piece.x,
                        // The baseline sits about an ascent below the top of the row.
                        y: y + piece.size * 1.1,
                        face: piece.face,
                        size: piece.size,
                        text: piece.text.clone(),
                    });
                }
            }
            y += row.height;
        }
    }
    pages
}

fn chunk(block: &Block, fonts: &Fonts) -> Chunk {
    let body_width = PAGE_WIDTH - 2.0 * MARGIN;
    match block {
        Block::Title(text) => Chunk {
            space_before: 0.0,
            keep_with_next: true,
            rows: rows_at(fonts, MARGIN, body_width, Face::Bold, TITLE_SIZE, text),
        },
        Block::Heading(text) => Chunk {
            space_before: HEADING_SIZE,
            keep_with_next: true,
            rows: rows_at(fonts, MARGIN, body_width, Face::Bold, HEADING_SIZE, text),
        },
        Block::Label(text) => Chunk {
            space_before: BODY_SIZE * 0.6,
            keep_with_next: true,
            rows: rows_at(fonts, MARGIN, body_width, Face::Bold, BODY_SIZE, text),
        },
        Block::Paragraph(text) => {
            let mut rows = Vec::new();
            for (n, para) in text.split('\n').map(str::trim).enumerate() {
                if n > 0 {
                    rows.push(Row {
                        height: BODY_SIZE * 0.5,
                        pieces: Vec::new(),
                    });
                }
                rows.extend(rows_at(fonts, MARGIN, body_width, Face::Regular, BODY_SIZE, para));
            }
            Chunk {
                space_before: BODY_SIZE * 0.3,
                keep_with_next: false,
                rows,
            }
        }
        Block::Field(label, value) => {
            let value_x = MARGIN + FIELD_LABEL_WIDTH;
            let mut rows = rows_at(
                fonts,
                value_x,
                body_width - FIELD_LABEL_WIDTH,
                Face::Regular,
                BODY_SIZE,
                value,
            );
            let label = clean(label);
            if fonts.width(Face::Bold, BODY_SIZE, &label) > FIELD_LABEL_WIDTH - FIELD_GAP {
                // Too long to sit beside its value: the label gets its own rows above it.
                let mut label_rows = rows_at(fonts, MARGIN, body_width, Face::Bold, BODY_SIZE, &label);
                label_rows.append(&mut rows);
                rows = label_rows;
            } else {
                let label = Piece {
                    x: MARGIN,
                    face: Face::Bold,
                    size: BODY_SIZE,
                    text: label,
                };
                match rows.first_mut() {
                    Some(first) => first.pieces.insert(0, label),
                    None => rows.push(Row {
                        height: BODY_SIZE * LEADING,
                        pieces: vec![label],
                    }),
                }
            }
            Chunk {
                space_before: 0.0,
                keep_with_next: false,
                rows,
            }
        }
        Block::Space(points) => Chunk {
            space_before: *points,
            keep_with_next: false,
            rows: Vec::new(),
        },
        Block::Bullet(text) => {
            let text_x = MARGIN + BULLET_INDENT;
            let mut rows = rows_at(
                fonts,
                text_x,
                body_width - BULLET_INDENT,
                Face::Regular,
                BODY_SIZE,
                text,
            );
            if let Some(first) = rows.first_mut() {
                first.pieces.insert(
                    0,
                    Piece {
                        x: MARGIN + 3.0,
                        face: Face::Regular,
                        size: BODY_SIZE,
                        text: "•".to_owned(),
                    },
                );
            }
            Chunk {
                space_before: BODY_SIZE * 0.25,
                keep_with_next: false,
                rows,
            }
        }
    }
}

/// `text` broken into rows no wider than `width`, each starting at `x`.
fn rows_at(fonts: &Fonts, x: f32, width: f32, face: Face, size: f32, text: &str) -> Vec<Row> {
    wrap(fonts, face, size, width, &clean(text))
        .into_iter()
        .map(|text| Row {
            height: size * LEADING,
            pieces: vec![Piece { x, face, size, text }],
        })
        .collect()
}

/// Tabs, line breaks and other control characters become plain spaces: a line is one line.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Greedy line breaking at spaces; a word wider than a whole line is broken between characters.
/// Returns no lines for blank text.
pub(crate) fn wrap(fonts: &Fonts, face: Face, size: f32, width: f32, text: &str) -> Vec<String> {
    let fits = |s: &str| fonts.width(face, size, s) <= width;
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if fits(&candidate) {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if fits(word) {
            line = word.to_owned();
        } else {
            // Too long for any line (a long link, say): cut it where it reaches the margin.
            for ch in word.chars() {
                line.push(ch);
                if !fits(&line) && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::replace(&mut line, ch.to_string()));
                }
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> Fonts {
        Fonts::load().expect("the built-in fonts load")
    }

    #[test]
    fn wrapped_lines_fit_and_keep_every_word_in_order() {
        let fonts = fonts();
        let text = "The responsible person wrote a letter of apology and met the victim at the \
                    community centre, where both said what the harm had meant to them.";
        let lines = wrap(&fonts, Face::Regular, 10.5, 200.0, text);
        assert!(lines.len() > 1);
        for line in &lines {
            assert!(fonts.width(Face::Regular, 10.5, line) <= 200.0, "{line}");
        }
        assert_eq!(
            lines.join(" "),
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }

    #[test]
    fn a_word_longer_than_a_line_is_cut_and_nothing_is_lost() {
        let fonts = fonts();
        let word = "x".repeat(300);
        let lines = wrap(&fonts, Face::Regular, 10.5, 100.0, &word);
        assert!(lines.len() > 2);
        assert_eq!(lines.concat(), word);
        assert!(wrap(&fonts, Face::Regular, 10.5, 100.0, "  \n ").is_empty());
    }

    #[test]
    fn a_long_list_flows_onto_more_pages_and_stays_inside_the_body() {
        let fonts = fonts();
        let mut blocks = vec![Block::Title("Title".into()), Block::Heading("List".into())];
        blocks.extend((0..120).map(|n| Block::Bullet(format!("Item {n}"))));
        let pages = flow(&blocks, &fonts);
        assert!(pages.len() >= 2, "{} pages", pages.len());
        for page in &pages {
            assert!(!page.is_empty());
            for line in page {
                assert!(line.y > BODY_TOP && line.y <= BODY_BOTTOM, "{line:?}");
            }
        }
        let items = pages
            .iter()
            .flatten()
            .filter(|l| l.text.starts_with("Item"))
            .count();
        assert_eq!(items, 120);
    }

    #[test]
    fn a_heading_is_never_the_last_thing_on_a_page() {
        let fonts = fonts();
        for filler in 0..60 {
            let mut blocks: Vec<Block> = (0..filler).map(|n| Block::Bullet(format!("Item {n}"))).collect();
            blocks.push(Block::Heading("Heading".into()));
            blocks.push(Block::Paragraph("After the heading".into()));
            let pages = flow(&blocks, &fonts);
            for page in &pages {
                let last = page.last().expect("no empty pages");
                assert_ne!(last.text, "Heading", "with {filler} items before it");
            }
        }
    }
}
