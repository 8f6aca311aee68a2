//! The two faces built into every document (DejaVu Sans, regular and bold) and how wide text is in them.

use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, GlyphId, MetadataProvider};

use crate::DocumentError;

const REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Which of the two built-in faces a piece of text is set in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Face {
    Regular,
    Bold,
}

/// One face, loaded both for the PDF writer and for measuring.
struct Loaded {
    pdf: krilla::text::Font,
    charmap: skrifa::charmap::Charmap<'static>,
    /// Advance widths at a size of one point, so a width in points is `advance * size`.
    advances: GlyphMetrics<'static>,
}

impl Loaded {
    fn new(name: &'static str, bytes: &'static [u8]) -> Result<Self, DocumentError> {
        let font = FontRef::new(bytes).map_err(|_| DocumentError::Font(name))?;
        let pdf = krilla::text::Font::new(bytes.into(), 0).ok_or(DocumentError::Font(name))?;
        Ok(Self {
            pdf,
            charmap: font.charmap(),
            advances: font.glyph_metrics(Size::new(1.0), LocationRef::default()),
        })
    }
}

/// The built-in faces, loaded once per document.
pub(crate) struct Fonts {
    regular: Loaded,
    bold: Loaded,
}

impl Fonts {
    pub(crate) fn load() -> Result<Self, DocumentError> {
        Ok(Self {
            regular: Loaded::new("DejaVu Sans", REGULAR)?,
            bold: Loaded::new("DejaVu Sans Bold", BOLD)?,
        })
    }

    fn face(&self, face: Face) -> &Loaded {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
        }
    }

    /// The font the PDF writer embeds for `face`.
    pub(crate) fn pdf(&self, face: Face) -> krilla::text::Font {
        self.face(face).pdf.clone()
    }

    /// How wide `text` is, in points, set in `face` at `size` points. Kerning only ever makes
    /// the drawn text narrower than this, so a line measured to fit does fit.
    pub(crate) fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        let loaded = self.face(face);
        let em: f32 = text
            .chars()
            .map(|ch| {
                let glyph = loaded.charmap.map(ch).unwrap_or(GlyphId::NOTDEF);
                loaded.advances.advance_width(glyph).unwrap_or(0.0)
            })
            .sum();
        em * size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_faces_load_and_bold_is_wider() {
        let fonts = Fonts::load().expect("the built-in fonts load");
        let regular = fonts.width(Face::Regular, 10.0, "Restorative justice");
        let bold = fonts.width(Face::Bold, 10.0, "Restorative justice");
        assert!(regular > 50.0 && regular < 150.0, "{regular}");
        assert!(bold > regular);
        assert_eq!(fonts.width(Face::Regular, 10.0, ""), 0.0);
    }
}
