//! The embedded font: Liberation Sans 2.1.5 regular and bold (SIL OFL 1.1, `../fonts/OFL.txt`), parsed
//! once per process. krilla subsets it into each PDF; `ttf-parser` measures advances for alignment and
//! line breaking (krilla does not expose them).

use std::sync::LazyLock;

use krilla::text::Font;

use crate::document::DocumentError;

const REGULAR: &[u8] = include_bytes!("../fonts/LiberationSans-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/LiberationSans-Bold.ttf");

/// One face, ready to draw and to measure.
pub struct Face {
    pub font: Font,
    metrics: ttf_parser::Face<'static>,
    units_per_em: f32,
}

impl Face {
    fn load(data: &'static [u8], name: &str) -> Result<Face, String> {
        let font = Font::new(data.into(), 0).ok_or_else(|| format!("{name}: krilla cannot read the font"))?;
        let metrics = ttf_parser::Face::parse(data, 0).map_err(|e| format!("{name}: {e}"))?;
        let units_per_em = f32::from(metrics.units_per_em());
        Ok(Face { font, metrics, units_per_em })
    }

    /// The advance width of `text` at `size` points (kerning ignored: a fraction of a point at most
    /// for the texts of an invoice).
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .map(|c| {
                let glyph = self.metrics.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
                u32::from(self.metrics.glyph_hor_advance(glyph).unwrap_or(0))
            })
            .sum();
        units as f32 * size / self.units_per_em
    }
}

/// The two faces a document uses.
pub struct Fonts {
    pub regular: Face,
    pub bold: Face,
}

static FONTS: LazyLock<Result<Fonts, String>> =
    LazyLock::new(|| Ok(Fonts { regular: Face::load(REGULAR, "regular")?, bold: Face::load(BOLD, "bold")? }));

/// The fonts, parsed on first use.
pub fn fonts() -> Result<&'static Fonts, DocumentError> {
    FONTS.as_ref().map_err(|e| DocumentError::Pdf(format!("font: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fonts_load_and_measure() -> Result<(), DocumentError> {
        let f = fonts()?;
        let narrow = f.regular.width("iii", 10.0);
        let wide = f.regular.width("WWW", 10.0);
        assert!(narrow > 0.0 && wide > narrow * 2.0, "{narrow} {wide}");
        assert!(f.bold.width("Rechnung", 10.0) > f.regular.width("Rechnung", 10.0));
        assert_eq!(f.regular.width("", 10.0), 0.0);
        Ok(())
    }
}
