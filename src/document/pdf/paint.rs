//! Paints laid-out pages with krilla: text runs in the embedded font, thin grey rules, and on every page
//! the footer and "page n of m".

use krilla::Document;
use krilla::color::luma;
use krilla::geom::{PathBuilder, Point};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::TextDirection;

use super::fonts::Fonts;
use super::layout::{LEFT, Op, PAGE_H, PAGE_W, RIGHT, Style};
use crate::document::DocumentError;
use crate::document::wording::fill;

/// Size and leading of the footer text.
pub const FOOTER_SIZE: f32 = 7.5;
pub const FOOTER_LEADING: f32 = 10.0;
/// Baseline of the page number, from the top.
const PAGE_LABEL_Y: f32 = PAGE_H - 28.0;

/// Paints `pages` into `document`; `page_label` is the "Seite {page} von {pages}" template.
pub fn paint(
    document: &mut Document,
    fonts: &Fonts,
    pages: &[Vec<Op>],
    footer: &[String],
    page_label: &str,
) -> Result<(), DocumentError> {
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| DocumentError::Pdf("page size".into()))?;
    let count = pages.len().to_string();
    for (index, ops) in pages.iter().enumerate() {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, fonts, op);
        }
        let footer_top = PAGE_LABEL_Y - 14.0 - footer.len() as f32 * FOOTER_LEADING;
        for (i, line) in footer.iter().enumerate() {
            let y = footer_top + (i + 1) as f32 * FOOTER_LEADING;
            draw(
                &mut surface,
                fonts,
                &Op::Text { x: LEFT, y, size: FOOTER_SIZE, style: Style::Muted, text: line.clone() },
            );
        }
        let label = fill(page_label, &[("page", &(index + 1).to_string()), ("pages", &count)]);
        let x = RIGHT - fonts.regular.width(&label, FOOTER_SIZE);
        draw(
            &mut surface,
            fonts,
            &Op::Text { x, y: PAGE_LABEL_Y, size: FOOTER_SIZE, style: Style::Muted, text: label },
        );
        surface.finish();
        page.finish();
    }
    Ok(())
}

/// Where the content must end so the footer fits below it.
pub fn content_bottom(footer_lines: usize) -> f32 {
    PAGE_LABEL_Y - 14.0 - footer_lines as f32 * FOOTER_LEADING - 24.0
}

fn draw(surface: &mut Surface<'_>, fonts: &Fonts, op: &Op) {
    match op {
        Op::Text { x, y, size, style, text } => {
            let (face, grey) = match style {
                Style::Regular => (&fonts.regular, 0),
                Style::Bold => (&fonts.bold, 0),
                Style::Muted => (&fonts.regular, 100),
            };
            surface.set_stroke(None);
            surface.set_fill(Some(Fill { paint: luma::Color::new(grey).into(), ..Fill::default() }));
            surface.draw_text(Point::from_xy(*x, *y), face.font.clone(), *size, text, false, TextDirection::Auto);
        }
        Op::Rule { x1, x2, y } => {
            let mut path = PathBuilder::new();
            path.move_to(*x1, *y);
            path.line_to(*x2, *y);
            if let Some(path) = path.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: luma::Color::new(150).into(),
                    width: 0.6,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
            }
        }
    }
}
