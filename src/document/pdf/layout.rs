//! A small page model: text runs and rules placed on A4 pages, with measured widths, line wrapping and
//! page breaks. Laying out first and painting afterwards lets every page say "page n of m".

use super::fonts::{Face, Fonts};

/// A4 in points.
pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
/// 20 mm margins.
pub const LEFT: f32 = 56.69;
pub const RIGHT: f32 = PAGE_W - 56.69;
pub const TOP: f32 = 56.69;

/// How a text run looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Regular,
    Bold,
    /// Regular, grey.
    Muted,
}

/// One thing to paint. `y` is the text baseline, from the top of the page.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    Text { x: f32, y: f32, size: f32, style: Style, text: String },
    Rule { x1: f32, x2: f32, y: f32 },
}

/// Pages being filled from top to bottom.
pub struct Layout<'f> {
    fonts: &'f Fonts,
    pub pages: Vec<Vec<Op>>,
    /// The next baseline on the current page.
    pub y: f32,
    bottom: f32,
}

impl<'f> Layout<'f> {
    /// One empty page; content ends at `bottom` (the footer lives below).
    pub fn new(fonts: &'f Fonts, bottom: f32) -> Layout<'f> {
        Layout { fonts, pages: vec![Vec::new()], y: TOP, bottom }
    }

    pub fn face(&self, style: Style) -> &'f Face {
        match style {
            Style::Bold => &self.fonts.bold,
            Style::Regular | Style::Muted => &self.fonts.regular,
        }
    }

    /// The width of `text` in points.
    pub fn width(&self, text: &str, size: f32, style: Style) -> f32 {
        self.face(style).width(text, size)
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Text starting at `x` on the baseline `y` of the current page.
    pub fn text(&mut self, x: f32, y: f32, size: f32, style: Style, text: &str) {
        if !text.trim().is_empty() {
            self.push(Op::Text { x, y, size, style, text: text.to_owned() });
        }
    }

    /// Text ending at `right`.
    pub fn text_right(&mut self, right: f32, y: f32, size: f32, style: Style, text: &str) {
        let x = right - self.width(text, size, style);
        self.text(x, y, size, style, text);
    }

    /// A thin horizontal line.
    pub fn rule(&mut self, x1: f32, x2: f32, y: f32) {
        self.push(Op::Rule { x1, x2, y });
    }

    /// Starts a new page when `height` more points do not fit; answers whether it did.
    pub fn ensure(&mut self, height: f32) -> bool {
        if self.y + height <= self.bottom {
            return false;
        }
        self.pages.push(Vec::new());
        self.y = TOP;
        true
    }

    /// `text` broken into lines of at most `width` points, at spaces where possible; explicit line breaks
    /// are kept.
    pub fn wrap(&self, text: &str, size: f32, style: Style, width: f32) -> Vec<String> {
        let face = self.face(style);
        let mut lines = Vec::new();
        for paragraph in text.lines() {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
                if face.width(&candidate, size) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                line = break_long_word(face, word, size, width, &mut lines);
            }
            lines.push(line);
        }
        lines
    }

    /// A wrapped paragraph at `x`, `width` wide, breaking pages between lines; advances `y`.
    pub fn paragraph(&mut self, x: f32, width: f32, size: f32, style: Style, text: &str) {
        let leading = size * 1.35;
        for line in self.wrap(text, size, style, width) {
            self.ensure(leading);
            self.text(x, self.y, size, style, &line);
            self.y += leading;
        }
    }
}

/// Splits a word wider than `width` into pieces that fit, pushing all but the last to `lines`.
fn break_long_word(face: &Face, word: &str, size: f32, width: f32, lines: &mut Vec<String>) -> String {
    let mut piece = String::new();
    for c in word.chars() {
        piece.push(c);
        if face.width(&piece, size) > width && piece.chars().count() > 1 {
            piece.pop();
            lines.push(std::mem::take(&mut piece));
            piece.push(c);
        }
    }
    piece
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::DocumentError;
    use crate::document::pdf::fonts::fonts;

    #[test]
    fn text_wraps_at_spaces_and_breaks_long_words() -> Result<(), DocumentError> {
        let layout = Layout::new(fonts()?, PAGE_H - TOP);
        let lines = layout.wrap("one two three four five six seven", 10.0, Style::Regular, 60.0);
        assert!(lines.len() > 2, "{lines:?}");
        assert!(lines.iter().all(|l| layout.width(l, 10.0, Style::Regular) <= 60.0), "{lines:?}");
        assert_eq!(lines.join(" "), "one two three four five six seven");
        let long = layout.wrap(&"x".repeat(200), 10.0, Style::Regular, 50.0);
        assert!(long.len() > 5 && long.concat() == "x".repeat(200));
        assert_eq!(layout.wrap("a\nb", 10.0, Style::Regular, 500.0), vec!["a", "b"]);
        Ok(())
    }

    #[test]
    fn a_full_page_breaks_and_right_aligned_text_ends_at_its_edge() -> Result<(), DocumentError> {
        let mut layout = Layout::new(fonts()?, 200.0);
        layout.paragraph(LEFT, 400.0, 10.0, Style::Regular, &"word ".repeat(400));
        assert!(layout.pages.len() > 1);
        layout.text_right(RIGHT, 100.0, 10.0, Style::Bold, "119,00 EUR");
        let Some(Some(Op::Text { x, text, .. })) = layout.pages.last().map(|p| p.last()) else {
            return Err(DocumentError::Pdf("no text op".into()));
        };
        let end = x + layout.width(text, 10.0, Style::Bold);
        assert!((end - RIGHT).abs() < 0.01, "{end}");
        Ok(())
    }
}
