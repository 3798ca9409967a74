//! The blocks of the PDF, top to bottom: seller and buyer, title and dates, the table of lines, totals,
//! notes and payment. The footer and page numbers are painted per page in `paint.rs`.

use super::layout::{LEFT, Layout, RIGHT, Style, TOP};
use crate::document::view::{Row, View};

const BODY: f32 = 9.5;
const LEADING: f32 = 13.0;
const SMALL: f32 = 8.0;
/// Where the buyer's address starts (DIN 5008 form B window, 45 mm from the top, plus the sender line).
const ADDRESS_TOP: f32 = 141.0;

/// Right edges (and the description's left edge and width) of the table columns.
const COL_DESCRIPTION: f32 = LEFT + 26.0;
const DESCRIPTION_WIDTH: f32 = 214.0;
const COL_QUANTITY: f32 = LEFT + 285.0;
const COL_UNIT_PRICE: f32 = LEFT + 365.0;
const COL_VAT: f32 = LEFT + 405.0;

/// Lays out everything but the footer.
pub fn lay_out(layout: &mut Layout<'_>, view: &View) {
    parties(layout, view);
    title(layout, view);
    table(layout, view);
    totals(layout, view);
    for note in &view.notes {
        layout.y += 4.0;
        layout.paragraph(LEFT, RIGHT - LEFT, BODY, Style::Regular, note);
    }
    if !view.payment.is_empty() {
        layout.y += 8.0;
        for line in &view.payment {
            layout.paragraph(LEFT, RIGHT - LEFT, BODY, Style::Regular, line);
        }
    }
}

/// The seller block top right, the sender line and the buyer's address on the left.
fn parties(layout: &mut Layout<'_>, view: &View) {
    let mut y = TOP;
    layout.text_right(RIGHT, y, 12.0, Style::Bold, &view.seller_name);
    y += 15.0;
    for line in &view.seller_lines {
        layout.text_right(RIGHT, y, BODY, Style::Regular, line);
        y += 12.0;
    }
    for line in &view.seller_contact {
        layout.text_right(RIGHT, y, SMALL, Style::Muted, line);
        y += 10.5;
    }
    let sender = layout.wrap(&view.sender_line, 7.0, Style::Muted, 240.0);
    layout.text(LEFT, ADDRESS_TOP - 14.0, 7.0, Style::Muted, sender.first().map_or("", String::as_str));
    let mut address_y = ADDRESS_TOP;
    for line in &view.buyer_lines {
        for part in layout.wrap(line, 10.0, Style::Regular, 240.0) {
            layout.text(LEFT, address_y, 10.0, Style::Regular, &part);
            address_y += 13.0;
        }
    }
    layout.y = y.max(address_y) + 36.0;
}

/// Title and number, subject, the label/value pairs (dates, customer number, ...) and the intro.
fn title(layout: &mut Layout<'_>, view: &View) {
    layout.text(LEFT, layout.y, 16.0, Style::Bold, &format!("{} {}", view.title, view.number));
    layout.y += 22.0;
    if let Some(subject) = &view.subject {
        layout.paragraph(LEFT, RIGHT - LEFT, BODY, Style::Bold, subject);
    }
    for pair in &view.meta {
        layout.ensure(LEADING);
        layout.text(LEFT, layout.y, BODY, Style::Muted, &pair.label);
        layout.text(LEFT + 140.0, layout.y, BODY, Style::Regular, &pair.value);
        layout.y += LEADING;
    }
    if let Some(intro) = &view.intro {
        layout.y += 8.0;
        layout.paragraph(LEFT, RIGHT - LEFT, BODY, Style::Regular, intro);
    }
    layout.y += 14.0;
}

/// One table row; the description wraps, the numbers sit on its first line.
fn row(layout: &mut Layout<'_>, row: &Row, style: Style) {
    let lines = layout.wrap(&row.description, BODY, style, DESCRIPTION_WIDTH);
    let y = layout.y;
    layout.text(LEFT, y, BODY, style, &row.position);
    layout.text_right(COL_QUANTITY, y, BODY, style, &row.quantity);
    layout.text_right(COL_UNIT_PRICE, y, BODY, style, &row.unit_price);
    layout.text_right(COL_VAT, y, BODY, style, &row.vat);
    layout.text_right(RIGHT, y, BODY, style, &row.net);
    for (i, line) in lines.iter().enumerate() {
        layout.text(COL_DESCRIPTION, y + i as f32 * 12.0, BODY, style, line);
    }
    layout.y += lines.len().max(1) as f32 * 12.0 + 4.0;
}

fn table_header(layout: &mut Layout<'_>, view: &View) {
    row(layout, &view.columns, Style::Bold);
    layout.rule(LEFT, RIGHT, layout.y - 11.0);
    layout.y += 2.0;
}

/// The lines, the column header repeated on every page the table reaches.
fn table(layout: &mut Layout<'_>, view: &View) {
    layout.ensure(3.0 * LEADING);
    table_header(layout, view);
    for r in &view.rows {
        let height = layout.wrap(&r.description, BODY, Style::Regular, DESCRIPTION_WIDTH).len() as f32 * 12.0 + 4.0;
        if layout.ensure(height) {
            table_header(layout, view);
        }
        row(layout, r, Style::Regular);
    }
    layout.rule(LEFT, RIGHT, layout.y - 10.0);
    layout.y += 6.0;
}

/// Net, VAT per rate and the total, right-aligned under the table; the total in bold.
fn totals(layout: &mut Layout<'_>, view: &View) {
    let label_x = RIGHT - 270.0;
    let count = view.totals.len();
    for (i, pair) in view.totals.iter().enumerate() {
        let last = i + 1 == count;
        layout.ensure(LEADING + 4.0);
        if last {
            layout.rule(label_x, RIGHT, layout.y - 10.0);
            layout.y += 3.0;
        }
        let style = if last { Style::Bold } else { Style::Regular };
        layout.text(label_x, layout.y, BODY, style, &pair.label);
        layout.text_right(RIGHT, layout.y, BODY, style, &pair.value);
        layout.y += LEADING;
    }
    layout.y += 8.0;
}
