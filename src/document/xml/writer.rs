//! A thin layer over quick-xml's writer: elements by name, escaped text, and the few CII idioms
//! (format-102 dates, amounts with a currency attribute) in one place.

use chrono::NaiveDate;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::document::DocumentError;
use crate::document::format::date_102;

/// Writes one XML document into memory.
pub struct Xml {
    writer: Writer<Vec<u8>>,
}

fn io(err: std::io::Error) -> DocumentError {
    DocumentError::Xml(err.to_string())
}

/// Drops characters XML 1.0 cannot carry (controls other than tab, LF, CR).
fn clean(text: &str) -> String {
    text.chars().filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r')).collect()
}

impl Xml {
    /// A new document with its `<?xml ... ?>` declaration.
    pub fn new() -> Result<Xml, DocumentError> {
        let mut writer = Writer::new_with_indent(Vec::with_capacity(16 * 1024), b' ', 2);
        writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None))).map_err(io)?;
        Ok(Xml { writer })
    }

    /// Opens `name` with attributes.
    pub fn open_with(&mut self, name: &str, attrs: &[(&str, &str)]) -> Result<(), DocumentError> {
        let start = BytesStart::new(name).with_attributes(attrs.iter().copied());
        self.writer.write_event(Event::Start(start)).map_err(io)
    }

    /// Opens `name`.
    pub fn open(&mut self, name: &str) -> Result<(), DocumentError> {
        self.open_with(name, &[])
    }

    /// Closes `name`.
    pub fn close(&mut self, name: &str) -> Result<(), DocumentError> {
        self.writer.write_event(Event::End(BytesEnd::new(name))).map_err(io)
    }

    /// `<name attrs>text</name>`, the text escaped.
    pub fn text_with(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) -> Result<(), DocumentError> {
        let text = clean(text);
        self.writer
            .create_element(name)
            .with_attributes(attrs.iter().copied())
            .write_text_content(BytesText::new(&text))
            .map_err(io)?;
        Ok(())
    }

    /// `<name>text</name>`.
    pub fn text(&mut self, name: &str, text: &str) -> Result<(), DocumentError> {
        self.text_with(name, &[], text)
    }

    /// `<name>text</name>` when there is non-blank text.
    pub fn text_opt(&mut self, name: &str, text: Option<&str>) -> Result<(), DocumentError> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            Some(text) => self.text(name, text),
            None => Ok(()),
        }
    }

    /// `<name><udt:DateTimeString format="102">YYYYMMDD</udt:DateTimeString></name>`.
    pub fn date(&mut self, name: &str, day: NaiveDate) -> Result<(), DocumentError> {
        self.open(name)?;
        self.text_with("udt:DateTimeString", &[("format", "102")], &date_102(day))?;
        self.close(name)
    }

    /// `<name><udt:Indicator>true|false</udt:Indicator></name>`.
    pub fn indicator(&mut self, name: &str, value: bool) -> Result<(), DocumentError> {
        self.open(name)?;
        self.text("udt:Indicator", if value { "true" } else { "false" })?;
        self.close(name)
    }

    /// The finished bytes.
    pub fn finish(self) -> Vec<u8> {
        let mut bytes = self.writer.into_inner();
        bytes.push(b'\n');
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_controls_are_dropped() -> Result<(), DocumentError> {
        let mut xml = Xml::new()?;
        xml.text_with("a", &[("k", "\"x\"")], "<b> & \u{1}c")?;
        let out = String::from_utf8(xml.finish()).map_err(|e| DocumentError::Xml(e.to_string()))?;
        assert!(out.contains("<a k=\"&quot;x&quot;\">&lt;b&gt; &amp; c</a>"), "{out}");
        Ok(())
    }
}
