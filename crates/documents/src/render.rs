//! Laid-out pages to PDF bytes with krilla: A4 pages, fonts subset and embedded, and on every page
//! a header (document, reference, draft mark) and a footer ("Page 1 of 2").

use krilla::Document;
use krilla::color::luma;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::TextDirection;

use crate::DocumentError;
use crate::fonts::{Face, Fonts};
use crate::layout::{self, BODY_BOTTOM, Block, Line, MARGIN, PAGE_HEIGHT, PAGE_WIDTH};

const CHROME_SIZE: f32 = 8.5;
const DRAFT_SIZE: f32 = 11.0;

/// What is printed on every page around the body.
pub(crate) struct Chrome {
    /// The kind of document, for the header and the PDF's title ("Report to the court").
    pub(crate) kind: &'static str,
    /// The case reference, right of the header.
    pub(crate) reference: String,
    /// Printed in bold under the header line of every page when set.
    pub(crate) draft_mark: Option<&'static str>,
    /// Left of the footer ("Prepared on 1 Dec 2026").
    pub(crate) footer: String,
}

/// Flows `blocks` onto A4 pages inside `chrome` and writes the PDF.
pub(crate) fn pdf(chrome: &Chrome, blocks: &[Block]) -> Result<Vec<u8>, DocumentError> {
    let fonts = Fonts::load()?;
    let pages = layout::flow(blocks, &fonts);
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
        .ok_or_else(|| DocumentError::Pdf("the A4 page size was refused".into()))?;

    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!("{} {}", chrome.kind, chrome.reference))
            .language("en-GB".into())
            .creator("Casebook".into()),
    );
    let total = pages.len();
    for (index, body) in pages.iter().enumerate() {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        draw_chrome(&mut surface, &fonts, chrome, index + 1, total)?;
        for line in body {
            draw(&mut surface, &fonts, line);
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| DocumentError::Pdf(e.to_string()))
}

fn draw(surface: &mut Surface<'_>, fonts: &Fonts, line: &Line) {
    surface.draw_text(
        Point::from_xy(line.x, line.y),
        fonts.pdf(line.face),
        line.size,
        &line.text,
        false,
        TextDirection::LeftToRight,
    );
}

fn draw_chrome(
    surface: &mut Surface<'_>,
    fonts: &Fonts,
    chrome: &Chrome,
    number: usize,
    total: usize,
) -> Result<(), DocumentError> {
    let right = PAGE_WIDTH - MARGIN;
    let right_aligned = |face: Face, size: f32, y: f32, text: String| Line {
        x: right - fonts.width(face, size, &text),
        y,
        face,
        size,
        text,
    };
    let grey = Fill {
        paint: luma::Color::new(90).into(),
        ..Fill::default()
    };

    surface.set_fill(Some(grey.clone()));
    let header_y = 44.0;
    draw(
        surface,
        fonts,
        &Line {
            x: MARGIN,
            y: header_y,
            face: Face::Regular,
            size: CHROME_SIZE,
            text: format!("Casebook · {}", chrome.kind),
        },
    );
    draw(
        surface,
        fonts,
        &right_aligned(
            Face::Bold,
            CHROME_SIZE,
            header_y,
            chrome.reference.chars().filter(|c| !c.is_control()).collect(),
        ),
    );
    rule(surface, header_y + 6.0)?;

    if let Some(mark) = chrome.draft_mark {
        surface.set_fill(Some(Fill::default()));
        draw(
            surface,
            fonts,
            &Line {
                x: MARGIN,
                y: header_y + 24.0,
                face: Face::Bold,
                size: DRAFT_SIZE,
                text: mark.to_owned(),
            },
        );
        surface.set_fill(Some(grey));
    }

    let footer_y = PAGE_HEIGHT - 40.0;
    rule(surface, BODY_BOTTOM + 14.0)?;
    draw(
        surface,
        fonts,
        &Line {
            x: MARGIN,
            y: footer_y,
            face: Face::Regular,
            size: CHROME_SIZE,
            text: chrome.footer.clone(),
        },
    );
    draw(
        surface,
        fonts,
        &right_aligned(
            Face::Regular,
            CHROME_SIZE,
            footer_y,
            format!("Page {number} of {total}"),
        ),
    );
    surface.set_fill(Some(Fill::default()));
    Ok(())
}

/// A thin grey line across the text width at `y`.
fn rule(surface: &mut Surface<'_>, y: f32) -> Result<(), DocumentError> {
    let mut path = PathBuilder::new();
    path.move_to(MARGIN, y);
    path.line_to(PAGE_WIDTH - MARGIN, y);
    let path = path
        .finish()
        .ok_or_else(|| DocumentError::Pdf("a rule could not be drawn".into()))?;
    surface.set_fill(None);
    surface.set_stroke(Some(Stroke {
        paint: luma::Color::new(160).into(),
        width: 0.5,
        ..Stroke::default()
    }));
    surface.draw_path(&path);
    surface.set_stroke(None);
    Ok(())
}
